import { createHash } from 'node:crypto';
import { AuditChannel } from './audit-event.entity';
import type { AuditEventRecord } from './audit.records';

/** `prevHash` of an account's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  return value;
}

/**
 * The hashed content of an event: every stored field except the hashes.
 * `occurredAt` is written at millisecond precision, which PostgreSQL keeps
 * exactly, so a row read back hashes to the same value. `via` is covered only
 * when it is not GRAPHQL: events written before the channel existed (all
 * GRAPHQL) keep their hashes, and changing a channel either way still breaks
 * the event's hash. The same holds for `reportedAt` and `submittedBy`, set
 * only on events the host product recorded (`recordAuditEvents`): covered
 * when set, so keyledger's own events (and every older one) hash as before.
 */
export function hashedContent(event: AuditEventRecord): Record<string, unknown> {
  return {
    id: event.id,
    accountId: event.accountId,
    seq: Number(event.seq),
    occurredAt: event.occurredAt.toISOString(),
    action: event.action,
    outcome: event.outcome,
    actor: { type: event.actorType, id: event.actorId, display: event.actorDisplay, scopes: event.actorScopes },
    target: { type: event.targetType, id: event.targetId, display: event.targetDisplay },
    changes: event.changes,
    metadata: event.metadata,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    ...(event.via && event.via !== AuditChannel.GRAPHQL ? { via: event.via } : {}),
    ...(event.reportedAt ? { reportedAt: event.reportedAt.toISOString() } : {}),
    ...(event.submittedBy ? { submittedBy: event.submittedBy } : {}),
  };
}

/**
 * The canonical JSON of an event cut around its seq: `prefix ‖ seq ‖ suffix`
 * is `canonicalJson(hashedContent(event))` for whatever seq the event gets.
 * The append hands the two halves to PostgreSQL, which learns the seq and
 * the previous hash only when it locks the chain head, and computes
 * `sha256(prevHash ‖ prefix ‖ seq ‖ suffix)` there: the same hash as
 * {@link computeEventHash}.
 */
export function canonicalJsonAroundSeq(event: AuditEventRecord): { prefix: string; suffix: string } {
  const content = hashedContent(event);
  const before: string[] = [];
  const after: string[] = [];
  for (const key of Object.keys(content).sort()) {
    const value = content[key];
    if (key === 'seq' || value === undefined) continue;
    (key < 'seq' ? before : after).push(`${JSON.stringify(key)}:${canonicalJson(value)}`);
  }
  return {
    prefix: `{${before.map((member) => `${member},`).join('')}"seq":`,
    suffix: `${after.map((member) => `,${member}`).join('')}}`,
  };
}

/** `sha256(prevHash ‖ canonical JSON of the event)`, hex. */
export function computeEventHash(prevHash: string, event: AuditEventRecord): string {
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson(hashedContent(event)))
    .digest('hex');
}
