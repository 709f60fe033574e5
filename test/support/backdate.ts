import { computeEventHash } from '../../src/audit/audit-chain';
import { auditRecords, tamperAuditEvents } from './audit';
import type { TestEnv } from './harness';

const DAY_MS = 86_400_000;

/**
 * Moves the account's events `seq -> days` that many days into the past and re-chains every event (new hashes,
 * the chain head onto the newest), as the superuser: the log then verifies as if it had been written back then.
 * Keep the ages decreasing with seq, as real events are.
 */
export async function backdateAuditEvents(
  env: TestEnv,
  accountId: string,
  daysAgo: Record<number, number>,
): Promise<void> {
  const now = Date.now();
  const statements: [string, unknown[]][] = [];
  let prevHash: string | undefined;
  for (const event of await auditRecords(env, accountId)) {
    const days = daysAgo[event.seq];
    const moved = {
      ...event,
      occurredAt: days === undefined ? event.occurredAt : new Date(now - days * DAY_MS),
      prevHash: prevHash ?? event.prevHash,
    };
    prevHash = computeEventHash(moved.prevHash, moved);
    statements.push([
      'UPDATE audit_events SET occurred_at = $1, prev_hash = $2, hash = $3 WHERE account_id = $4 AND seq = $5',
      [moved.occurredAt, moved.prevHash, prevHash, accountId, event.seq],
    ]);
  }
  await tamperAuditEvents(env, ...statements);
  if (prevHash !== undefined) {
    await env.sql('UPDATE audit_chain_heads SET last_hash = $1 WHERE account_id = $2', [prevHash, accountId]);
  }
}
