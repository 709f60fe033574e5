import type { AuditActorType, AuditEventFilter, AuditOutcome } from '../gql/graphql';

const DAY_MS = 86_400_000;

/** The audit page's filters as the URL query keeps them (`?action=api_key.*&outcome=DENIED&from=…`). */
export interface AuditFilters {
  /** An action name or a prefix ending in `.*`. */
  action?: string;
  actor?: string;
  actorType?: AuditActorType;
  target?: string;
  outcome?: AuditOutcome;
  /** ISO instants. */
  from?: string;
  to?: string;
}

const ACTOR_TYPES: readonly AuditActorType[] = ['USER', 'API_KEY', 'SYSTEM'];
const OUTCOMES: readonly AuditOutcome[] = ['SUCCESS', 'DENIED'];

function instant(value: string | null): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Reads the filters from a query string, dropping anything malformed. */
export function readFilters(search: string): AuditFilters {
  const query = new URLSearchParams(search);
  const text = (name: string) => query.get(name)?.trim() || undefined;
  const actorType = query.get('actorType') as AuditActorType | null;
  const outcome = query.get('outcome') as AuditOutcome | null;
  return {
    action: text('action'),
    actor: text('actor'),
    actorType: actorType && ACTOR_TYPES.includes(actorType) ? actorType : undefined,
    target: text('target'),
    outcome: outcome && OUTCOMES.includes(outcome) ? outcome : undefined,
    from: instant(query.get('from')),
    to: instant(query.get('to')),
  };
}

/** The query string of some filters (empty ones left out), to share or reload. */
export function writeFilters(filters: AuditFilters): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** What the API is asked, and whether the time range was clamped to what the plan keeps. */
export interface ClampedFilter {
  filter: AuditEventFilter;
  /** Set when `from` was earlier than the plan's retention allows: the instant it was moved to. */
  clampedFrom?: string;
}

/** The API filter for the page's filters, `from` clamped to the plan's `retentionDays`. */
export function toApiFilter(filters: AuditFilters, retentionDays: number | null, now = Date.now()): ClampedFilter {
  let occurredAfter = filters.from;
  let clampedFrom: string | undefined;
  if (retentionDays !== null) {
    const earliest = new Date(now - retentionDays * DAY_MS).toISOString();
    if (occurredAfter && occurredAfter < earliest) {
      occurredAfter = earliest;
      clampedFrom = earliest;
    }
  }
  const filter: AuditEventFilter = {};
  if (filters.action) filter.actions = [filters.action];
  if (filters.actor) filter.actorId = filters.actor;
  if (filters.actorType) filter.actorType = filters.actorType;
  if (filters.target) filter.targetId = filters.target;
  if (filters.outcome) filter.outcome = filters.outcome;
  if (occurredAfter) filter.occurredAfter = occurredAfter;
  if (filters.to) filter.occurredBefore = filters.to;
  return { filter, clampedFrom };
}

/** The live feed's filter: the same events, without the time range (new events are past any `from`). */
export function liveFilter(filter: AuditEventFilter): AuditEventFilter {
  const { occurredAfter: _after, occurredBefore: _before, ...rest } = filter;
  return rest;
}
