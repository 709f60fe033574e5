import type { EntityManager } from '@mikro-orm/postgresql';
import { queryRows, type Statement } from '../db/sql';
import { hashApiKey, isWellFormedApiKey, looksLikeApiKey } from '../keys/api-key.format';
import type { KeyUsageTracker } from '../keys/key-usage';
import { sessionBySecret } from '../sessions/session.service';
import { UnauthenticatedError } from '../shared/errors';
import type { ApiKeyScope, Role } from './permissions';
import type { Principal } from './principal';
import type { SessionTokens } from './session-tokens';

interface KeyRow {
  id: string;
  account_id: string;
  display_key: string;
  scopes: ApiKeyScope[];
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  rotated_at: string | null;
  owner_id: string | null;
  role: Role | null;
}

interface MemberRow {
  email: string;
  role: Role;
  audit_reviewer: boolean;
}

/** A key by its digest, with its owner's current role (one unique-index probe + one membership probe). */
const KEY_BY_DIGEST: Statement = {
  name: 'auth_key_by_digest_owner',
  text: `SELECT k.id, k.account_id, k.display_key, k.scopes, k.expires_at, k.revoked_at, k.last_used_at,
                k.rotated_at, k.owner_id, m.role
           FROM api_keys k
           LEFT JOIN memberships m ON m.account_id = k.account_id AND m.user_id = k.owner_id
          WHERE k.digest = $1`,
};

/** A session's member: email, current role, and whether they review the audit log. */
const MEMBER: Statement = {
  name: 'auth_member_reviewer',
  text: `SELECT u.email, m.role,
                EXISTS (SELECT 1 FROM audit_reviewers r WHERE r.account_id = m.account_id AND r.user_id = m.user_id)
                  AS audit_reviewer
           FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.account_id = $1 AND m.user_id = $2`,
};

/**
 * The one path from a bearer token to a Principal, for HTTP and WebSocket
 * alike. Roles and key state are read from the database on every call, so a
 * revocation, demotion or removal takes effect on the very next request on
 * every instance.
 */
export class Authenticator {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: SessionTokens,
    private readonly usage: KeyUsageTracker,
  ) {}

  /**
   * Resolves an `Authorization` value (`Bearer <token>`), else the settings
   * pages' `kl_session` cookie value. Neither means an anonymous caller
   * (`null`); an `Authorization` present but invalid throws UNAUTHENTICATED; a
   * cookie whose session is gone (signed out, expired, member removed) is
   * anonymous, so the sign-in page still works with a stale cookie.
   */
  async authenticate(
    authorization: string | undefined | null,
    ip: string | null,
    sessionCookie?: string | null,
  ): Promise<Principal | null> {
    if (authorization === undefined || authorization === null || authorization === '') {
      return sessionCookie ? this.fromSessionCookie(sessionCookie) : null;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
    const token = match[1]!;
    return looksLikeApiKey(token) ? this.fromApiKey(token, ip) : this.fromSession(token);
  }

  private async fromApiKey(secret: string, ip: string | null): Promise<Principal> {
    if (!isWellFormedApiKey(secret)) throw new UnauthenticatedError('Invalid API key');
    const [row] = await queryRows<KeyRow>(this.em, KEY_BY_DIGEST, [hashApiKey(secret)]);
    if (!row) throw new UnauthenticatedError('Invalid API key');
    if (row.revoked_at) throw new UnauthenticatedError('API key has been revoked');
    const expiresAt = row.expires_at ? new Date(row.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new UnauthenticatedError('API key has expired');
    if (!row.role || !row.owner_id) {
      throw new UnauthenticatedError('API key is no longer valid: its owner is not a member of the account');
    }
    this.usage.touch(
      row.id,
      row.account_id,
      row.last_used_at ? new Date(row.last_used_at) : null,
      ip,
      row.rotated_at !== null,
    );
    return {
      kind: 'apiKey',
      accountId: row.account_id,
      keyId: row.id,
      displayKey: row.display_key,
      scopes: row.scopes,
      ownerUserId: row.owner_id,
      ownerRole: row.role,
      expiresAt,
    };
  }

  private async fromSessionCookie(secret: string): Promise<Principal | null> {
    const row = await sessionBySecret(this.em, secret);
    if (!row) return null;
    return {
      kind: 'user',
      accountId: row.account_id,
      userId: row.user_id,
      email: row.email,
      role: row.role,
      sessionId: row.id,
    };
  }

  private async fromSession(token: string): Promise<Principal> {
    const claims = await this.sessions.verify(token);
    const [row] = await queryRows<MemberRow>(this.em, MEMBER, [claims.accountId, claims.userId]);
    if (!row) throw new UnauthenticatedError('Session is not valid for this account: not a member');
    return {
      kind: 'user',
      accountId: claims.accountId,
      userId: claims.userId,
      email: row.email,
      role: row.role,
      auditReviewer: row.audit_reviewer,
    };
  }
}
