import type { EntityManager } from '@mikro-orm/postgresql';

export interface PurgeResult {
  accounts: number;
  deleted: number;
}

/**
 * Deletes each account's events older than its plan keeps (or, for 30 days
 * after a plan change, what the previous plan kept when that was longer)
 * through the one privileged path, `purge_audit_events(account)`: the
 * database works out the cut-off itself, deletes, and records a checkpoint
 * (last purged seq and hash) so verification still starts from a trusted hash.
 */
export async function purgeExpiredAuditEvents(em: EntityManager, accountId?: string): Promise<PurgeResult> {
  const connection = em.getConnection();
  const accounts = await connection.execute<{ id: string }[]>(
    accountId ? 'SELECT id FROM accounts WHERE id = ?' : 'SELECT id FROM accounts',
    accountId ? [accountId] : [],
  );
  let deleted = 0;
  for (const account of accounts) {
    const [row] = await connection.execute<{ deleted: string }[]>('SELECT purge_audit_events(?) AS deleted', [
      account.id,
    ]);
    deleted += Number(row?.deleted ?? 0);
  }
  return { accounts: accounts.length, deleted };
}
