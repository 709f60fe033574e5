/** The settings pages' session cookie: its name, how it is read from a request and written to a response. */

/** Name of the HttpOnly cookie that carries a session's secret. */
export const SESSION_COOKIE = 'kl_session';

/** A session secret as issued: 32 random bytes, base64url (43 characters). */
const SECRET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** True when `value` has the shape of an issued secret (checked before any database read). */
export function isWellFormedSecret(value: string): boolean {
  return SECRET_FORMAT.test(value);
}

/** The `kl_session` value of a `Cookie` header (the first one when repeated), or undefined. */
export function sessionCookieOf(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === SESSION_COOKIE) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** `Set-Cookie` value that stores `secret` for `maxAgeSeconds`; `Secure` when the service is served over https. */
export function sessionCookie(secret: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [
    `${SESSION_COOKIE}=${secret}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** `Set-Cookie` value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
