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

// PostgreSQL prints jsonb with ", " and ": " between tokens, JSON.stringify with no space. Outside
// strings those pairs are always separators; when no string (key or value) holds one, dropping
// every such space is exact. Otherwise a tokenizing regex keeps strings whole (slower, rare).
const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const STRING_HOLDS_SEPARATOR = escapeLiteral(String.raw`^(?:[^"]|${STRING})*"(?:[^"\\]|\\.)*[,:] `);
const STRING_OR_SEPARATOR = escapeLiteral(String.raw`(${STRING})|([,:]) `);
const KEEP_STRING_OR_SEPARATOR = escapeLiteral(String.raw`\1\2`);

/** A jsonb expression as `JSON.stringify(JSON.parse(text))` prints it. */
function compactJson(jsonb: string): string {
  const text = `${jsonb}::text`;
  return `CASE WHEN ${text} ~ ${STRING_HOLDS_SEPARATOR}
    THEN regexp_replace(${text}, ${STRING_OR_SEPARATOR}, ${KEEP_STRING_OR_SEPARATOR}, 'g')
    ELSE replace(replace(${text}, ', ', ','), ': ', ':') END`;
}

/** A text column as a JSON value: a string, or null. */
const jsonText = (column: string) => `COALESCE(to_json(${column})::text, 'null')`;

/** `auditCursorOf(seq)`: base64url of `["audit",<seq>]`, unpadded. */
const CURSOR = `translate(rtrim(encode(convert_to('["audit",' || seq || ']', 'UTF8'), 'base64'), '='), '+/', '-_')`;

/** One line per event, the same JSON object (keys in the same order) the GraphQL AuditEvent shows. */
const NDJSON_LINE = `'{"id":"' || id || '","seq":' || seq || ',"cursor":"' || ${CURSOR} || '","occurredAt":"' || ${OCCURRED_AT}
  || '","action":' || ${jsonText('action')} || ',"outcome":' || ${jsonText('outcome')}
  || ',"actor":{"type":' || ${jsonText('actor_type')} || ',"id":' || ${jsonText('actor_id')}
  || ',"display":' || ${jsonText('actor_display')}
  || ',"scopes":' || COALESCE(array_to_json(${SCOPE_NAMES})::text, 'null')
  || '},"target":' || CASE WHEN target_type IS NULL OR target_type = '' THEN 'null'
    ELSE '{"type":' || ${jsonText('target_type')} || ',"id":' || ${jsonText('target_id')}
      || ',"display":' || ${jsonText('target_display')} || '}' END
  || ',"changes":' || CASE WHEN jsonb_typeof(changes) = 'null' THEN '[]' ELSE ${compactJson('changes')} END
  || ',"metadata":' || COALESCE(${compactJson('metadata')}, 'null')
  || ',"ip":' || ${jsonText('ip')} || ',"userAgent":' || ${jsonText('user_agent')}
  || ',"requestId":' || ${jsonText('request_id')} || ',"via":' || ${jsonText('via')}
  || ',"reportedAt":' || COALESCE('"' || ${REPORTED_AT} || '"', 'null')
  || ',"submittedBy":' || CASE WHEN submitted_by IS NULL OR jsonb_typeof(submitted_by) = 'null' THEN 'null'
    ELSE '{"type":' || ${jsonText(`submitted_by ->> 'type'`)} || ',"id":' || ${jsonText(`submitted_by ->> 'id'`)}
      || ',"display":' || ${jsonText(`submitted_by ->> 'display'`)}
      || ',"scopes":' || COALESCE(array_to_json(${SUBMITTER_SCOPE_NAMES})::text, 'null') || '}' END
  || ',"prevHash":' || ${jsonText('prev_hash')} || ',"hash":' || ${jsonText('hash')} || '}'`;

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

/**
 * The COPY statement writing the events selected by `where` as NDJSON lines.
 * CSV format with a quote and a delimiter that JSON text never holds raw (control
 * characters are escaped in JSON strings), so each line goes out unchanged.
 */
export function ndjsonExportCopy(where: SqlFragment): string {
  return `COPY (${selectEvents(where, NDJSON_LINE)}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;
}
