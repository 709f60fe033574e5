import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from '../auth/permissions';
import type { UserPrincipal } from '../auth/principal';
import { auditedTransaction, type Caller, type RequestMeta } from '../audit/audit.recorder';
import { queryRows, type Statement } from '../db/sql';
import { BadUserInputError, UnauthenticatedError } from '../shared/errors';
import { clearedSessionCookie, isWellFormedSecret, sessionCookie } from './session-cookie';

/** How long a login link works. @default 10 minutes */
export const LOGIN_LINK_TTL_SECONDS = 10 * 60;
/** How long a session lasts after sign-in. @default 12 hours */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;
/** `last_seen_at` is written at most this often per session. */
const LAST_SEEN_EVERY_MS = 60_000;

/** The one message for an unknown, expired, used or forged code: no oracle about which. */
export const LOGIN_LINK_REFUSED = 'This sign-in link has expired or was already used; ask for a new one';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A one-time link's code or a session's cookie secret: 32 random bytes, base64url. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a code or secret: its SHA-256, hex. */
export function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A live session found by its cookie: the member it signs in, with their current role. */
export interface SessionRow {
  id: string;
  account_id: string;
  user_id: string;
  email: string;
  role: Role;
  last_seen_at: Date;
}

/** A session by its secret's digest: open, unexpired, and its user still a member (role read fresh). */
const SESSION_BY_DIGEST: Statement = {
  name: 'session_by_digest',
  text: `SELECT s.id, s.account_id, s.user_id, s.last_seen_at, u.email, m.role
           FROM sessions s
           JOIN memberships m ON m.account_id = s.account_id AND m.user_id = s.user_id
           JOIN users u ON u.id = s.user_id
          WHERE s.digest = $1 AND s.ended_at IS NULL AND s.expires_at > now()`,
};

const TOUCH_SESSION: Statement = {
  name: 'session_touch',
  text: 'UPDATE sessions SET last_seen_at = now() WHERE id = $1',
};

/**
 * The session a `kl_session` cookie value opens, or null (malformed, unknown,
 * ended, expired, or its member removed). Notes the use at most once a minute.
 */
export async function sessionBySecret(em: EntityManager, secret: string): Promise<SessionRow | null> {
  if (!isWellFormedSecret(secret)) return null;
  const [row] = await queryRows<SessionRow>(em, SESSION_BY_DIGEST, [digestOf(secret)]);
  if (!row) return null;
  if (Date.now() - new Date(row.last_seen_at).getTime() > LAST_SEEN_EVERY_MS) {
    await queryRows(em, TOUCH_SESSION, [row.id]);
  }
  return row;
}

/** Ends every open session of a member (removal): in the caller's transaction `tx`. */
export async function endSessionsOf(tx: EntityManager, accountId: string, userId: string): Promise<number> {
  const ended = await tx.execute<{ id: string }[]>(
    'UPDATE sessions SET ended_at = now() WHERE account_id = ? AND user_id = ? AND ended_at IS NULL RETURNING id',
    [accountId, userId],
  );
  return ended.length;
}

/**
 * Deletes login links a day past their expiry and sessions 30 days after they
 * ended or expired (kept that long as a record of who signed in from where).
 */
export async function purgeStaleSessions(em: EntityManager): Promise<{ loginLinks: number; sessions: number }> {
  const links = await em.execute<{ id: string }[]>(
    "DELETE FROM login_links WHERE expires_at < now() - interval '1 day' RETURNING id",
  );
  const sessions = await em.execute<{ id: string }[]>(
    "DELETE FROM sessions WHERE coalesce(ended_at, expires_at) < now() - interval '30 days' RETURNING id",
  );
  return { loginLinks: links.length, sessions: sessions.length };
}

/** What `SessionService` needs of the running service. */
export interface SessionServiceOptions {
  /** Base URL of links (PUBLIC_URL, or the address listened on). */
  baseUrl(): string;
  /** Mark the cookie `Secure` (PUBLIC_URL is https). */
  secureCookies: boolean;
  /** @default SESSION_TTL_SECONDS */
  sessionTtlSeconds?: number;
}

/** A freshly opened session: its secret goes only into the cookie. */
export interface SignedIn {
  principal: UserPrincipal;
  secret: string;
  expiresAt: Date;
}

/**
 * Sign-in for the settings pages: one-time login links (issued by the CLI) are
 * exchanged for a server-side session held in an HttpOnly cookie. Codes and
 * secrets are stored only as SHA-256 digests.
 */
export class SessionService {
  private readonly sessionTtlSeconds: number;

  constructor(private readonly options: SessionServiceOptions) {
    this.sessionTtlSeconds = options.sessionTtlSeconds ?? SESSION_TTL_SECONDS;
  }

