import 'reflect-metadata';
import { AUDIT_COLUMNS, recordFromRow, type AuditEventRecord } from '../../src/audit/audit.records';
import type { TestEnv } from './harness';

/** One audit_events row as the tests read it back with `auditRows`: the table's column names, `seq` as a number. */
export interface AuditRow {
  id: string;
  seq: number;
  occurred_at: Date;
  action: string;
  outcome: string;
  actor_type: string;
  actor_id: string | null;
  actor_display: string | null;
  actor_scopes: string[] | null;
  target_type: string | null;
  target_id: string | null;
  target_display: string | null;
  changes: unknown;
  metadata: Record<string, unknown> | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** Which of an account's audit rows `auditRows` reads. */
export interface AuditRowFilter {
  /**
   * Only the rows after this seq (see `lastAuditSeq`).
   * @default 0
   */
  afterSeq?: number;
  /** Only the rows of this action. */
  action?: string;
}

/** The account's audit rows, oldest first, with only `columns` (so that a test can compare whole rows). */
export function auditRows<C extends keyof AuditRow>(
  env: TestEnv,
  accountId: string,
  columns: readonly C[],
  { afterSeq = 0, action }: AuditRowFilter = {},
): Promise<Pick<AuditRow, C>[]> {
  const select = columns.map((column) => (column === 'seq' ? 'seq::int AS seq' : column)).join(', ');
  const byAction = action === undefined ? '' : ' AND action = $3';
  return env.sql<Pick<AuditRow, C>>(
    `SELECT ${select} FROM audit_events WHERE account_id = $1 AND seq > $2${byAction} ORDER BY seq`,
    action === undefined ? [accountId, afterSeq] : [accountId, afterSeq, action],
  );
}

/** The actions of the account's audit rows, oldest first. */
export async function auditActions(env: TestEnv, accountId: string): Promise<string[]> {
  return (await auditRows(env, accountId, ['action'])).map((row) => row.action);
}

/** The seq of the account's newest audit row, 0 when it has none: take it before an action, read what came after. */
export async function lastAuditSeq(env: TestEnv, accountId: string): Promise<number> {
  const [row] = await env.sql<{ seq: number }>(
    'SELECT coalesce(max(seq), 0)::int AS seq FROM audit_events WHERE account_id = $1',
    [accountId],
  );
  return row!.seq;
}

/** The seq the account's chain head is at (audit_chain_heads.last_seq), 0 when it has no head yet. */
export async function chainHeadSeq(env: TestEnv, accountId: string): Promise<number> {
  const [row] = await env.sql<{ last_seq: string }>('SELECT last_seq FROM audit_chain_heads WHERE account_id = $1', [
    accountId,
  ]);
  return row === undefined ? 0 : Number(row.last_seq);
}

/** The account's audit events as the service reads them (every column), oldest first. */
export async function auditRecords(env: TestEnv, accountId: string): Promise<AuditEventRecord[]> {
  const rows = await env.sql(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE account_id = $1 ORDER BY seq`, [
    accountId,
  ]);
  return rows.map(recordFromRow);
}

/**
 * Runs `[sql, params]` statements as the superuser with the append-only trigger of audit_events off, as an attacker
 * with database access would; the trigger is on again afterwards, also when a statement fails.
 */
export async function tamperAuditEvents(env: TestEnv, ...statements: [string, unknown[]][]): Promise<void> {
  await env.sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
  try {
    for (const [text, params] of statements) await env.sql(text, params);
  } finally {
    await env.sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
  }
}

/** The account's events after `afterSeq`, oldest first, as id, seq and action: what a live feed should deliver. */
export function storedEvents(
  env: TestEnv,
  accountId: string,
  afterSeq = 0,
): Promise<Pick<AuditRow, 'id' | 'seq' | 'action'>[]> {
  return auditRows(env, accountId, ['id', 'seq', 'action'], { afterSeq });
}
