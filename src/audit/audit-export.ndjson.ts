import {
  OCCURRED_AT,
  REPORTED_AT,
  SCOPE_NAMES,
  SUBMITTER_SCOPE_NAMES,
  jsonText,
  selectEvents,
} from './audit-export.sql';
import type { SqlFragment } from './audit.records';
import { BinaryCopyTuples, copyBytes, type RowEncoder } from './copy-out.stream';

/*
 * NDJSON exports: one line per event, the same JSON object (keys in the same
 * order) the GraphQL AuditEvent shows, as `JSON.stringify` prints it. As for
 * CSV, PostgreSQL formats each value as text in a binary COPY and the encoder
 * below writes the JSON around the bytes: building the whole line in SQL kept
 * the single-threaded database backend three times as busy as a plain COPY.
 */

/** The columns of `ndjsonExportCopy`, in the order `NdjsonRowEncoder` reads them. */
const COLUMNS = [
  'id::text',
  'seq::text',
  OCCURRED_AT,
  'action',
  'outcome',
  'actor_type',
  'actor_id',
  'actor_display',
  `array_to_json(${SCOPE_NAMES})::text`,
  'target_type',
  'target_id',
  'target_display',
  `CASE WHEN jsonb_typeof(changes) = 'null' THEN '[]' ELSE changes::text END`,
  'metadata::text',
  'ip',
  'user_agent',
  'request_id',
  'via',
  REPORTED_AT,
  // Only events the host product recorded carry one: built here, compact and escaped already.
  `CASE WHEN submitted_by IS NULL OR jsonb_typeof(submitted_by) = 'null' THEN NULL
    ELSE '{"type":' || ${jsonText(`submitted_by ->> 'type'`)} || ',"id":' || ${jsonText(`submitted_by ->> 'id'`)}
      || ',"display":' || ${jsonText(`submitted_by ->> 'display'`)}
      || ',"scopes":' || COALESCE(array_to_json(${SUBMITTER_SCOPE_NAMES})::text, 'null') || '}' END`,
  'prev_hash',
  'hash',
];

/** The binary COPY statement of the events selected by `where`, for `NdjsonRowEncoder`. */
export function ndjsonExportCopy(where: SqlFragment): string {
  return `COPY (${selectEvents(where, COLUMNS.join(',\n  '))}) TO STDOUT WITH (FORMAT binary)`;
}

const bytes = (text: string) => Buffer.from(text, 'latin1');
const ID = bytes('{"id":"');
const SEQ = bytes('","seq":');
const CURSOR = bytes(',"cursor":"');
const OCCURRED = bytes('","occurredAt":"');
const ACTION = bytes('","action":');
const OUTCOME = bytes(',"outcome":');
const ACTOR_TYPE = bytes(',"actor":{"type":');
const ACTOR_ID = bytes(',"id":');
const DISPLAY = bytes(',"display":');
const SCOPES = bytes(',"scopes":');
const TARGET = bytes('},"target":');
const TARGET_TYPE = bytes('{"type":');
const CHANGES = bytes(',"changes":');
const METADATA = bytes(',"metadata":');
const IP = bytes(',"ip":');
const USER_AGENT = bytes(',"userAgent":');
const REQUEST_ID = bytes(',"requestId":');
const VIA = bytes(',"via":');
const REPORTED = bytes(',"reportedAt":');
const SUBMITTED_BY = bytes(',"submittedBy":');
const PREV_HASH = bytes(',"prevHash":');
const HASH = bytes(',"hash":');
const NULL = bytes('null');
const END = bytes('}\n');
/** Every literal above, and a cursor, fit in this many bytes. */
const LITERAL_BYTES = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const CLOSE_BRACE = 0x7d;

/** For each byte: 0 when a JSON string holds it as it is, else the character after the backslash ('u': \u00XX). */
const ESCAPE = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte += 1) ESCAPE[byte] = 0x75; // u
ESCAPE[0x08] = 0x62; // b
ESCAPE[0x09] = 0x74; // t
ESCAPE[0x0a] = 0x6e; // n
ESCAPE[0x0c] = 0x66; // f
ESCAPE[0x0d] = 0x72; // r
ESCAPE[QUOTE] = QUOTE;
ESCAPE[BACKSLASH] = BACKSLASH;
const HEX = bytes('0123456789abcdef');

