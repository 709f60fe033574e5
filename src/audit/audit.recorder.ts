import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/principal';
import { ForbiddenError } from '../shared/errors';
import { storableText } from '../shared/validation';
import { GENESIS_HASH, canonicalJsonAroundSeq } from './audit-chain';
import {
  AuditActorType,
  AuditChannel,
  AuditEvent,
  AuditOutcome,
  type AuditChange,
  type AuditSubmitter,
} from './audit-event.entity';

/** Where a change came from: copied into every event it causes. */
export interface RequestMeta {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  /** The face the request came through. @default AuditChannel.GRAPHQL */
  via?: AuditChannel;
}

/** Who acts: an authenticated principal, or the system itself (CLI, jobs). */
export interface Caller {
  accountId: string;
  principal: Principal | null;
  meta: RequestMeta;
  /** Told, after commit, the events the transaction appended, in seq order (the live feed's wake-up). */
  onCommitted?: (accountId: string, events: readonly AuditEvent[]) => void;
}

export interface AuditTargetInput {
  type: string;
  id?: string | null;
  display?: string | null;
}

export interface AuditEntry {
  action: string;
  outcome?: AuditOutcome;
  target?: AuditTargetInput | null;
  changes?: AuditChange[];
  metadata?: Record<string, unknown> | null;
  /**
   * The host product's own actor of an event it records (`recordAuditEvents`).
   * When set, the caller's principal is kept as the event's `submittedBy`.
   * @default the caller's principal (keyledger's own events)
   */
  actor?: { type: AuditActorType; id: string; display: string | null } | null;
  /** When the host product says the event happened; `occurredAt` stays the time it was recorded. */
  reportedAt?: Date | null;
}

/** Appends one event to the caller's account chain within the transaction `em` belongs to. */
export type AppendAudit = (entry: AuditEntry) => Promise<AuditEvent>;

/** Appends events, in order, to the caller's account chain within the transaction `em` belongs to. */
export type AppendAuditBatch = (entries: readonly AuditEntry[]) => Promise<AuditEvent[]>;

/** One appended event as `audit_append` reports it. */
export interface AppendedRow {
  appended_seq: string | number;
  appended_prev_hash: string;
  appended_hash: string;
}

const LOCK_HEAD = 'SELECT last_seq FROM audit_chain_heads WHERE account_id = ? FOR UPDATE';
const APPEND = 'SELECT appended_seq, appended_prev_hash, appended_hash FROM audit_append(?, ?::jsonb)';

/**
 * Locks the account's chain head (creating it at seq 0 for the account's
 * first event) until the transaction ends: for a transaction that must read
 * before it appends (an idempotency check racing the same call). Pending
 * changes are flushed first, so the head lock is always the last lock a
 * transaction takes (no lock-order deadlocks).
 */
export async function lockChainHead(em: EntityManager, accountId: string): Promise<void> {
  await em.flush();
  const locked = await em.execute(LOCK_HEAD, [accountId]);
  if (locked.length > 0) return;
  // The account's first event: create its head (concurrent first writers meet at the primary key).
  await em.execute(
    'INSERT INTO audit_chain_heads (account_id, last_seq, last_hash) VALUES (?, 0, ?) ON CONFLICT DO NOTHING',
    [accountId, GENESIS_HASH],
  );
  await em.execute(LOCK_HEAD, [accountId]);
}

/**
 * Appends `entry` as the next event of the account's chain. Must run inside a
 * transaction: it locks the account's chain head until commit.
 */
export async function appendAuditEvent(em: EntityManager, caller: Caller, entry: AuditEntry): Promise<AuditEvent> {
  const [event] = await appendAuditEvents(em, caller, [entry]);
  return event!;
}

/**
 * Appends `entries`, in order, as the next events of the account's chain, in
 * one round trip: `audit_append` locks the head, numbers and hashes the
 * events, inserts them and moves the head. Must run inside a transaction;
 * pending changes are flushed first, so the head lock is the transaction's
 * last lock. The events are written with plain SQL, not through the unit of
 * work: they are never changed afterwards.
 */
export async function appendAuditEvents(
  em: EntityManager,
  caller: Caller,
  entries: readonly AuditEntry[],
): Promise<AuditEvent[]> {
  if (entries.length === 0) return [];
  await em.flush();
  const prepared = prepareAuditEvents(caller, entries);
  const rows = await em.execute<AppendedRow[]>(APPEND, [caller.accountId, prepared.json]);
  return appendedEvents(prepared.events, rows);
}

/** Events ready to append: built but not numbered, and the JSON `audit_append` takes. */
export interface PreparedAuditEvents {
  events: AuditEvent[];
  /** The rows (snake_case columns), each with its event's canonical JSON cut around the seq (`hash_prefix`, `hash_suffix`). */
  json: string;
}

