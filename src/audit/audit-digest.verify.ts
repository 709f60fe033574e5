import { IsolationLevel, type EntityManager } from '@mikro-orm/postgresql';
import { GENESIS_HASH, computeEventHash } from './audit-chain';
import { digestHash, digestPayload, type AuditDigestRecord } from './audit-digest';
import type { AuditSigningKeys } from './audit-digest.keys';
import { AUDIT_COLUMNS, recordFromRow } from './audit.records';

/** One finding of digest verification, with where it comes from. */
export interface DigestFinding {
  /** Line of the saved file (1-based); null for a finding about the stored log itself. */
  line: number | null;
  accountId: string | null;
  digestId: string | null;
  fromSeq: number | null;
  toSeq: number | null;
  message: string;
}

export interface DigestVerification {
  ok: boolean;
  /** Digests examined (of the account asked for, when one was). */
  digests: number;
  accounts: number;
  /** Every problem: a bad signature or link, a rewritten or deleted range; `ok` is false when there is any. */
  problems: DigestFinding[];
  /** Digests whose range was purged by retention: they cannot be checked, which is not a rewrite. */
  notCheckable: DigestFinding[];
  /** Per account, the seq through which the stored chain was recomputed. */
  recomputedThrough: Record<string, number>;
}

/** A saved digest and the line it came from. */
export interface SavedDigest {
  line: number;
  digest: AuditDigestRecord;
}

const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BATCH = 1000;

/**
 * Reads digests saved as NDJSON (one digest a line, as `auditDigests` returns its nodes; an `{ "node": … }` edge
 * is accepted too; blank lines are skipped). Lines that are not digests become problems.
 */
export function parseSavedDigests(text: string): { digests: SavedDigest[]; problems: DigestFinding[] } {
  const digests: SavedDigest[] = [];
  const problems: DigestFinding[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let digest: AuditDigestRecord | string;
    try {
      const parsed: unknown = JSON.parse(raw);
      digest = digestOf(parsed);
      if (typeof digest === 'string') digest = `not an audit digest: ${digest}`;
    } catch {
      digest = 'not JSON';
    }
    if (typeof digest === 'string') {
      problems.push({ line, accountId: null, digestId: null, fromSeq: null, toSeq: null, message: digest });
    } else {
      digests.push({ line, digest });
    }
  });
  return { digests, problems };
}

function digestOf(value: unknown): AuditDigestRecord | string {
  let object = value as Record<string, unknown> | null;
  if (object && typeof object === 'object' && object.node && typeof object.node === 'object') {
    object = object.node as Record<string, unknown>;
  }
  if (!object || typeof object !== 'object' || Array.isArray(object)) return 'expected an object';
  const { id, accountId, fromSeq, toSeq, headHash, previousDigestHash, createdAt, keyId, signature } = object;
  if (typeof id !== 'string') return 'id is missing';
  if (typeof accountId !== 'string' || !UUID.test(accountId)) return 'accountId is not an account id';
  if (!Number.isSafeInteger(fromSeq) || !Number.isSafeInteger(toSeq) || (fromSeq as number) < 1) {
    return 'fromSeq and toSeq must be positive integers';
  }
  if ((fromSeq as number) > (toSeq as number)) return 'fromSeq is after toSeq';
  if (typeof headHash !== 'string' || !HEX64.test(headHash)) return 'headHash is not a SHA-256 hex digest';
  if (previousDigestHash !== null && (typeof previousDigestHash !== 'string' || !HEX64.test(previousDigestHash))) {
    return 'previousDigestHash is neither null nor a SHA-256 hex digest';
  }
  const created = typeof createdAt === 'string' ? new Date(createdAt) : undefined;
  if (!created || Number.isNaN(created.getTime())) return 'createdAt is not a date';
  if (typeof keyId !== 'string' || typeof signature !== 'string') return 'keyId and signature are required';
  return {
    id,
    accountId: accountId.toLowerCase(),
    fromSeq: fromSeq as number,
    toSeq: toSeq as number,
    headHash,
    previousDigestHash: previousDigestHash as string | null,
    createdAt: created,
    keyId,
    signature,
  };
}

