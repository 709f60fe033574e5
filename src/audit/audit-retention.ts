import type { EntityManager } from '@mikro-orm/postgresql';
import { PLAN_ENTITLEMENTS, type Plan } from '../entitlements/plans';

const DAY_MS = 86_400_000;

/** Plans without audit visibility still keep history (an upgrade shows it) for the longest retention any plan has. */
export const MAX_RETENTION_DAYS = Math.max(
  ...Object.values(PLAN_ENTITLEMENTS).map((entitlements) => entitlements.auditRetentionDays ?? 0),
);

export interface PurgeResult {
  accounts: number;
  deleted: number;
}

/**
 * Deletes each account's events older than its plan's retention, through the
 * one privileged path (`purge_audit_events`), which records a checkpoint (last
 * purged seq and hash) so verification still starts from a trusted hash.
 */
export async function purgeExpiredAuditEvents(
  em: EntityManager,
  accountId?: string,
  now = new Date(),
): Promise<PurgeResult> {
  const connection = em.getConnection();
  const accounts = await connection.execute<{ id: string; plan: Plan }[]>(
    accountId ? 'SELECT id, plan FROM accounts WHERE id = ?' : 'SELECT id, plan FROM accounts',
    accountId ? [accountId] : [],
  );
  let deleted = 0;
  for (const account of accounts) {
    const days = PLAN_ENTITLEMENTS[account.plan].auditRetentionDays ?? MAX_RETENTION_DAYS;
    const [row] = await connection.execute<{ deleted: string }[]>('SELECT purge_audit_events(?, ?) AS deleted', [
      account.id,
      new Date(now.getTime() - days * DAY_MS),
    ]);
    deleted += Number(row?.deleted ?? 0);
  }
  return { accounts: accounts.length, deleted };
}
