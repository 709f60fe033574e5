import { BadUserInputError, NotFoundError } from './errors';

// Matching control characters is the point of this pattern.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A UTF-16 surrogate that is not half of a pair (without the `u` flag a pattern sees code units). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
/**
 * Characters that change how text around them is shown without being seen:
 * bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
 * U+061C) and zero-width characters (U+200B–U+200D, U+2060, U+FEFF).
 */
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]/;

/** Why PostgreSQL could not store `text` exactly as sent (a lone surrogate, a NUL), or null when it can. */
export function malformedTextProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (it contains a lone UTF-16 surrogate)';
  return null;
}

/** `text` unchanged, or BAD_USER_INPUT naming `field` when it is not well-formed Unicode without NUL. */
export function requireWellFormedText(text: string, field: string): string {
  const problem = malformedTextProblem(text);
  if (problem) throw new BadUserInputError(`${field} ${problem}`, field);
  return text;
}

/**
 * Checks every string in a GraphQL field's coerced arguments (input objects,
 * lists and custom scalars at any depth): BAD_USER_INPUT naming its path for
 * the first that is not well-formed Unicode without NUL. Paths are named as
 * the services name fields: `filter.actions.1`, and the fields of a mutation's
 * `input` argument without the prefix (`name`, `id`). Dates and other class
 * instances hold no client text.
 */
export function requireWellFormedArgs(args: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(args)) checkValue(value, name === 'input' ? '' : name);
}

function checkValue(value: unknown, path: string): void {
  if (typeof value === 'string') {
    requireWellFormedText(value, path || 'input');
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkValue(item, joinPath(path, String(index))));
  } else if (value !== null && typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== null && prototype !== Object.prototype) return;
    for (const [key, item] of Object.entries(value)) {
      requireWellFormedText(key, path || 'input');
      checkValue(item, joinPath(path, key));
    }
  }
}

function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * `text` as PostgreSQL stores it: each lone surrogate becomes U+FFFD (as
 * UTF-8 encoding does) and so does NUL (which PostgreSQL refuses). Whatever is
 * hashed must pass through this first, so that the hash covers what is stored.
 */
export function storableText(text: string): string {
  const withoutNul = text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;
  return LONE_SURROGATE.test(withoutNul) ? withoutNul.replace(LONE_SURROGATES, '\ufffd') : withoutNul;
}

/** At most `max` UTF-16 code units of `text`, cut between code points (never between the halves of a pair). */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  const splitsPair = code >= 0xd800 && code <= 0xdbff && /[\udc00-\udfff]/.test(text.charAt(max));
  return text.slice(0, splitsPair ? max - 1 : max);
}

/**
 * A request header that is only recorded (User-Agent): never refused, but made
 * storable and cut to `max` code units between code points; null when absent.
 */
export function recordedHeader(value: string | null | undefined, max: number): string | null {
  return value === undefined || value === null ? null : storableText(cutText(value, max));
}

/**
 * Trimmed `value`, required non-empty, at most `max` characters, with no
 * control characters and nothing that is displayed invisibly (bidirectional
 * controls, zero-width characters): names and notes shown to people cannot be
 * made to look like something else.
 */
export function requireText(value: string, field: string, max: number): string {
  const text = value.trim();
  if (text.length === 0) throw new BadUserInputError(`${field} must not be empty`, field);
  return limitText(text, field, max);
}

/** Like `requireText` for optional text: blank becomes null. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  const text = value.trim();
  return text.length === 0 ? null : limitText(text, field, max, true);
}

function limitText(text: string, field: string, max: number, multiline = false): string {
  if (text.length > max) throw new BadUserInputError(`${field} must be at most ${max} characters`, field);
  requireWellFormedText(text, field);
  const checked = multiline ? text.replace(/[\n\r\t]/g, '') : text;
  if (CONTROL.test(checked)) throw new BadUserInputError(`${field} must not contain control characters`, field);
  if (INVISIBLE.test(text)) {
    throw new BadUserInputError(
      `${field} must not contain bidirectional controls or zero-width characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C, U+200B–U+200D, U+2060, U+FEFF)`,
      field,
    );
  }
  return text;
}

/** An integer within [min, max], else BAD_USER_INPUT naming the field. */
export function requireIntInRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${field} must be an integer between ${min} and ${max}`, field);
  }
  return value;
}

/** True for a UUID in its text form (any case). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** An object id from a client: anything that is not one of ours is simply not found. */
export function requireId(value: string, what: string): string {
  if (!UUID.test(value)) throw new NotFoundError(what);
  return value.toLowerCase();
}