/**
 * Checks saved digests against the stored log, the proof that outlives the database. For each digest: its signature
 * with a key of `keys` (the service's published set, or a JWKS the customer kept), its link to the saved digest
 * before it (`previousDigestHash`), and that the stored chain, recomputed event by event from seq 1 (or the purge
 * checkpoint), reaches the signed `headHash` at `toSeq`. A rewrite made consistently with database superuser rights
 * (every hash and the chain head recomputed) is caught by the last check: the signed head no longer matches. A digest
 * whose range was purged by retention is reported as not checkable, not as a rewrite. With `accountId`, only that
 * account's digests are checked. Reads one REPEATABLE READ snapshot per account.
 */
export async function verifyAuditDigests(
  em: EntityManager,
  keys: AuditSigningKeys,
  saved: readonly SavedDigest[],
  options: { accountId?: string } = {},
): Promise<DigestVerification> {
  const wanted = options.accountId?.toLowerCase();
  const selected = wanted ? saved.filter((entry) => entry.digest.accountId === wanted) : [...saved];
  const problems: DigestFinding[] = [];
  const notCheckable: DigestFinding[] = [];
  const recomputedThrough: Record<string, number> = {};
  const byAccount = new Map<string, SavedDigest[]>();
  for (const entry of selected) {
    const list = byAccount.get(entry.digest.accountId) ?? [];
    list.push(entry);
    byAccount.set(entry.digest.accountId, list);
  }
  if (selected.length === 0) {
    problems.push({
      line: null,
      accountId: wanted ?? null,
      digestId: null,
      fromSeq: null,
      toSeq: null,
      message: wanted ? `no digests of account ${wanted} to verify` : 'no digests to verify',
    });
  }
  for (const [accountId, entries] of byAccount) {
    entries.sort((a, b) => a.digest.toSeq - b.digest.toSeq || a.line - b.line);
    const through = await em.transactional(
      (tx) => verifyAccount(tx, keys, accountId, entries, { problems, notCheckable }),
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
    recomputedThrough[accountId] = through;
  }
  return {
    ok: problems.length === 0,
    digests: selected.length,
    accounts: byAccount.size,
    problems,
    notCheckable,
    recomputedThrough,
  };
}

type Findings = { problems: DigestFinding[]; notCheckable: DigestFinding[] };

async function verifyAccount(
  tx: EntityManager,
  keys: AuditSigningKeys,
  accountId: string,
  entries: SavedDigest[],
  findings: Findings,
): Promise<number> {
  const about = ({ line, digest }: SavedDigest, message: string): DigestFinding => ({
    line,
    accountId,
    digestId: digest.id,
    fromSeq: digest.fromSeq,
    toSeq: digest.toSeq,
    message,
  });
  const aboutLog = (message: string): DigestFinding => ({
    line: null,
    accountId,
    digestId: null,
    fromSeq: null,
    toSeq: null,
    message,
  });

  // 1. Each digest on its own: signed by a published key; 2. linked to the saved digest before it.
  let previous: SavedDigest | undefined;
  for (const entry of entries) {
    const { digest } = entry;
    const verdict = keys.check(digestPayload(digest), digest.keyId, digest.signature);
    if (verdict === 'unknown-key') {
      findings.problems.push(about(entry, `signed with key ${digest.keyId}, which is not a published signing key`));
    } else if (verdict === 'bad') {
      findings.problems.push(about(entry, 'the signature does not verify: the digest was altered'));
    }
    if (previous && previous.digest.toSeq === digest.toSeq) {
      if (digestHash(previous.digest) !== digestHash(digest)) {
        findings.problems.push(about(entry, `two different digests end at seq ${digest.toSeq}`));
      }
    } else if (previous && digest.fromSeq <= previous.digest.toSeq) {
      findings.problems.push(about(entry, `its range overlaps the digest on line ${previous.line}`));
    } else if (previous && digest.fromSeq === previous.digest.toSeq + 1) {
      if (digest.previousDigestHash !== digestHash(previous.digest)) {
        findings.problems.push(
          about(entry, `previousDigestHash does not match the digest before it (line ${previous.line})`),
        );
      }
    } else if (digest.fromSeq === 1 && digest.previousDigestHash !== null) {
      findings.problems.push(about(entry, 'the first digest of the chain names a previous digest'));
    }
    previous = entry;
  }

  // 3. The stored chain, recomputed from its start (or the purge checkpoint), must reach each signed head.
  const [checkpoint] = await tx.execute<{ purged_through_seq: string; last_hash: string }[]>(
    'SELECT purged_through_seq, last_hash FROM audit_checkpoints WHERE account_id = ? ORDER BY purged_through_seq DESC LIMIT 1',
    [accountId],
  );
  const anchorSeq = checkpoint ? Number(checkpoint.purged_through_seq) : 0;
  const anchorHash = checkpoint ? checkpoint.last_hash : GENESIS_HASH;
  const targets = new Set(entries.map((entry) => entry.digest.toSeq));
  const lastTarget = entries.at(-1)!.digest.toSeq;
  const computedAt = new Map<number, string>();
  let computed = anchorHash;
  let expected = anchorSeq + 1;
  let firstInconsistent: number | undefined;
  let stop: string | undefined;
  while (expected <= lastTarget && stop === undefined) {
    const rows = await tx.execute<Record<string, unknown>[]>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE account_id = ? AND seq >= ? AND seq <= ? ORDER BY seq ASC LIMIT ?`,
      [accountId, expected, lastTarget, BATCH],
    );
    for (const event of rows.map(recordFromRow)) {
      if (event.seq !== expected) {
        stop = `${event.seq - 1 === expected ? `event seq ${expected} is` : `events seq ${expected} to ${event.seq - 1} are`} missing (deleted outside retention)`;
        break;
      }
      const hash = computeEventHash(computed, event);
      if (firstInconsistent === undefined && (event.prevHash !== computed || event.hash !== hash)) {
        firstInconsistent = event.seq;
      }
      computed = hash;
      if (targets.has(event.seq)) computedAt.set(event.seq, hash);
      expected += 1;
    }
    if (stop === undefined && rows.length < BATCH && expected <= lastTarget) {
      stop = `the stored log ends at seq ${expected - 1}: events after it are missing (deleted)`;
    }
  }
  if (firstInconsistent !== undefined) {
    findings.problems.push(
      aboutLog(`event seq ${firstInconsistent} does not match its stored hash or link: events were altered from there`),
    );
  }
  if (stop !== undefined) findings.problems.push(aboutLog(stop));

  for (const entry of entries) {
    const { digest } = entry;
    if (digest.toSeq < anchorSeq || (digest.toSeq === anchorSeq && anchorHash === digest.headHash)) {
      findings.notCheckable.push(
        about(entry, `not checkable (purged): retention purged the events through seq ${anchorSeq}`),
      );
    } else if (digest.toSeq === anchorSeq) {
      findings.problems.push(
        about(entry, `the purge checkpoint at seq ${anchorSeq} does not match the signed headHash: rewritten`),
      );
    } else {
      const at = computedAt.get(digest.toSeq);
      if (at === undefined) {
        findings.problems.push(about(entry, `the stored chain cannot be recomputed to seq ${digest.toSeq}: ${stop}`));
      } else if (at !== digest.headHash) {
        findings.problems.push(
          about(
            entry,
            `rewritten: the stored events recompute to ${at.slice(0, 16)}… at seq ${digest.toSeq}, the digest signed ${digest.headHash.slice(0, 16)}…` +
              (firstInconsistent === undefined
                ? ' (the stored chain is consistent in itself: it was rewritten as a whole)'
                : ''),
          ),
        );
      }
    }
  }
  return expected - 1;
}

/** One line for a finding, as `keyledger audit verify --digests` prints it. */
export function describeFinding(finding: DigestFinding): string {
  const where =
    finding.digestId !== null
      ? `line ${finding.line}: digest ${finding.digestId} (account ${finding.accountId}, seq ${finding.fromSeq}-${finding.toSeq})`
      : finding.line !== null
        ? `line ${finding.line}`
        : `account ${finding.accountId ?? '-'}`;
  return `${where}: ${finding.message}`;
}
