import { OCCURRED_AT, REPORTED_AT, SCOPE_NAMES, SUBMITTER_SCOPE_NAMES, selectEvents } from './audit-export.sql';
import type { SqlFragment } from './audit.records';
import { BinaryCopyTuples, copyBytes, type RowEncoder } from './copy-out.stream';

/*
 * CSV exports: PostgreSQL formats each value as text and sends it in a binary
 * COPY (length-prefixed, no escaping); the encoder below frames the CSV on the
 * bytes. Splitting the work this way keeps the database backend, which is
 * single-threaded, about as busy as a plain COPY of the table; encoding CSV and
 * compact JSON in SQL as well made it twice as busy.
 */

/** How a value is written into a CSV field. */
enum FieldKind {
  /** As it is, never quoted (as before): numbers, uuids, timestamps, enums, scope names, hex hashes. */
  RAW,
  /** Quoted when it holds a comma, a quote, CR or LF (RFC 4180); neutralised when a spreadsheet would run it. */
  TEXT,
  /** jsonb text printed as `JSON.stringify` does, then written like TEXT; a JSON string comes as '"' + its text. */
  JSON,
}

/** A JSON column as the export shows it: null JSON as `nullAs`, a string as its bare text (after a '"' marker). */
function jsonField(column: string, nullAs: string): string {
  return `CASE jsonb_typeof(${column}) WHEN 'null' THEN ${nullAs} WHEN 'string' THEN '"' || (${column} #>> '{}')
    ELSE ${column}::text END`;
}

const FIELDS: readonly { name: string; sql: string; kind: FieldKind }[] = [
  { name: 'seq', sql: 'seq::text', kind: FieldKind.RAW },
  { name: 'id', sql: 'id::text', kind: FieldKind.RAW },
  { name: 'occurredAt', sql: OCCURRED_AT, kind: FieldKind.RAW },
  { name: 'action', sql: 'action', kind: FieldKind.TEXT },
  { name: 'outcome', sql: 'outcome', kind: FieldKind.RAW },
  { name: 'actorType', sql: 'actor_type', kind: FieldKind.RAW },
  { name: 'actorId', sql: 'actor_id', kind: FieldKind.TEXT },
  { name: 'actorDisplay', sql: 'actor_display', kind: FieldKind.TEXT },
  // Names joined by spaces, written as they are (an array of NULL prints as '').
  { name: 'actorScopes', sql: `array_to_string(${SCOPE_NAMES}, ' ', '')`, kind: FieldKind.RAW },
  { name: 'targetType', sql: 'target_type', kind: FieldKind.TEXT },
  { name: 'targetId', sql: 'target_id', kind: FieldKind.TEXT },
  { name: 'targetDisplay', sql: 'target_display', kind: FieldKind.TEXT },
  { name: 'changes', sql: jsonField('changes', `'[]'`), kind: FieldKind.JSON },
  { name: 'metadata', sql: jsonField('metadata', 'NULL'), kind: FieldKind.JSON },
  { name: 'ip', sql: 'ip', kind: FieldKind.TEXT },
  { name: 'userAgent', sql: 'user_agent', kind: FieldKind.TEXT },
  { name: 'requestId', sql: 'request_id', kind: FieldKind.TEXT },
  { name: 'via', sql: 'via', kind: FieldKind.RAW },
  { name: 'prevHash', sql: 'prev_hash', kind: FieldKind.RAW },
  { name: 'hash', sql: 'hash', kind: FieldKind.RAW },
  // Set only on events the host product recorded (recordAuditEvents); empty for keyledger's own.
  { name: 'reportedAt', sql: REPORTED_AT, kind: FieldKind.RAW },
  { name: 'submittedByType', sql: `submitted_by ->> 'type'`, kind: FieldKind.RAW },
  { name: 'submittedById', sql: `submitted_by ->> 'id'`, kind: FieldKind.TEXT },
  { name: 'submittedByDisplay', sql: `submitted_by ->> 'display'`, kind: FieldKind.TEXT },
  { name: 'submittedByScopes', sql: `array_to_string(${SUBMITTER_SCOPE_NAMES}, ' ', '')`, kind: FieldKind.RAW },
];

/**
 * First bytes that make a spreadsheet read a cell as a formula (= + - @, and tab or CR, which some
 * applications skip before looking), and the single quote itself: a cell of users' text that starts with one gets
 * a leading single quote (OWASP, "CSV Injection"), so the cell shows as text. Quoting a leading quote as well keeps
 * the export reversible: drop one leading quote from any cell that has one to get the stored value back.
 */
const NEUTRALISED_FIRST_BYTES = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d, 0x27]);

/** The header line of a CSV export. */
export const CSV_HEADER = Buffer.from(`${FIELDS.map((field) => field.name).join(',')}\r\n`);

