import { BadUserInputError } from '../shared/errors';
import { decodeCursor, encodeCursor } from '../shared/pagination';
import { AuditChannel, type AuditActorType, type AuditEvent, type AuditOutcome } from './audit-event.entity';

/** An audit event as stored, whichever way it was read (entity or raw row). */
export type AuditEventRecord = Pick<
  AuditEvent,
  | 'id'
  | 'accountId'
  | 'seq'
  | 'occurredAt'
  | 'action'
  | 'outcome'
  | 'actorType'
  | 'actorId'
  | 'actorDisplay'
  | 'actorScopes'
  | 'targetType'
  | 'targetId'
  | 'targetDisplay'
  | 'changes'
  | 'metadata'
  | 'ip'
  | 'userAgent'
  | 'requestId'
  | 'prevHash'
  | 'hash'
> &
  /** Absent (a record built by hand) reads as GRAPHQL, as every row written before channels does. */
  Partial<Pick<AuditEvent, 'via'>> &
  /** Absent reads as null: set only on events the host product recorded. */
  Partial<Pick<AuditEvent, 'reportedAt' | 'submittedBy'>>;

/** Columns of `audit_events` in the order `recordFromRow` reads them. */
export const AUDIT_COLUMNS = `id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display,
  actor_scopes, target_type, target_id, target_display, changes, metadata, ip, user_agent, request_id, prev_hash, hash, via, reported_at, submitted_by`;

/** Maps a raw `audit_events` row (pg or MikroORM `execute`) to a record. */
export function recordFromRow(row: Record<string, unknown>): AuditEventRecord {
  return {
    id: row.id as string,
    accountId: row.account_id as string,
    seq: Number(row.seq),
    occurredAt: new Date(row.occurred_at as string | Date),
    action: row.action as string,
    outcome: row.outcome as AuditOutcome,
    actorType: row.actor_type as AuditActorType,
    actorId: (row.actor_id as string | null) ?? null,
    actorDisplay: (row.actor_display as string | null) ?? null,
    actorScopes: (row.actor_scopes as string[] | null) ?? null,
    targetType: (row.target_type as string | null) ?? null,
    targetId: (row.target_id as string | null) ?? null,
    targetDisplay: (row.target_display as string | null) ?? null,
    changes: (row.changes as AuditEvent['changes']) ?? [],
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    ip: (row.ip as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
    requestId: (row.request_id as string | null) ?? null,
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
    via: (row.via as AuditChannel | undefined) ?? AuditChannel.GRAPHQL,
    reportedAt: row.reported_at == null ? null : new Date(row.reported_at as string | Date),
    submittedBy: (row.submitted_by as AuditEvent['submittedBy'] | undefined) ?? null,
  };
}

const CURSOR_KIND = 'audit';

/** The opaque cursor of the event with `seq`; the same in the query and the subscription. */
export function auditCursorOf(seq: number): string {
  return encodeCursor(CURSOR_KIND, [seq]);
}

/** The seq a cursor points at; BAD_USER_INPUT for anything else. */
export function seqOfCursor(cursor: string, field: string): number {
  const [seq] = decodeCursor(CURSOR_KIND, cursor, field);
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
    throw new BadUserInputError(`${field} is not a valid audit cursor`, field);
  }
  return seq;
}

/** What a caller may filter the log by (query, subscription and export alike). */
export interface AuditFilter {
  actions?: string[] | null;
  actorId?: string | null;
  actorType?: AuditActorType | null;
  targetId?: string | null;
  outcome?: AuditOutcome | null;
  occurredAfter?: Date | null;
  occurredBefore?: Date | null;
  via?: AuditChannel | null;
  /** Only events the host product recorded through this API key or member (`submittedBy.id`). */
  submittedById?: string | null;
}

/** An action name (keyledger's own, or one the host product recorded) without the `.*` of a prefix. */
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const MAX_ACTIONS = 50;

/** True for an exact action name or a prefix ending in `.*` (`api_key.*`), as filters and important actions take them. */
export function isActionPattern(pattern: string): boolean {
  return ACTION.test(pattern.endsWith('.*') ? pattern.slice(0, -2) : pattern);
}

