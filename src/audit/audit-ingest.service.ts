import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import { BadUserInputError } from '../shared/errors';
import { optionalText, requireText } from '../shared/validation';
import { AuditOutcome, type AuditActorType, type AuditChange } from './audit-event.entity';
import { auditedTransaction, lockChainHead, type AuditEntry, type Caller } from './audit.recorder';

/** Most events one `recordAuditEvents` call takes. */
export const MAX_INGESTED_EVENTS = 500;
/** Largest `metadata` (and `changes`) of one event, in UTF-8 bytes of its JSON. */
export const MAX_INGESTED_JSON_BYTES = 8 * 1024;
/** How far in the future a host product's `occurredAt` may lie (clock skew). */
export const MAX_REPORTED_SKEW_MS = 5 * 60_000;
/** Most `changes` entries of one event. */
export const MAX_INGESTED_CHANGES = 50;

/**
 * Action prefixes that are keyledger's own: a host product cannot record an
 * event that reads as one of keyledger's (`api_key.revoked`, `audit.viewed`, …).
 */
export const RESERVED_ACTION_PREFIXES: readonly string[] = [
  'account.',
  'api_key.',
  'audit.',
  'member.',
  'plan.',
  'session.',
  'settings.',
];

/** The action of a refused (FORBIDDEN) `recordAuditEvents`; a successful call records only the host's events. */
export const EVENTS_RECORDED_ACTION = 'audit.events_recorded';

const INGESTED_ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const TARGET_TYPE = /^[a-z][a-z0-9_]*$/;
const ACTION_MAX = 100;
const TYPE_MAX = 64;
const ID_MAX = 255;
const DISPLAY_MAX = 200;
const FIELD_MAX = 100;
const IDEMPOTENCY_WINDOW = '24 hours';
const OPERATION = 'recordAuditEvents';

/** One event as the host product sends it. */
export interface IngestedEventData {
  action: string;
  actor: { type: AuditActorType; id: string; display?: string | null };
  target: { type: string; id?: string | null; display?: string | null };
  /** When the host product says it happened; kept as `reportedAt`. */
  occurredAt: Date;
  changes?: { field: string; before?: unknown; after?: unknown }[] | null;
  metadata?: unknown;
  outcome?: AuditOutcome | null;
}

export interface RecordAuditEventsData {
  events: readonly IngestedEventData[];
  /** A retry with the same key (same account, within 24 h) answers the first call's events and records nothing. */
  idempotencyKey?: string | null;
}

/** One event a call recorded: where it sits in the chain. */
export interface RecordedEvent {
  id: string;
  seq: number;
  action: string;
  /** keyledger's time (the chain's `occurredAt`). */
  occurredAt: Date;
  /** The host product's time. */
  reportedAt: Date | null;
}

export interface RecordedEvents {
  events: RecordedEvent[];
  /** True when this answers a repeated idempotency key with the first call's events. */
  replayed: boolean;
}

type AuthenticatedCaller = Caller & { principal: Principal };

/**
 * Events from the rest of the product: the host records its own actions into
 * the account's hash chain, as WorkOS Audit Logs and Retraced take them.
 */
export class AuditIngestService {
  /**
   * Records `events` in the given order as consecutive events of the
   * account's chain, all or none, in one transaction (one chain-head lock, one
   * multi-row INSERT), and hands them to the live feed after commit. Needs
   * audit:write (OWNER/ADMIN, or a key with AUDIT_WRITE); works on every plan.
   * A bad event refuses the whole call with BAD_USER_INPUT naming it
   * (`events[3].action`).
   */
  async record(em: EntityManager, caller: AuthenticatedCaller, data: RecordAuditEventsData): Promise<RecordedEvents> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, _audit, auditBatch) => {
      assertPermission(principal, ApiKeyScope.AUDIT_WRITE, {
        action: EVENTS_RECORDED_ACTION,
        target: { type: 'audit_log', id: principal.accountId },
      });
      const entries = ingestedEntries(data.events, new Date());
      const idempotencyKey = optionalText(data.idempotencyKey, 'idempotencyKey', 255);
      // The head lock serialises calls of one account: a retry racing its first call sees it here.
      await lockChainHead(tx, principal.accountId);
      if (idempotencyKey) {
        const earlier = await this.earlierResult(tx, principal.accountId, idempotencyKey);
        if (earlier) return { events: earlier, replayed: true };
      }
      const events = await auditBatch(entries);
      if (idempotencyKey) {
        await tx.execute(
          `INSERT INTO idempotency_keys (account_id, operation, key, resource_id, resource_count) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (account_id, operation, key)
           DO UPDATE SET resource_id = excluded.resource_id, resource_count = excluded.resource_count, created_at = now()`,
          [principal.accountId, OPERATION, idempotencyKey, events[0]!.id, events.length],
        );
      }
      return { events: events.map(recordedOf), replayed: false };
    });
  }

  /** The events a call with `key` recorded within the idempotency window, or null. */
  private async earlierResult(tx: EntityManager, accountId: string, key: string): Promise<RecordedEvent[] | null> {
    const [earlier] = await tx.execute<{ resource_id: string; resource_count: number | null }[]>(
      `SELECT resource_id, resource_count FROM idempotency_keys
        WHERE account_id = ? AND operation = ? AND key = ? AND created_at > now() - interval '${IDEMPOTENCY_WINDOW}'`,
      [accountId, OPERATION, key],
    );
    if (!earlier) return null;
    const rows = await tx.execute<
      { id: string; seq: string | number; action: string; occurred_at: Date; reported_at: Date | null }[]
    >(
      `SELECT id, seq, action, occurred_at, reported_at FROM audit_events
        WHERE account_id = ? AND seq >= (SELECT seq FROM audit_events WHERE account_id = ? AND id = ?)
        ORDER BY seq LIMIT ?`,
      [accountId, accountId, earlier.resource_id, earlier.resource_count ?? 1],
    );
    if (rows.length === 0) return null;
    return rows.map((row) => ({
      id: row.id,
      seq: Number(row.seq),
      action: row.action,
      occurredAt: new Date(row.occurred_at),
      reportedAt: row.reported_at === null ? null : new Date(row.reported_at),
    }));
  }
}