/** The binary COPY statement of the events selected by `where`, one text column per CSV field. */
export function csvExportCopy(where: SqlFragment): string {
  const select = FIELDS.map((field) => field.sql).join(',\n  ');
  return `COPY (${selectEvents(where, select)}) TO STDOUT WITH (FORMAT binary)`;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const BACKSLASH = 0x5c;
const APOSTROPHE = 0x27;
const KINDS = FIELDS.map((field) => field.kind);

/**
 * Turns the tuples of `csvExportCopy` (binary COPY format) into CSV lines ending
 * with CRLF. One encoder per COPY: the first row carries the file header.
 */
export class CsvRowEncoder implements RowEncoder {
  private readonly tuples = new BinaryCopyTuples();

  /**
   * A field's bytes at most double, plus quotes, a neutralising quote and a comma (paid for by its 4-byte length
   * prefix), plus CRLF.
   */
  maxBytes(row: Buffer): number {
    return 2 * row.length + 2;
  }

  encode(row: Buffer, into: Buffer, at: number): number {
    let read = this.tuples.fieldsStart(row, KINDS.length);
    if (read === -1) return at; // the trailer
    for (let field = 0; field < KINDS.length; field += 1) {
      if (field > 0) into[at++] = COMMA;
      const length = row.readInt32BE(read);
      read += 4;
      if (length <= 0) continue; // NULL or '': an empty field
      const end = read + length;
      const kind = KINDS[field];
      if (kind === FieldKind.RAW) at = copyBytes(row, read, end, into, at);
      else if (kind === FieldKind.TEXT) at = writeText(row, read, end, into, at);
      else at = writeJson(row, read, end, into, at);
      read = end;
    }
    into[at++] = CR;
    into[at++] = LF;
    return at;
  }
}

/**
 * `from[start…end]` as a CSV field: after a single quote when it starts with a byte a spreadsheet would act on;
 * quoted, quotes doubled, when it holds a quote, comma, CR or LF.
 */
function writeText(from: Buffer, start: number, end: number, into: Buffer, at: number): number {
  const neutralise = start < end && NEUTRALISED_FIRST_BYTES.has(from[start]!);
  const field = at;
  if (neutralise) into[at++] = APOSTROPHE;
  // Written as it is in one pass; the first byte that needs quoting starts the field over, quoted.
  for (let i = start; i < end; i += 1) {
    const byte = from[i]!;
    if (byte === QUOTE || byte === COMMA || byte === CR || byte === LF) {
      return writeQuoted(from, start, end, into, field, neutralise);
    }
    into[at++] = byte;
  }
  return at;
}

/** `from[start…end]` as a quoted CSV field, quotes doubled. */
function writeQuoted(from: Buffer, start: number, end: number, into: Buffer, at: number, neutralise: boolean): number {
  into[at++] = QUOTE;
  if (neutralise) into[at++] = APOSTROPHE;
  for (let i = start; i < end; i += 1) {
    const byte = from[i]!;
    if (byte === QUOTE) into[at++] = QUOTE;
    into[at++] = byte;
  }
  into[at++] = QUOTE;
  return at;
}

/**
 * jsonb text as `JSON.stringify` prints it, as a CSV field. PostgreSQL puts a
 * space after each `,` and `:` between tokens and nowhere else outside strings,
 * so every space outside a string is dropped. JSON text holds no raw CR or LF:
 * it is quoted when it holds a quote or a comma.
 */
function writeJson(from: Buffer, start: number, end: number, into: Buffer, at: number): number {
  if (from[start] === QUOTE) return writeText(from, start + 1, end, into, at); // a JSON string's bare text
  const open = at++;
  // A negative number; objects, arrays and literals start with a byte no spreadsheet acts on.
  if (NEUTRALISED_FIRST_BYTES.has(from[start]!)) into[at++] = APOSTROPHE;
  let quoted = false;
  let inString = false;
  for (let i = start; i < end; i += 1) {
    let byte = from[i]!;
    if (inString) {
      if (byte === BACKSLASH) {
        // An escape: the next byte (maybe a quote) neither ends the string nor escapes anything.
        into[at++] = byte;
        i += 1;
        byte = from[i]!;
      } else if (byte === QUOTE) {
        inString = false;
      }
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === SPACE) {
      continue;
    }
    if (byte === QUOTE) {
      into[at++] = QUOTE;
      quoted = true;
    } else if (byte === COMMA) {
      quoted = true;
    }
    into[at++] = byte;
  }
  if (!quoted) {
    into.copyWithin(open, open + 1, at);
    return at - 1;
  }
  into[open] = QUOTE;
  into[at++] = QUOTE;
  return at;
}
