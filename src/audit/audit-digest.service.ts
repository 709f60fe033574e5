import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import { decodeCursor, encodeCursor, pageSize } from '../shared/pagination';
import { BadUserInputError } from '../shared/errors';
import type { AuditSigningKeys } from './audit-digest.keys';
import { DIGEST_COLUMNS, digestFromRow, digestHash, digestPayload, type AuditDigestRecord } from './audit-digest';
import { auditedTransaction, type Caller } from './audit.recorder';

/** The action recorded by `createAuditDigest`; such events alone do not make a new digest due. */
export const DIGEST_CREATED_ACTION = 'audit.digest_created';

/** Namespace of the per-account advisory lock that serialises digest creation (any instance, job or mutation). */
const DIGEST_LOCK = 0x6b6c6467 + 1;

const DEFAULT_DIGEST_PAGE = 50;
/** Largest page of digests one query may ask for. */
export const MAX_DIGEST_PAGE = 500;
const CURSOR_KIND = 'audit_digest';

/** The opaque cursor of the digest ending at `toSeq`. */
export function digestCursorOf(toSeq: number): string {
  return encodeCursor(CURSOR_KIND, [toSeq]);
}

export interface AuditDigestPage {
  digests: AuditDigestRecord[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface DueDigestsResult {
  /** Accounts with events newer than their latest digest. */
  accounts: number;
  /** Digests created (another instance may have made some of them first). */
  created: number;
  /** Accounts whose digest failed (each in its own transaction: the others still got theirs). */
  failed: { accountId: string; error: unknown }[];
}

type AuthenticatedCaller = Caller & { principal: Principal };

/**
 * Signed digests of the accounts' hash chains (CloudTrail-style): each covers the events since the account's
 * previous digest up to the chain head, names the hash of that head event and the hash of the previous digest, and
 * is signed with Ed25519. A customer who keeps them can prove later that the stored log was rewritten, even by a
 * database superuser.
 */
export class AuditDigestService {
  /** @param keys the service's key set, loaded on first use (generated into DATA_DIR outside production). */
  constructor(private readonly keys: () => Promise<AuditSigningKeys>) {}

  /**
   * `createAuditDigest`: a digest of the caller's account up to its chain head, recorded as `audit.digest_created`
   * in the same transaction (that event comes after the head the digest covers, so the next digest covers it).
   * Idempotent: when nothing but such events is newer than the latest digest, that digest is returned and nothing
   * is written. Needs audit:read; a refusal is recorded as `outcome: DENIED`.
   */
  async create(em: EntityManager, caller: AuthenticatedCaller): Promise<AuditDigestRecord> {
    const { principal } = caller;
    const keys = await this.keys();
    return auditedTransaction(em, caller, async (tx, audit) => {
      // A refusal is recorded as a DENIED audit.digest_created, as other mutations' are.
      assertPermission(principal, ApiKeyScope.AUDIT_READ, {
        action: DIGEST_CREATED_ACTION,
        target: { type: 'audit_digest' },
      });
      const { digest, created } = await digestInTransaction(tx, keys, principal.accountId);
      if (!digest) throw new BadUserInputError('The account has no audit events to digest yet');
      if (created) {
        await audit({
          action: DIGEST_CREATED_ACTION,
          target: { type: 'audit_digest', id: digest.id },
          metadata: { fromSeq: digest.fromSeq, toSeq: digest.toSeq, keyId: digest.keyId },
        });
      }
      return digest;
    });
  }

  /**
   * The hourly job: a digest for every account with events newer than its latest digest (other than
   * `audit.digest_created`), each in its own transaction. Safe on any number of instances at once: creation takes a
   * per-account advisory lock and re-reads, and `(account_id, to_seq)` is unique. Written by the system, so no
   * audit event (one would make every account due again an hour later).
   */
  async createDue(em: EntityManager): Promise<DueDigestsResult> {
    const keys = await this.keys();
    const due = await em.getConnection().execute<{ account_id: string }[]>(
      `SELECT h.account_id FROM audit_chain_heads h
         LEFT JOIN LATERAL (
           SELECT to_seq FROM audit_digests d WHERE d.account_id = h.account_id ORDER BY to_seq DESC LIMIT 1
         ) latest ON true
        WHERE h.last_seq > coalesce(latest.to_seq, 0)
          AND EXISTS (SELECT 1 FROM audit_events e
                       WHERE e.account_id = h.account_id AND e.seq > coalesce(latest.to_seq, 0) AND e.action <> ?)
        ORDER BY h.account_id`,
      [DIGEST_CREATED_ACTION],
    );
    let created = 0;
    const failed: DueDigestsResult['failed'] = [];
    for (const { account_id: accountId } of due) {
      try {
        const result = await em.fork().transactional((tx) => digestInTransaction(tx, keys, accountId));
        if (result.created) created += 1;
      } catch (error) {
        failed.push({ accountId, error });
      }
    }
    return { accounts: due.length, created, failed };
  }

  /** `auditDigests(first, after)`: the account's digests, oldest first (poll with `after` for new ones). */
  async list(
    em: EntityManager,
    principal: Principal,
    args: { first?: number | null; after?: string | null },
  ): Promise<AuditDigestPage> {
    assertPermission(principal, ApiKeyScope.AUDIT_READ);
    const size = pageSize(args.first, { default: DEFAULT_DIGEST_PAGE, max: MAX_DIGEST_PAGE });
    let afterSeq = 0;
    if (args.after != null) {
      const [seq] = decodeCursor(CURSOR_KIND, args.after, 'after');
      if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
        throw new BadUserInputError('after is not a valid audit digest cursor', 'after');
      }
      afterSeq = seq;
    }
    const rows = await em
      .getConnection()
      .execute<Record<string, unknown>[]>(
        `SELECT ${DIGEST_COLUMNS} FROM audit_digests WHERE account_id = ? AND to_seq > ? ORDER BY to_seq ASC LIMIT ?`,
        [principal.accountId, afterSeq, size + 1],
      );
    return {
      digests: rows.slice(0, size).map(digestFromRow),
      hasNextPage: rows.length > size,
      hasPreviousPage: args.after != null,
    };
  }

  /** The service's published keys (`GET /.well-known/keyledger/audit-signing-keys`). */
  async signingKeys(): Promise<AuditSigningKeys> {
    return this.keys();
  }
}

type HeadRow = { last_seq: string; last_hash: string };

/**
 * Within `tx`: the account's digest up to its current chain head, created unless nothing but
 * `audit.digest_created` events is newer than the latest one (then that one, `created: false`). Null when the
 * account has no events at all.
 */
export async function digestInTransaction(
  tx: EntityManager,
  keys: AuditSigningKeys,
  accountId: string,
): Promise<{ digest: AuditDigestRecord | null; created: boolean }> {
  // Serialises creators of this account's digests across instances; appends to the chain go on meanwhile.
  await tx.execute('SELECT pg_advisory_xact_lock(?::int, hashtext(?::text))', [DIGEST_LOCK, accountId]);
  const [head] = await tx.execute<HeadRow[]>('SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = ?', [
    accountId,
  ]);
  const [latestRow] = await tx.execute<Record<string, unknown>[]>(
    `SELECT ${DIGEST_COLUMNS} FROM audit_digests WHERE account_id = ? ORDER BY to_seq DESC LIMIT 1`,
    [accountId],
  );
  const latest = latestRow ? digestFromRow(latestRow) : null;
  const toSeq = head ? Number(head.last_seq) : 0;
  if (toSeq === 0 || (latest && latest.toSeq >= toSeq)) return { digest: latest, created: false };
  if (latest) {
    const fresh = await tx.execute(
      'SELECT 1 FROM audit_events WHERE account_id = ? AND seq > ? AND seq <= ? AND action <> ? LIMIT 1',
      [accountId, latest.toSeq, toSeq, DIGEST_CREATED_ACTION],
    );
    if (fresh.length === 0) return { digest: latest, created: false };
  }
  let fromSeq = 1;
  if (latest) fromSeq = latest.toSeq + 1;
  else {
    const [checkpoint] = await tx.execute<{ purged_through_seq: string }[]>(
      'SELECT max(purged_through_seq) AS purged_through_seq FROM audit_checkpoints WHERE account_id = ?',
      [accountId],
    );
    if (checkpoint?.purged_through_seq != null) fromSeq = Number(checkpoint.purged_through_seq) + 1;
  }
  const unsigned = {
    accountId,
    fromSeq,
    toSeq,
    headHash: head!.last_hash,
    previousDigestHash: latest ? digestHash(latest) : null,
    createdAt: new Date(),
    keyId: keys.signingKeyId ?? '',
  };
  const { keyId, signature } = keys.sign(digestPayload(unsigned));
  const digest: AuditDigestRecord = { ...unsigned, keyId, id: randomUUID(), signature };
  await tx.execute(`INSERT INTO audit_digests (${DIGEST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    digest.id,
    digest.accountId,
    digest.fromSeq,
    digest.toSeq,
    digest.headHash,
    digest.previousDigestHash,
    digest.createdAt,
    digest.keyId,
    digest.signature,
  ]);
  return { digest, created: true };
}
