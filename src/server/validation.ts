import { BadUserInputError, NotFoundError } from './errors';

// Matching control characters is the point of this pattern.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Trimmed `value`, required non-empty, at most `max` characters, no control characters. */
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
  const checked = multiline ? text.replace(/[\n\r\t]/g, '') : text;
  if (CONTROL.test(checked)) throw new BadUserInputError(`${field} must not contain control characters`, field);
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