/** A WHERE clause with `?` placeholders, and its parameters. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * The condition matching events whose action is one of `patterns` (exact
 * names, or prefixes such as `api_key.*`); BAD_USER_INPUT naming `field` for
 * anything else.
 */
export function actionsMatch(patterns: readonly string[], field: string): SqlFragment {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const action of patterns) {
    if (!isActionPattern(action)) {
      throw new BadUserInputError(`${field}: "${action}" is not an action name or a prefix like api_key.*`, field);
    }
    if (action.endsWith('.*')) prefixes.push(action.slice(0, -2));
    else exact.push(action);
  }
  const alternatives: string[] = [];
  const params: unknown[] = [];
  if (exact.length > 0) {
    // One placeholder per name: the knex driver expands array bindings into lists.
    alternatives.push(`action IN (${exact.map(() => '?').join(', ')})`);
    params.push(...exact);
  }
  for (const prefix of prefixes) {
    // Escape LIKE wildcards: "api_key" must not match "apiXkey".
    alternatives.push(`action LIKE ? ESCAPE '\\'`);
    params.push(`${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}.%`);
  }
  return { sql: alternatives.length > 0 ? `(${alternatives.join(' OR ')})` : 'false', params };
}

/**
 * The WHERE clause selecting an account's events that match `filter` and are
 * not older than `notBefore` (the plan's retention). Validates the filter.
 */
export function auditWhere(accountId: string, filter: AuditFilter | null | undefined, notBefore?: Date): SqlFragment {
  const clauses = ['account_id = ?'];
  const params: unknown[] = [accountId];
  const add = (clause: string, ...values: unknown[]) => {
    clauses.push(clause);
    params.push(...values);
  };
  if (notBefore) add('occurred_at >= ?', notBefore);
  if (filter?.actions && filter.actions.length > 0) {
    if (filter.actions.length > MAX_ACTIONS) {
      throw new BadUserInputError(`filter.actions accepts at most ${MAX_ACTIONS} entries`, 'filter.actions');
    }
    const match = actionsMatch(filter.actions, 'filter.actions');
    add(match.sql, ...match.params);
  }
  if (filter?.actorId) add('actor_id = ?', filter.actorId);
  if (filter?.actorType) add('actor_type = ?', filter.actorType);
  if (filter?.targetId) add('target_id = ?', filter.targetId);
  if (filter?.outcome) add('outcome = ?', filter.outcome);
  if (filter?.occurredAfter) add('occurred_at >= ?', filter.occurredAfter);
  if (filter?.occurredBefore) add('occurred_at < ?', filter.occurredBefore);
  if (filter?.via) add('via = ?', filter.via);
  if (filter?.submittedById) add(`submitted_by ->> 'id' = ?`, filter.submittedById);
  return { sql: clauses.join(' AND '), params };
}

/** Rewrites `?` placeholders to PostgreSQL's `$1, $2, …` for the plain `pg` driver. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Is `event` selected by `filter`? The in-memory twin of `auditWhere`, for live delivery. */
export function matchesFilter(event: AuditEventRecord, filter: AuditFilter | null | undefined): boolean {
  if (!filter) return true;
  if (filter.actions && filter.actions.length > 0) {
    const hit = filter.actions.some((action) =>
      action.endsWith('.*') ? event.action.startsWith(action.slice(0, -1)) : event.action === action,
    );
    if (!hit) return false;
  }
  if (filter.actorId && event.actorId !== filter.actorId) return false;
  if (filter.actorType && event.actorType !== filter.actorType) return false;
  if (filter.targetId && event.targetId !== filter.targetId) return false;
  if (filter.outcome && event.outcome !== filter.outcome) return false;
  if (filter.occurredAfter && event.occurredAt < filter.occurredAfter) return false;
  if (filter.occurredBefore && event.occurredAt >= filter.occurredBefore) return false;
  if (filter.via && (event.via ?? AuditChannel.GRAPHQL) !== filter.via) return false;
  if (filter.submittedById && event.submittedBy?.id !== filter.submittedById) return false;
  return true;
}
