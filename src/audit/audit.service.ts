import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from '../accounts/account.entity';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import { PLAN_ENTITLEMENTS, type Plan } from '../entitlements/plans';
import { BadUserInputError } from '../server/errors';
import { pageSize } from '../server/pagination';
import { GENESIS_HASH, computeEventHash } from './audit-chain';
import type { AuditFeed, SlowConsumerError } from './audit-feed';
import { auditedTransaction, type Caller } from './audit.recorder';
import {
  AUDIT_COLUMNS,
  auditWhere,
  recordFromRow,
  seqOfCursor,
  type AuditEventRecord,
  type AuditFilter,
} from './audit.records';

/** Largest page of events one query may ask for. */
export const MAX_AUDIT_PAGE = 500;
const DEFAULT_AUDIT_PAGE = 50;
/** Reading the log is recorded at most this often per caller. */
const VIEW_RECORD_INTERVAL_MS = 10 * 60_000;
const VERIFY_BATCH = 1000;
const DAY_MS = 86_400_000;

export type AuditOrderValue = 'NEWEST_FIRST' | 'OLDEST_FIRST';

export interface AuditPageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  filter?: AuditFilter | null;
  order?: AuditOrderValue | null;
}

export interface AuditPage {
  events: AuditEventRecord[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface ChainVerification {
  ok: boolean;
  checkedCount: number;
  firstBrokenSeq: number | null;
  firstBrokenEventId: string | null;
  reason: string | null;
}

type AuthenticatedCaller = Caller & { principal: Principal };

/** Oldest instant the plan lets an account see; null when the plan shows no history limit. */
export function retentionCutoff(plan: Plan, now = new Date()): Date | undefined {
  const days = PLAN_ENTITLEMENTS[plan].auditRetentionDays;
  return days === null ? undefined : new Date(now.getTime() - days * DAY_MS);
}

/** Reading and verifying an account's audit log. */
export class AuditService {
  /**
   * A Relay page of events, keyset-paginated on `seq` (stable under concurrent
   * inserts). Every page, whatever cursor it starts from, records `audit.viewed`
   * at most once per caller per 10 minutes.
   */
  async list(em: EntityManager, caller: AuthenticatedCaller, args: AuditPageArgs): Promise<AuditPage> {
    const { principal } = caller;
    assertPermission(principal, ApiKeyScope.AUDIT_READ);
    if (args.first != null && args.last != null)
      throw new BadUserInputError('Pass either first or last, not both', 'last');
    if (args.after != null && args.before != null)
      throw new BadUserInputError('Pass either after or before, not both', 'before');
    const backward = args.last != null || args.before != null;
    const bounds = { default: DEFAULT_AUDIT_PAGE, max: MAX_AUDIT_PAGE };
    const size = backward ? pageSize(args.last, bounds, 'last') : pageSize(args.first, bounds, 'first');
    const cursor = backward ? args.before : args.after;
    const cursorSeq = cursor != null ? seqOfCursor(cursor, backward ? 'before' : 'after') : undefined;
    const newestFirst = (args.order ?? 'NEWEST_FIRST') === 'NEWEST_FIRST';
    const account = await em.findOneOrFail(Account, principal.accountId);
    const where = auditWhere(principal.accountId, args.filter, retentionCutoff(account.plan));

    // Forward pages walk in list order; backward pages walk against it and are reversed.
    const descending = newestFirst !== backward;
    let sql = `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${where.sql}`;
    const params = [...where.params];
    if (cursorSeq !== undefined) {
      sql += descending ? ' AND seq < ?' : ' AND seq > ?';
      params.push(cursorSeq);
    }
    sql += ` ORDER BY seq ${descending ? 'DESC' : 'ASC'} LIMIT ?`;
    params.push(size + 1);
    const rows = await em.getConnection().execute<Record<string, unknown>[]>(sql, params);
    const more = rows.length > size;
    const events = rows.slice(0, size).map(recordFromRow);
    if (backward) events.reverse();

    // A cursor proves nothing about an earlier page (anyone can make one): every read counts as a view.
    await this.recordView(em, caller, args.filter);
    return {
      events,
      hasNextPage: backward ? cursor != null : more,
      hasPreviousPage: backward ? more : cursor != null,
    };
  }

  /** Records `audit.viewed` unless this caller did within the last 10 minutes. */
  private async recordView(
    em: EntityManager,
    caller: AuthenticatedCaller,
    filter: AuditFilter | null | undefined,
  ): Promise<void> {
    const { principal } = caller;
    const actorId = principal.kind === 'user' ? principal.userId : principal.keyId;
    const viewedRecently = (runner: EntityManager) =>
      runner
        .execute(
          `SELECT 1 FROM audit_events
            WHERE account_id = ? AND action = 'audit.viewed' AND actor_id = ? AND occurred_at > ? LIMIT 1`,
          [principal.accountId, actorId, new Date(Date.now() - VIEW_RECORD_INTERVAL_MS)],
        )
        .then((rows) => rows.length > 0);
    // Most first pages were recorded minutes ago: a plain read settles them without a transaction.
    if (await viewedRecently(em)) return;
    await auditedTransaction(em, caller, async (tx, audit) => {
      // The chain-head lock serialises concurrent first pages, so this re-check sees the other's event.
      await tx.execute('SELECT 1 FROM audit_chain_heads WHERE account_id = ? FOR UPDATE', [principal.accountId]);
      if (await viewedRecently(tx)) return;
      await audit({
        action: 'audit.viewed',
        target: { type: 'audit_log', id: principal.accountId },
        metadata: filter ? { filter: JSON.parse(JSON.stringify(filter)) as unknown } : null,
      });
    });
  }

  /**
   * A live stream of the account's events for a subscription: with `after`,
   * stored events after that cursor first (within the plan's retention), then
   * new ones as they commit. Needs audit:read. A replay reads the stored log,
   * so it records `audit.viewed` like a page does (before the stream opens, so
   * the replay carries it).
   */
  async openStream(
    feed: AuditFeed,
    em: EntityManager,
    caller: AuthenticatedCaller,
    plan: Plan,
    args: { filter?: AuditFilter | null; after?: string | null },
    onOverflow: (error: SlowConsumerError) => void,
  ): Promise<AsyncIterableIterator<AuditEventRecord>> {
    const { principal } = caller;
    assertPermission(principal, ApiKeyScope.AUDIT_READ);
    const afterSeq = args.after != null ? seqOfCursor(args.after, 'after') : undefined;
    auditWhere(principal.accountId, args.filter); // validates the filter before anything is recorded
    if (afterSeq !== undefined) await this.recordView(em, caller, args.filter);
    return feed.subscribe({
      accountId: principal.accountId,
      filter: args.filter,
      afterSeq,
      notBefore: retentionCutoff(plan),
      onOverflow,
    });
  }

  /**
   * Recomputes the account's hash chain (optionally only events in
   * [from, to)) and names the first event that does not verify: an altered
   * event, a missing (deleted) one, events out of order, or a forged hash.
   */
  async verify(
    em: EntityManager,
    principal: Principal,
    range: { from?: Date | null; to?: Date | null } = {},
  ): Promise<ChainVerification> {
    assertPermission(principal, ApiKeyScope.AUDIT_READ);
    return verifyChain(em, principal.accountId, range);
  }
}

/** Chain verification for one account; shared by the API and the CLI. */
export async function verifyChain(
  em: EntityManager,
  accountId: string,
  range: { from?: Date | null; to?: Date | null } = {},
): Promise<ChainVerification> {
  const connection = em.getConnection();
  const [checkpoint] = await connection.execute<{ purged_through_seq: string; last_hash: string }[]>(
    'SELECT purged_through_seq, last_hash FROM audit_checkpoints WHERE account_id = ? ORDER BY purged_through_seq DESC LIMIT 1',
    [accountId],
  );
  const bounds: string[] = [];
  const boundParams: unknown[] = [];
  if (range.from) {
    bounds.push('occurred_at >= ?');
    boundParams.push(range.from);
  }
  if (range.to) {
    bounds.push('occurred_at < ?');
    boundParams.push(range.to);
  }
  const extra = bounds.length > 0 ? ` AND ${bounds.join(' AND ')}` : '';

  const purgedThrough = checkpoint ? Number(checkpoint.purged_through_seq) : 0;
  let expectedSeq: number | undefined;
  let prevHash: string | undefined;
  let lastSeq = range.from ? 0 : purgedThrough;
  let lastEventId: string | null = null;
  let checked = 0;
  const broken = (seq: number, id: string | null, reason: string): ChainVerification => ({
    ok: false,
    checkedCount: checked,
    firstBrokenSeq: seq,
    firstBrokenEventId: id,
    reason,
  });

  for (;;) {
    const rows = await connection.execute<Record<string, unknown>[]>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE account_id = ? AND seq > ?${extra} ORDER BY seq ASC LIMIT ?`,
      [accountId, lastSeq, ...boundParams, VERIFY_BATCH],
    );
    for (const event of rows.map(recordFromRow)) {
      if (expectedSeq === undefined) {
        // Anchor: the start of the chain, the purge checkpoint, or the event before a range.
        const anchorSeq = event.seq - 1;
        if (checkpoint && Number(checkpoint.purged_through_seq) === anchorSeq) prevHash = checkpoint.last_hash;
        else if (anchorSeq === 0) prevHash = GENESIS_HASH;
        else if (range.from) {
          const [before] = await connection.execute<{ hash: string }[]>(
            'SELECT hash FROM audit_events WHERE account_id = ? AND seq = ?',
            [accountId, anchorSeq],
          );
          prevHash = before?.hash;
        }
        if (prevHash === undefined) {
          const firstExpected = checkpoint ? Number(checkpoint.purged_through_seq) + 1 : 1;
          return broken(firstExpected, null, `event seq ${firstExpected} is missing (deleted)`);
        }
        expectedSeq = event.seq;
      }
      if (event.seq !== expectedSeq) {
        return broken(
          expectedSeq,
          null,
          `event seq ${expectedSeq} is missing (deleted); the next stored event is seq ${event.seq}`,
        );
      }
      if (event.prevHash !== prevHash) {
        return broken(
          event.seq,
          event.id,
          'prevHash does not match the previous event’s hash (events reordered, removed or forged)',
        );
      }
      if (computeEventHash(event.prevHash, event) !== event.hash) {
        return broken(event.seq, event.id, 'content does not match its hash (event altered or hash forged)');
      }
      prevHash = event.hash;
      expectedSeq += 1;
      lastSeq = event.seq;
      lastEventId = event.id;
      checked += 1;
    }
    if (rows.length < VERIFY_BATCH) break;
  }

  if (!range.to) {
    // The head remembers the newest seq and hash: a removed or forged tail shows here.
    const [head] = await connection.execute<{ last_seq: string; last_hash: string }[]>(
      'SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = ?',
      [accountId],
    );
    const headSeq = head ? Number(head.last_seq) : 0;
    if (headSeq > lastSeq && (checked > 0 || !range.from)) {
      return broken(lastSeq + 1, null, `events after seq ${lastSeq} are missing (the chain head is at seq ${headSeq})`);
    }
    const newestHash = checked > 0 ? prevHash : checkpoint && !range.from ? checkpoint.last_hash : undefined;
    if (head && newestHash !== undefined && head.last_hash !== newestHash) {
      return broken(lastSeq, lastEventId, 'the newest event’s hash does not match the chain head (hash forged)');
    }
  }
  return { ok: true, checkedCount: checked, firstBrokenSeq: null, firstBrokenEventId: null, reason: null };
}