const BASE64URL = bytes('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
/** `auditCursorOf(seq)` is base64url of `["audit",<seq>]`: these 9 bytes come out as 12 characters of their own. */
const CURSOR_HEAD = bytes(Buffer.from('["audit",').toString('base64url'));

/**
 * Turns the tuples of `ndjsonExportCopy` (binary COPY format) into NDJSON lines.
 * One encoder per COPY: the first row carries the file header.
 */
export class NdjsonRowEncoder implements RowEncoder {
  private readonly tuples = new BinaryCopyTuples();
  /** The seq's digits and "]", for the cursor. */
  private readonly cursorTail = Buffer.alloc(24);

  /** A byte of text at most becomes six (\u00XX); the keys, quotes and cursor fit in LITERAL_BYTES. */
  maxBytes(row: Buffer): number {
    return 6 * row.length + LITERAL_BYTES;
  }

  encode(row: Buffer, into: Buffer, at: number): number {
    let read = this.tuples.fieldsStart(row, COLUMNS.length);
    if (read === -1) return at; // the trailer
    // Each field: a 4-byte length (-1 for NULL), then its bytes.
    let length = row.readInt32BE(read);
    at = copyBytes(ID, 0, ID.length, into, at);
    at = copyBytes(row, read + 4, read + 4 + length, into, at);
    read += 4 + length;

    length = row.readInt32BE(read);
    at = copyBytes(SEQ, 0, SEQ.length, into, at);
    at = copyBytes(row, read + 4, read + 4 + length, into, at);
    at = copyBytes(CURSOR, 0, CURSOR.length, into, at);
    at = this.writeCursor(row, read + 4, read + 4 + length, into, at);
    read += 4 + length;

    length = row.readInt32BE(read);
    at = copyBytes(OCCURRED, 0, OCCURRED.length, into, at);
    at = copyBytes(row, read + 4, read + 4 + length, into, at);
    read += 4 + length;

    read = writeFields(ACTOR_FIELDS, row, read, into, at);
    at = copyBytes(TARGET, 0, TARGET.length, into, written);
    // No target type (NULL or ''): no target, whatever its id and display hold.
    if (row.readInt32BE(read) <= 0) {
      at = copyBytes(NULL, 0, NULL.length, into, at);
      read = skip(row, skip(row, skip(row, read)));
    } else {
      read = writeFields(TARGET_FIELDS, row, read, into, at);
      at = written;
      into[at++] = CLOSE_BRACE;
    }
    writeFields(TRAILING_FIELDS, row, read, into, at);
    return copyBytes(END, 0, END.length, into, written);
  }

  /** base64url, unpadded, of `["audit",` + the seq's digits `from[start…end]` + `]`. */
  private writeCursor(from: Buffer, start: number, end: number, into: Buffer, at: number): number {
    at = copyBytes(CURSOR_HEAD, 0, CURSOR_HEAD.length, into, at);
    const tail = this.cursorTail;
    let length = copyBytes(from, start, end, tail, 0);
    tail[length++] = 0x5d; // ]
    let i = 0;
    for (; i + 3 <= length; i += 3) {
      const group = (tail[i]! << 16) | (tail[i + 1]! << 8) | tail[i + 2]!;
      into[at++] = BASE64URL[group >> 18]!;
      into[at++] = BASE64URL[(group >> 12) & 63]!;
      into[at++] = BASE64URL[(group >> 6) & 63]!;
      into[at++] = BASE64URL[group & 63]!;
    }
    if (length - i === 1) {
      const group = tail[i]! << 16;
      into[at++] = BASE64URL[group >> 18]!;
      into[at++] = BASE64URL[(group >> 12) & 63]!;
    } else if (length - i === 2) {
      const group = (tail[i]! << 16) | (tail[i + 1]! << 8);
      into[at++] = BASE64URL[group >> 18]!;
      into[at++] = BASE64URL[(group >> 12) & 63]!;
      into[at++] = BASE64URL[(group >> 6) & 63]!;
    }
    return at;
  }
}

/*
 * The field writers below read the field at `read` (its length, then its bytes), write it into `into` from `at`,
 * leave the offset after the last byte written in `written` and return the offset of the next field: one call per
 * field, no object per call.
 */
let written = 0;

/** The offset of the field after the one at `read`. */
function skip(from: Buffer, read: number): number {
  return read + 4 + Math.max(from.readInt32BE(read), 0);
}

/** A text field as a JSON string (escaped as `JSON.stringify` and PostgreSQL's `to_json` do), NULL as null. */
function writeString(from: Buffer, read: number, into: Buffer, at: number): number {
  const length = from.readInt32BE(read);
  read += 4;
  if (length < 0) {
    written = copyBytes(NULL, 0, NULL.length, into, at);
    return read;
  }
  const end = read + length;
  into[at++] = QUOTE;
  for (let i = read; i < end; i += 1) {
    const byte = from[i]!;
    const escape = ESCAPE[byte]!;
    if (escape === 0) {
      into[at++] = byte;
    } else {
      into[at++] = BACKSLASH;
      into[at++] = escape;
      if (escape === 0x75) {
        into[at++] = 0x30;
        into[at++] = 0x30;
        into[at++] = HEX[byte >> 4]!;
        into[at++] = HEX[byte & 15]!;
      }
    }
  }
  into[at++] = QUOTE;
  written = at;
  return end;
}

/** A field PostgreSQL made JSON text already (compact), as it is; NULL as null. */
function writeRaw(from: Buffer, read: number, into: Buffer, at: number): number {
  const length = from.readInt32BE(read);
  read += 4;
  if (length < 0) {
    written = copyBytes(NULL, 0, NULL.length, into, at);
    return read;
  }
  written = copyBytes(from, read, read + length, into, at);
  return read + length;
}

/**
 * jsonb text as `JSON.stringify` prints it; NULL as null. PostgreSQL puts a space after each `,` and `:` between
 * tokens and nowhere else outside strings, so every space outside a string is dropped.
 */
function writeCompactJson(from: Buffer, read: number, into: Buffer, at: number): number {
  const length = from.readInt32BE(read);
  read += 4;
  if (length < 0) {
    written = copyBytes(NULL, 0, NULL.length, into, at);
    return read;
  }
  const end = read + length;
  let inString = false;
  for (let i = read; i < end; i += 1) {
    const byte = from[i]!;
    if (inString) {
      if (byte === BACKSLASH) {
        // An escape: the next byte (maybe a quote) neither ends the string nor escapes anything.
        into[at++] = byte;
        i += 1;
        into[at++] = from[i]!;
        continue;
      }
      if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === SPACE) {
      continue;
    }
    into[at++] = byte;
  }
  written = at;
  return end;
}

/** A field writer above: writes the field at `read`, leaves its end in `written`, returns the next field's offset. */
type FieldWriter = (from: Buffer, read: number, into: Buffer, at: number) => number;

/** Fields written as `key value` pairs, in COLUMNS order: the action, outcome and actor. */
const ACTOR_FIELDS: readonly (readonly [Buffer, FieldWriter])[] = [
  [ACTION, writeString],
  [OUTCOME, writeString],
  [ACTOR_TYPE, writeString],
  [ACTOR_ID, writeString],
  [DISPLAY, writeString],
  [SCOPES, writeRaw],
];
/** The target's type, id and display (when it has a type). */
const TARGET_FIELDS: readonly (readonly [Buffer, FieldWriter])[] = [
  [TARGET_TYPE, writeString],
  [ACTOR_ID, writeString],
  [DISPLAY, writeString],
];
/** Everything after the target. */
const TRAILING_FIELDS: readonly (readonly [Buffer, FieldWriter])[] = [
  [CHANGES, writeCompactJson],
  [METADATA, writeCompactJson],
  [IP, writeString],
  [USER_AGENT, writeString],
  [REQUEST_ID, writeString],
  [VIA, writeString],
  [REPORTED, writeString],
  [SUBMITTED_BY, writeRaw],
  [PREV_HASH, writeString],
  [HASH, writeString],
];

/** Each of `fields`' key, then its value from `from` at `read`; `written` ends up after the last value. */
function writeFields(
  fields: readonly (readonly [Buffer, FieldWriter])[],
  from: Buffer,
  read: number,
  into: Buffer,
  at: number,
): number {
  for (const [key, write] of fields) {
    read = write(from, read, into, copyBytes(key, 0, key.length, into, at));
    at = written;
  }
  written = at;
  return read;
}
