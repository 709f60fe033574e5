import { IsolationLevel, type EntityManager } from '@mikro-orm/postgresql';
import { Account } from '../accounts/account.entity';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import { assertPlanIncludes } from '../entitlements/entitlement.check';
import { Feature, PLAN_ENTITLEMENTS, type Plan } from '../entitlements/plans';
import { BadUserInputError } from '../shared/errors';
import { pageSize } from '../shared/pagination';
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

/** A run of consecutive seqs that failed verification for one reason. */
export interface BrokenRange {
  firstSeq: number;
  lastSeq: number;
  /** `lastSeq - firstSeq + 1`. */
  count: number;
  reason: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Stored events examined (every one in range, broken or not). */
  checkedCount: number;
  /** The first seq that does not verify (an event, or the first of missing ones). */
  firstBrokenSeq: number | null;
  /** That event's id; null when it is missing. */
  firstBrokenEventId: string | null;
  /** Why `firstBrokenSeq` fails (the first range's reason). */
  reason: string | null;
  /** Every broken range in seq order, at most `MAX_BROKEN_RANGES`. */
  brokenRanges: BrokenRange[];
  /** How many broken ranges there are in all (more than listed when over `MAX_BROKEN_RANGES`). */
  brokenRangeCount: number;
}

/** Broken ranges listed by one verification; the rest are only counted. */
export const MAX_BROKEN_RANGES = 1000;

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
    this.assertMayStream(principal, plan);
    const afterSeq = args.after != null ? seqOfCursor(args.after, 'after') : undefined;
    auditWhere(principal.accountId, args.filter); // validates the filter before anything is recorded
    if (afterSeq !== undefined) await this.recordView(em, caller, args.filter);
    return feed.subscribe({
      accountId: principal.accountId,
      filter: args.filter,
      afterSeq,
      notBefore: retentionCutoff(plan),
      onOverflow,
      stillAllowed: (current, currentPlan) => this.assertMayStream(current, currentPlan),
    });
  }

  /**
   * The rule for a live feed, when it opens and for as long as it stays open:
   * audit:read (a role or key scope) and a plan that includes AUDIT_STREAM.
   */
  assertMayStream(principal: Principal, plan: Plan): void {
    assertPermission(principal, ApiKeyScope.AUDIT_READ);
    assertPlanIncludes(plan, Feature.AUDIT_STREAM);
  }

  /**
   * Recomputes the account's hash chain (optionally only events in
   * [from, to)) and reports every range that does not verify: altered
   * events, missing (deleted) ones, events out of order, forged hashes, a
   * tail the chain head does not match.
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

const ALTERED = 'content does not match its hash (event altered or hash forged)';
const RELINKED = 'prevHash does not match the previous event’s hash (events reordered, removed or forged)';
const HEAD_FORGED = 'the newest event’s hash does not match the chain head (hash forged)';

function missingReason(firstSeq: number, lastSeq: number, nextSeq: number | null): string {
  const what =
    firstSeq === lastSeq ? `event seq ${firstSeq} is missing` : `events seq ${firstSeq} to ${lastSeq} are missing`;
  return nextSeq === null ? `${what} (deleted)` : `${what} (deleted); the next stored event is seq ${nextSeq}`;
}

/** Collects broken seqs into ranges: an event continuing the previous range for the same reason extends it. */
class BrokenRanges {
  readonly listed: BrokenRange[] = [];
  total = 0;
  firstEventId: string | null = null;
  private last: BrokenRange | undefined;

  add(firstSeq: number, lastSeq: number, reason: string, eventId: string | null = null): void {
    if (this.total === 0) this.firstEventId = eventId;
    const last = this.last;
    if (last && last.reason === reason && last.lastSeq + 1 === firstSeq) {
      last.lastSeq = lastSeq;
      last.count = lastSeq - last.firstSeq + 1;
      return;
    }
    this.last = { firstSeq, lastSeq, count: lastSeq - firstSeq + 1, reason };
    this.total += 1;
    if (this.listed.length < MAX_BROKEN_RANGES) this.listed.push(this.last);
  }
}

type HeadRow = { last_seq: string; last_hash: string };
type CheckpointRow = { purged_through_seq: string; last_hash: string };

/**
 * Chain verification for one account; shared by the API and the CLI. Every
 * event in range is checked, also past a broken one, and every broken range is
 * reported. All reads share one REPEATABLE READ snapshot, so events appended
 * meanwhile are either wholly seen (with the head that points at them) or not
 * at all: never a false gap.
 */
