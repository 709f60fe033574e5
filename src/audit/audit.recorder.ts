import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/principal';
import { ForbiddenError } from '../shared/errors';
import { storableText } from '../shared/validation';
import { GENESIS_HASH, computeEventHash } from './audit-chain';
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

/**
 * Appends events, in order, to the caller's account chain within the transaction `em` belongs to;
 * `head` when the transaction already locked it ({@link lockChainHead}).
 */
export type AppendAuditBatch = (entries: readonly AuditEntry[], head?: LockedChainHead) => Promise<AuditEvent[]>;

/** An account's chain head, locked FOR UPDATE by {@link lockChainHead} until the transaction ends. */
export interface LockedChainHead {
  accountId: string;
  lastSeq: number;
  lastHash: string;
}

const LOCK_HEAD = 'SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = ? FOR UPDATE';

const EVENT_COLUMNS = `id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display, actor_scopes,
  target_type, target_id, target_display, changes, metadata, ip, user_agent, request_id, prev_hash, hash, via,
  reported_at, submitted_by`;
const EVENT_VALUES =
  '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)';

/**
 * The events' rows and the head's move to the newest, in one statement (one
 * round trip while the head is locked, whatever the number of events).
 */
function appendStatement(count: number): string {
  return `
  WITH appended AS (
    INSERT INTO audit_events (${EVENT_COLUMNS})
    VALUES ${Array.from({ length: count }, () => EVENT_VALUES).join(',\n           ')}
  )
  UPDATE audit_chain_heads SET last_seq = ?, last_hash = ? WHERE account_id = ?`;
}

/** A PostgreSQL array literal of texts (bound as one parameter: the query builder would expand a JS array). */
function textArrayLiteral(values: readonly string[] | null): string | null {
  if (values === null) return null;
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Locks the account's chain head (creating it at seq 0 for the account's first
 * event) until the transaction ends, so concurrent writers of one account form
 * one linear chain while other accounts proceed. Pending changes are flushed
 * first, so the head lock is always the last lock a transaction takes (no
 * lock-order deadlocks).
 */
export async function lockChainHead(em: EntityManager, accountId: string): Promise<LockedChainHead> {
  await em.flush();
  type HeadRow = { last_seq: string | number; last_hash: string };
  let [head] = await em.execute<HeadRow[]>(LOCK_HEAD, [accountId]);
  if (!head) {
    // The account's first event: create its head (concurrent first writers meet at the primary key).
    await em.execute(
      'INSERT INTO audit_chain_heads (account_id, last_seq, last_hash) VALUES (?, 0, ?) ON CONFLICT DO NOTHING',
      [accountId, GENESIS_HASH],
    );
    [head] = await em.execute<HeadRow[]>(LOCK_HEAD, [accountId]);
  }
  return { accountId, lastSeq: Number(head!.last_seq), lastHash: head!.last_hash };
}

/**
 * Appends `entry` as the next event of the account's chain. Must run inside a
 * transaction: it locks the account's chain head until commit (see
 * {@link lockChainHead}). The event is written with plain SQL, not through the
 * unit of work: it is never changed afterwards.
 */
export async function appendAuditEvent(em: EntityManager, caller: Caller, entry: AuditEntry): Promise<AuditEvent> {
  const [event] = await appendAuditEvents(em, caller, [entry]);
  return event!;
}

/**
 * Appends `entries`, in order, as the next events of the account's chain: one
 * head lock (or `head`, already locked by the caller's transaction) and one
 * multi-row INSERT for all of them. Must run inside a transaction.
 */
export async function appendAuditEvents(
  em: EntityManager,
  caller: Caller,
  entries: readonly AuditEntry[],
  head?: LockedChainHead,
): Promise<AuditEvent[]> {
  if (entries.length === 0) return [];
  const locked = head ?? (await lockChainHead(em, caller.accountId));
  const occurredAt = new Date();
  const principalActor = storableJson(actorColumns(caller.principal));
  const submitter = submitterOf(caller.principal);
  const events: AuditEvent[] = [];
  const params: unknown[] = [];
  let prevHash = locked.lastHash;
  let seq = locked.lastSeq;
  for (const entry of entries) {
    const event = new AuditEvent();
    event.accountId = caller.accountId;
    event.seq = ++seq;
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
    event.prevHash = prevHash;
    event.hash = computeEventHash(event.prevHash, event);
    prevHash = event.hash;
    params.push(
      event.id,
      event.accountId,
      event.seq,
      event.occurredAt,
      event.action,
      event.outcome,
      event.actorType,
      event.actorId,
      event.actorDisplay,
      textArrayLiteral(event.actorScopes),
      event.targetType,
      event.targetId,
      event.targetDisplay,
      JSON.stringify(event.changes),
      event.metadata === null ? null : JSON.stringify(event.metadata),
      event.ip,
      event.userAgent,
      event.requestId,
      event.prevHash,
      event.hash,
      event.via,
      event.reportedAt,
      event.submittedBy === null ? null : JSON.stringify(event.submittedBy),
    );
    events.push(event);
  }
  params.push(seq, prevHash, caller.accountId);
  await em.execute(appendStatement(events.length), params);
  // The caller's transaction still holds the head: a later append in it continues from here.
  locked.lastSeq = seq;
  locked.lastHash = prevHash;
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
  let appended: AuditEvent[] = [];
  const append = async (tx: EntityManager, entry: AuditEntry) => {
    const event = await appendAuditEvent(tx, caller, entry);
    appended.push(event);
    return event;
  };
  const appendBatch = async (tx: EntityManager, entries: readonly AuditEntry[], head?: LockedChainHead) => {
    const events = await appendAuditEvents(tx, caller, entries, head);
    appended.push(...events);
    return events;
  };
  try {
    const result = await em.fork().transactional((tx) =>
      work(
        tx,
        (entry) => append(tx, entry),
        (entries, head) => appendBatch(tx, entries, head),
      ),
    );
    if (appended.length > 0) caller.onCommitted?.(caller.accountId, appended);
    return result;
  } catch (error) {
    if (error instanceof ForbiddenError && error.attempt && caller.principal) {
      const attempt = error.attempt;
      appended = [];
      await em.fork().transactional((tx) =>
        append(tx, {
          action: attempt.action,
          outcome: AuditOutcome.DENIED,
          target: attempt.target ?? null,
          metadata: { reason: error.message },
        }),
      );
      if (appended.length > 0) caller.onCommitted?.(caller.accountId, appended);
    }
    throw error;
  }
}