function recordedOf(event: RecordedEvent): RecordedEvent {
  return {
    id: event.id,
    seq: event.seq,
    action: event.action,
    occurredAt: event.occurredAt,
    reportedAt: event.reportedAt,
  };
}

/**
 * The recorder's entries for a call's events, every one checked first: the
 * first bad one refuses the call with BAD_USER_INPUT naming its index and
 * field (`events[3].action`), before anything is written.
 */
export function ingestedEntries(events: readonly IngestedEventData[], now: Date): AuditEntry[] {
  if (events.length === 0 || events.length > MAX_INGESTED_EVENTS) {
    throw new BadUserInputError(
      `events must hold 1 to ${MAX_INGESTED_EVENTS} events (it holds ${events.length})`,
      'events',
    );
  }
  return events.map((event, index) => ingestedEntry(event, `events[${index}]`, now));
}

function ingestedEntry(event: IngestedEventData, at: string, now: Date): AuditEntry {
  const action = event.action;
  if (action.length > ACTION_MAX || !INGESTED_ACTION.test(action)) {
    throw new BadUserInputError(
      `${at}.action must be a dotted lower-case name such as invoice.paid (at most ${ACTION_MAX} characters, pattern ^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$)`,
      `${at}.action`,
    );
  }
  const reserved = RESERVED_ACTION_PREFIXES.find((prefix) => action.startsWith(prefix));
  if (reserved) {
    throw new BadUserInputError(
      `${at}.action: actions starting with "${reserved}" are keyledger's own and cannot be recorded (reserved: ${RESERVED_ACTION_PREFIXES.join(' ')})`,
      `${at}.action`,
    );
  }
  const actor = {
    type: event.actor.type,
    id: requireText(event.actor.id, `${at}.actor.id`, ID_MAX),
    display: optionalText(event.actor.display, `${at}.actor.display`, DISPLAY_MAX),
  };
  const targetType = event.target.type;
  if (targetType.length > TYPE_MAX || !TARGET_TYPE.test(targetType)) {
    throw new BadUserInputError(
      `${at}.target.type must be a lower-case word such as invoice_settings (at most ${TYPE_MAX} characters, pattern ^[a-z][a-z0-9_]*$)`,
      `${at}.target.type`,
    );
  }
  const target = {
    type: targetType,
    id: optionalText(event.target.id, `${at}.target.id`, ID_MAX),
    display: optionalText(event.target.display, `${at}.target.display`, DISPLAY_MAX),
  };
  const reportedAt = event.occurredAt;
  if (Number.isNaN(reportedAt.getTime())) {
    throw new BadUserInputError(`${at}.occurredAt must be a date-time`, `${at}.occurredAt`);
  }
  if (reportedAt.getTime() > now.getTime() + MAX_REPORTED_SKEW_MS) {
    throw new BadUserInputError(
      `${at}.occurredAt lies more than ${MAX_REPORTED_SKEW_MS / 60_000} minutes in the future`,
      `${at}.occurredAt`,
    );
  }
  return {
    action,
    outcome: event.outcome ?? AuditOutcome.SUCCESS,
    actor,
    target,
    reportedAt,
    changes: ingestedChanges(event.changes, at),
    metadata: ingestedMetadata(event.metadata, at),
  };
}

function ingestedChanges(changes: IngestedEventData['changes'], at: string): AuditChange[] {
  if (!changes) return [];
  if (changes.length > MAX_INGESTED_CHANGES) {
    throw new BadUserInputError(`${at}.changes holds at most ${MAX_INGESTED_CHANGES} entries`, `${at}.changes`);
  }
  const checked = changes.map((change, index) => ({
    field: requireText(change.field, `${at}.changes[${index}].field`, FIELD_MAX),
    before: change.before ?? null,
    after: change.after ?? null,
  }));
  assertJsonSize(checked, `${at}.changes`);
  return checked;
}

function ingestedMetadata(metadata: unknown, at: string): Record<string, unknown> | null {
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new BadUserInputError(`${at}.metadata must be a JSON object`, `${at}.metadata`);
  }
  assertJsonSize(metadata, `${at}.metadata`);
  return metadata as Record<string, unknown>;
}

function assertJsonSize(value: unknown, field: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_INGESTED_JSON_BYTES) {
    throw new BadUserInputError(
      `${field} must be at most ${MAX_INGESTED_JSON_BYTES} bytes of JSON (it is ${bytes})`,
      field,
    );
  }
}