  /**
   * A one-time sign-in link for a member of an account: `<base>/app/login#code=<code>`
   * (the code sits in the fragment, so it never reaches a server log). Refuses anyone who is not a member.
   */
  async issueLoginLink(
    em: EntityManager,
    input: { accountId: string; email: string; ttlSeconds?: number },
  ): Promise<{ url: string; code: string; expiresAt: Date }> {
    const email = input.email.trim().toLowerCase();
    const notMember = new BadUserInputError(`${email} is not a member of account ${input.accountId}`, 'email');
    if (!UUID.test(input.accountId)) throw notMember;
    const [member] = await em.execute<{ user_id: string }[]>(
      `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND u.email = ?`,
      [input.accountId.toLowerCase(), email],
    );
    if (!member) throw notMember;
    const ttlSeconds = input.ttlSeconds ?? LOGIN_LINK_TTL_SECONDS;
    const code = newSecret();
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    await em.execute('INSERT INTO login_links (id, account_id, user_id, digest, expires_at) VALUES (?, ?, ?, ?, ?)', [
      randomUUID(),
      input.accountId.toLowerCase(),
      member.user_id,
      digestOf(code),
      expiresAt,
    ]);
    return { url: `${this.options.baseUrl()}/app/login#code=${code}`, code, expiresAt };
  }

  /**
   * Exchanges a login link's code for a session, once: the link is marked used
   * and the session opened in one transaction with its `session.signed_in` event.
   */
  async signIn(
    em: EntityManager,
    code: string,
    meta: RequestMeta,
    onCommitted?: Caller['onCommitted'],
  ): Promise<SignedIn> {
    if (!isWellFormedSecret(code)) throw new UnauthenticatedError(LOGIN_LINK_REFUSED);
    const digest = digestOf(code);
    type LinkRow = { account_id: string; user_id: string; email: string; role: Role };
    // Who the link is for, to name the actor; the transaction below decides whether it still works.
    const [link] = await em.execute<LinkRow[]>(
      `SELECT l.account_id, l.user_id, u.email, m.role
         FROM login_links l
         JOIN users u ON u.id = l.user_id
         JOIN memberships m ON m.account_id = l.account_id AND m.user_id = l.user_id
        WHERE l.digest = ? AND l.used_at IS NULL AND l.expires_at > now()`,
      [digest],
    );
    if (!link) throw new UnauthenticatedError(LOGIN_LINK_REFUSED);
    const principal: UserPrincipal = {
      kind: 'user',
      accountId: link.account_id,
      userId: link.user_id,
      email: link.email,
      role: link.role,
    };
    const caller: Caller = { accountId: link.account_id, principal, meta, onCommitted };
    return auditedTransaction(em, caller, async (tx, audit) => {
      // Marking it used is the single-use check: of two concurrent exchanges, one updates the row.
      const [used] = await tx.execute<{ id: string }[]>(
        'UPDATE login_links SET used_at = now() WHERE digest = ? AND used_at IS NULL AND expires_at > now() RETURNING id',
        [digest],
      );
      // The membership row is locked, so a removal running now either ends this session too or is seen here.
      const [member] = await tx.execute<{ role: Role }[]>(
        'SELECT role FROM memberships WHERE account_id = ? AND user_id = ? FOR SHARE',
        [link.account_id, link.user_id],
      );
      if (!used || !member) throw new UnauthenticatedError(LOGIN_LINK_REFUSED);
      principal.role = member.role;
      const secret = newSecret();
      const sessionId = randomUUID();
      const expiresAt = new Date(Date.now() + this.sessionTtlSeconds * 1000);
      await tx.execute(
        `INSERT INTO sessions (id, account_id, user_id, digest, expires_at, ip, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [sessionId, link.account_id, link.user_id, digestOf(secret), expiresAt, meta.ip, meta.userAgent],
      );
      principal.sessionId = sessionId;
      await audit({
        action: 'session.signed_in',
        target: { type: 'user', id: link.user_id, display: link.email },
        metadata: { sessionId, method: 'login_link', expiresAt: expiresAt.toISOString() },
      });
      return { principal, secret, expiresAt };
    });
  }

  /** Ends the caller's cookie session, with its `session.signed_out` event; false when there is none to end. */
  async signOut(em: EntityManager, caller: Caller & { principal: UserPrincipal }): Promise<boolean> {
    const { principal } = caller;
    if (!principal.sessionId) return false;
    return auditedTransaction(em, caller, async (tx, audit) => {
      const ended = await tx.execute<{ id: string }[]>(
        'UPDATE sessions SET ended_at = now() WHERE id = ? AND ended_at IS NULL RETURNING id',
        [principal.sessionId],
      );
      if (ended.length === 0) return false;
      await audit({
        action: 'session.signed_out',
        target: { type: 'user', id: principal.userId, display: principal.email },
        metadata: { sessionId: principal.sessionId },
      });
      return true;
    });
  }

  /** The `Set-Cookie` value that carries a new session's secret. */
  cookieFor(signedIn: SignedIn): string {
    const maxAge = Math.max(0, Math.round((signedIn.expiresAt.getTime() - Date.now()) / 1000));
    return sessionCookie(signedIn.secret, maxAge, this.options.secureCookies);
  }

  /** The `Set-Cookie` value that removes the session cookie. */
  clearedCookie(): string {
    return clearedSessionCookie(this.options.secureCookies);
  }
}