/** Builds the caller's events for `entries`: everything but the seq and the hashes, which `audit_append` sets. */
export function prepareAuditEvents(caller: Caller, entries: readonly AuditEntry[]): PreparedAuditEvents {
  const occurredAt = new Date();
  const principalActor = storableJson(actorColumns(caller.principal));
  const submitter = submitterOf(caller.principal);
  const events: AuditEvent[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const entry of entries) {
    const event = new AuditEvent();
    event.accountId = caller.accountId;
    event.seq = 0;
    event.occurredAt = occurredAt;
    // Every text is hashed in the form PostgreSQL stores it, whatever a caller passed.
    event.action = storableText(entry.action);
    event.outcome = entry.outcome ?? AuditOutcome.SUCCESS;
    if (entry.actor) {
      event.actorType = entry.actor.type;
      event.actorId = storableText(entry.actor.id);
      event.actorDisplay = storableOrNull(entry.actor.display);
      event.actorScopes = null;
      event.submittedBy = submitter;
      event.reportedAt = entry.reportedAt ?? null;
    } else {
      Object.assign(event, principalActor);
    }
    event.targetType = storableOrNull(entry.target?.type);
    event.targetId = storableOrNull(entry.target?.id);
    event.targetDisplay = storableOrNull(entry.target?.display);
    event.changes = storableJson(entry.changes ?? []);
    event.metadata = storableJson(entry.metadata ?? null);
    event.ip = storableOrNull(caller.meta.ip);
    event.userAgent = storableOrNull(caller.meta.userAgent);
    event.requestId = storableOrNull(caller.meta.requestId);
    event.via = caller.meta.via ?? AuditChannel.GRAPHQL;
    const { prefix, suffix } = canonicalJsonAroundSeq(event);
    // A key left out is a NULL column (a JSON null would be jsonb 'null' in metadata and submitted_by).
    rows.push({
      id: event.id,
      occurred_at: event.occurredAt.toISOString(),
      action: event.action,
      outcome: event.outcome,
      actor_type: event.actorType,
      actor_id: event.actorId ?? undefined,
      actor_display: event.actorDisplay ?? undefined,
      actor_scopes: event.actorScopes ?? undefined,
      target_type: event.targetType ?? undefined,
      target_id: event.targetId ?? undefined,
      target_display: event.targetDisplay ?? undefined,
      changes: event.changes,
      metadata: event.metadata ?? undefined,
      ip: event.ip ?? undefined,
      user_agent: event.userAgent ?? undefined,
      request_id: event.requestId ?? undefined,
      via: event.via,
      reported_at: event.reportedAt?.toISOString(),
      submitted_by: event.submittedBy ?? undefined,
      hash_prefix: prefix,
      hash_suffix: suffix,
    });
    events.push(event);
  }
  return { events, json: JSON.stringify(rows) };
}

/** `events` numbered and hashed as `audit_append` reported them (one row per event, in order). */
export function appendedEvents(events: AuditEvent[], rows: readonly AppendedRow[]): AuditEvent[] {
  if (rows.length !== events.length) throw new Error(`audit_append appended ${rows.length} of ${events.length} events`);
  events.forEach((event, i) => {
    const row = rows[i]!;
    event.seq = Number(row.appended_seq);
    event.prevHash = row.appended_prev_hash;
    event.hash = row.appended_hash;
  });
  return events;
}

function storableOrNull(text: string | null | undefined): string | null {
  return text === undefined || text === null ? null : storableText(text);
}

/** `value` with every string (and object key) in the form PostgreSQL stores it; other values as they are. */
function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storableJson(item)])) as T;
  }
  return value;
}

/** The principal that submitted a host product's event, as stored in `submitted_by`; null for the system. */
function submitterOf(principal: Principal | null): AuditSubmitter | null {
  if (!principal) return null;
  const actor = storableJson(actorColumns(principal));
  return {
    type: principal.kind === 'user' ? AuditActorType.USER : AuditActorType.API_KEY,
    id: actor.actorId!,
    display: actor.actorDisplay,
    scopes: actor.actorScopes,
  };
}

function actorColumns(
  principal: Principal | null,
): Pick<AuditEvent, 'actorType' | 'actorId' | 'actorDisplay' | 'actorScopes'> {
  if (!principal) return { actorType: AuditActorType.SYSTEM, actorId: null, actorDisplay: 'system', actorScopes: null };
  if (principal.kind === 'user') {
    return {
      actorType: AuditActorType.USER,
      actorId: principal.userId,
      actorDisplay: principal.email,
      actorScopes: null,
    };
  }
  return {
    actorType: AuditActorType.API_KEY,
    actorId: principal.keyId,
    actorDisplay: principal.displayKey,
    actorScopes: [...principal.scopes],
  };
}

/**
 * Runs one mutation as one transaction with its audit event(s): `work`
 * receives the transactional EntityManager and `audit` (one event) and
 * `auditBatch` (many, one head lock and one INSERT) functions bound to it, so the change and its event commit or roll back together. A FORBIDDEN
 * refusal that names an attempt is recorded afterwards, in its own
 * transaction, as `outcome: DENIED`.
 */
export async function auditedTransaction<T>(
  em: EntityManager,
  caller: Caller,
  work: (tx: EntityManager, audit: AppendAudit, auditBatch: AppendAuditBatch) => Promise<T>,
): Promise<T> {
  return recordingDenials(em, caller, async () => {
    const appended: AuditEvent[] = [];
    const result = await em.fork().transactional(async (tx) =>
      work(
        tx,
        async (entry) => {
          const event = await appendAuditEvent(tx, caller, entry);
          appended.push(event);
          return event;
        },
        async (entries) => {
          const events = await appendAuditEvents(tx, caller, entries);
          appended.push(...events);
          return events;
        },
      ),
    );
    if (appended.length > 0) caller.onCommitted?.(caller.accountId, appended);
    return result;
  });
}

/**
 * Runs `change`, a mutation that writes its audit events itself (in its
 * transaction, or in its one statement with `audit_append`); a FORBIDDEN
 * refusal that names an attempt is recorded afterwards, in its own
 * transaction, as `outcome: DENIED`.
 */
export async function recordingDenials<T>(em: EntityManager, caller: Caller, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof ForbiddenError && error.attempt && caller.principal) {
      const attempt = error.attempt;
      const denied = await em.fork().transactional((tx) =>
        appendAuditEvent(tx, caller, {
          action: attempt.action,
          outcome: AuditOutcome.DENIED,
          target: attempt.target ?? null,
          metadata: { reason: error.message },
        }),
      );
      caller.onCommitted?.(caller.accountId, [denied]);
    }
    throw error;
  }
}
