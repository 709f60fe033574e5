import { escapeLiteral } from 'pg';
import { ApiKeyScope, scopeNames } from '../auth/permissions';
import type { SqlFragment } from './audit.records';

/*
 * SQL for exports: PostgreSQL formats the values as the GraphQL API and the
 * exports always showed them (`toISOString()` timestamps, scopes as `scopeNames`
 * spells them, JSON as `JSON.stringify` prints it).
 */

/** A timestamptz column as `Date.prototype.toISOString()` prints it (milliseconds truncated, UTC); NULL stays NULL. */
function isoText(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** `occurred_at` as `Date.prototype.toISOString()` prints it (milliseconds truncated, UTC). */
export const OCCURRED_AT = isoText('occurred_at');

/** `reported_at` (host-recorded events only) like `OCCURRED_AT`; NULL for keyledger's own events. */
export const REPORTED_AT = isoText('reported_at');

/** A text[] expression with each stored scope replaced by its GraphQL name, as `scopeNames` does. */
function scopeNamesOf(array: string): string {
  return Object.values(ApiKeyScope).reduce(
    (sql, scope) => `array_replace(${sql}, ${escapeLiteral(scope)}, ${escapeLiteral(scopeNames([scope])[0]!)})`,
    array,
  );
}

/** `actor_scopes` with each stored scope replaced by its GraphQL name, as `scopeNames` does. */
export const SCOPE_NAMES = scopeNamesOf('actor_scopes');

/** The scopes of `submitted_by` (a submitting API key's) by their GraphQL names; NULL when it has none. */
export const SUBMITTER_SCOPE_NAMES = `CASE WHEN jsonb_typeof(submitted_by -> 'scopes') = 'array'
  THEN ${scopeNamesOf(`ARRAY(SELECT jsonb_array_elements_text(submitted_by -> 'scopes'))`)} END`;

/** A text expression as a JSON value: a string (escaped by PostgreSQL), or null. */
export const jsonText = (expression: string) => `COALESCE(to_json(${expression})::text, 'null')`;

/**
 * `where` with its `?` placeholders replaced by quoted literals: COPY takes no
 * bind parameters. Strings go through pg's `escapeLiteral` (quotes doubled; with
 * a backslash, an E'' literal with backslashes doubled), dates become ISO
 * timestamptz literals; anything else is refused. The fragment's SQL is the
 * service's own (`auditWhere`); only the values come from users.
 */
function inlineParams(where: SqlFragment): string {
  let next = 0;
  const sql = where.sql.replace(/\?/g, () => sqlLiteral(where.params[next++]));
  if (next !== where.params.length) throw new Error('placeholder and parameter counts differ');
  return sql;
}

function sqlLiteral(value: unknown): string {
  if (value instanceof Date) return `${escapeLiteral(value.toISOString())}::timestamptz`;
  // A NUL would end the statement text early; PostgreSQL text cannot hold one anyway.
  if (typeof value === 'string' && !value.includes('\0')) return escapeLiteral(value);
  throw new TypeError('an export filter value is not a string or a date');
}

/** The events selected by `where` (an `auditWhere` fragment), oldest first, as `select`. */
export function selectEvents(where: SqlFragment, select: string): string {
  return `SELECT ${select}\nFROM audit_events WHERE ${inlineParams(where)} ORDER BY audit_events.seq ASC`;
}