export async function verifyChain(
  em: EntityManager,
  accountId: string,
  range: { from?: Date | null; to?: Date | null } = {},
): Promise<ChainVerification> {
  return em.transactional((tx) => verifyInSnapshot(tx, accountId, range), {
    isolationLevel: IsolationLevel.REPEATABLE_READ,
    readOnly: true,
  });
}

async function verifyInSnapshot(
  tx: EntityManager,
  accountId: string,
  range: { from?: Date | null; to?: Date | null },
): Promise<ChainVerification> {
  // The head first: it takes the snapshot that every later read shares.
  const [head] = await tx.execute<HeadRow[]>('SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = ?', [
    accountId,
  ]);
  const [checkpoint] = await tx.execute<CheckpointRow[]>(
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
  const broken = new BrokenRanges();
  /** Seq the next stored event should have; undefined before the first. */
  let expectedSeq: number | undefined;
  /** Hash the next event must chain from; undefined when unknown (after missing events). */
  let prevHash: string | undefined;
  let newest: AuditEventRecord | undefined;
  let afterSeq = range.from ? 0 : purgedThrough;
  let checked = 0;

  for (;;) {
    const rows = await tx.execute<Record<string, unknown>[]>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE account_id = ? AND seq > ?${extra} ORDER BY seq ASC LIMIT ?`,
      [accountId, afterSeq, ...boundParams, VERIFY_BATCH],
    );
    for (const event of rows.map(recordFromRow)) {
      if (expectedSeq === undefined) {
        // Anchor: the start of the chain, the purge checkpoint, or the event before a range.
        const anchorSeq = event.seq - 1;
        if (checkpoint && purgedThrough === anchorSeq) prevHash = checkpoint.last_hash;
        else if (anchorSeq === 0) prevHash = GENESIS_HASH;
        else if (range.from) {
          const [before] = await tx.execute<{ hash: string }[]>(
            'SELECT hash FROM audit_events WHERE account_id = ? AND seq = ?',
            [accountId, anchorSeq],
          );
          prevHash = before?.hash;
          if (prevHash === undefined) broken.add(anchorSeq, anchorSeq, missingReason(anchorSeq, anchorSeq, event.seq));
        } else {
          const firstMissing = purgedThrough + 1;
          broken.add(firstMissing, anchorSeq, missingReason(firstMissing, anchorSeq, event.seq));
        }
      } else if (event.seq !== expectedSeq) {
        broken.add(expectedSeq, event.seq - 1, missingReason(expectedSeq, event.seq - 1, event.seq));
        // The link to a deleted event cannot be checked; the event's own content still is.
        prevHash = undefined;
      }
      if (prevHash !== undefined && event.prevHash !== prevHash) broken.add(event.seq, event.seq, RELINKED, event.id);
      else if (computeEventHash(event.prevHash, event) !== event.hash) {
        broken.add(event.seq, event.seq, ALTERED, event.id);
      }
      prevHash = event.hash;
      expectedSeq = event.seq + 1;
      afterSeq = event.seq;
      newest = event;
      checked += 1;
    }
    if (rows.length < VERIFY_BATCH) break;
  }

  if (!range.to) {
    // The head remembers the newest seq and hash: a removed, forged or added tail shows here.
    const headSeq = head ? Number(head.last_seq) : 0;
    const lastSeq = newest ? newest.seq : range.from ? 0 : purgedThrough;
    if (headSeq > lastSeq && (newest || !range.from)) {
      broken.add(lastSeq + 1, headSeq, `events after seq ${lastSeq} are missing (the chain head is at seq ${headSeq})`);
    } else if (newest && newest.seq > headSeq) {
      broken.add(
        headSeq + 1,
        newest.seq,
        `events after seq ${headSeq} were not appended through the chain head (the head is at seq ${headSeq})`,
      );
    } else {
      const newestHash = newest ? newest.hash : checkpoint && !range.from ? checkpoint.last_hash : undefined;
      if (head && newestHash !== undefined && head.last_hash !== newestHash) {
        broken.add(lastSeq, lastSeq, HEAD_FORGED, newest?.id ?? null);
      }
    }
  }
  const first = broken.listed[0];
  return {
    ok: first === undefined,
    checkedCount: checked,
    firstBrokenSeq: first ? first.firstSeq : null,
    firstBrokenEventId: first ? broken.firstEventId : null,
    reason: first ? first.reason : null,
    brokenRanges: broken.listed,
    brokenRangeCount: broken.total,
  };
}
