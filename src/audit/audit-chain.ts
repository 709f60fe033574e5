import { createHash } from 'node:crypto';
import { AuditChannel } from './audit-event.entity';
import type { AuditEventRecord } from './audit.records';

/** `prevHash` of an account's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every depth, so equal content always hashes equally:
 * `JSON.stringify` of the value with every object's keys sorted (UTF-16 order), a `Date`
 * as its ISO string and `undefined` members left out. Written out in one pass for plain
 * data (what events hold); anything else (an object with its own `toJSON`, a class
 * instance, a function) goes through the sorted copy, so the text is the same either way.
 */
export function canonicalJson(value: unknown): string {
  return writeCanonical(value) ?? JSON.stringify(sortKeys(value));
}

/** The canonical text of plain data, or undefined where `JSON.stringify` would write no value. */
function writeCanonical(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      return JSON.stringify(sortKeys(value));
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += writeCanonical(value[i]) ?? 'null';
    }
    return `${out}]`;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const prototype = Object.getPrototypeOf(value) as unknown;
  if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in value) {
    return JSON.stringify(sortKeys(value));
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of memberOrder(Object.keys(record).sort())) {
    const member = record[key];
    // The sorted copy assigns `__proto__` as a prototype, not a member: it never reached a hash.
    if (member === undefined || key === '__proto__') continue;
    const text = writeCanonical(member);
    if (text === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${text}`;
  }
  return `${out}}`;
}

/**
 * Sorted keys in the order an object built by inserting them sorted enumerates them (the order
 * the sorted copy is stringified in): array-index keys ("0", "9", "10") first, in numeric order.
 */
function memberOrder(sorted: string[]): string[] {
  if (!sorted.some(isArrayIndex)) return sorted;
  const indexes = sorted.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...indexes, ...sorted.filter((key) => !isArrayIndex(key))];
}

function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
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
