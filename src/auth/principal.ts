import { ForbiddenError, type DeniedAttempt } from '../shared/errors';
import { ApiKeyScope, ROLE_PERMISSIONS, type Permission, type Role } from './permissions';

/** A member signed in with a session token, or with the settings pages' session cookie. */
export interface UserPrincipal {
  kind: 'user';
  accountId: string;
  userId: string;
  email: string;
  role: Role;
  /** Set when signed in by a `kl_session` cookie: the server-side session (what sign-out ends). */
  sessionId?: string;
  /**
   * An audit reviewer (`setAuditReviewer`) reads the audit log whatever their
   * role, so a MEMBER can review without admin rights; read fresh on every request.
   * @default false
   */
  auditReviewer?: boolean;
}

/** A caller holding an API key. It acts for the member who owns it, never beyond that member's current role. */
export interface ApiKeyPrincipal {
  kind: 'apiKey';
  accountId: string;
  keyId: string;
  displayKey: string;
  scopes: ApiKeyScope[];
  ownerUserId: string;
  ownerRole: Role;
  expiresAt: Date | null;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/**
 * What the principal may do right now: its role's permissions (an audit reviewer's with audit:read), or a key's
 * scopes within its owner's role.
 */
export function permissionsOf(principal: Principal): ReadonlySet<Permission> {
  if (principal.kind === 'user') {
    const role = ROLE_PERMISSIONS[principal.role];
    return principal.auditReviewer && !role.has(ApiKeyScope.AUDIT_READ)
      ? new Set<Permission>([...role, ApiKeyScope.AUDIT_READ])
      : role;
  }
  const role = ROLE_PERMISSIONS[principal.ownerRole];
  return new Set(principal.scopes.filter((scope) => role.has(scope)));
}

/** True when the principal holds `permission`. */
export function can(principal: Principal, permission: Permission): boolean {
  return permissionsOf(principal).has(permission);
}

/**
 * Throws FORBIDDEN unless the principal holds `permission`. With `attempt`,
 * the refusal is recorded in the audit log as `outcome: DENIED`.
 */
export function assertPermission(principal: Principal, permission: Permission, attempt?: DeniedAttempt): void {
  if (can(principal, permission)) return;
  const who = principal.kind === 'user' ? `role ${principal.role}` : 'this API key';
  const why =
    permission === 'plan:write'
      ? 'only an account OWNER signed in as a user can change the plan'
      : `${who} lacks the "${permission}" permission`;
  throw new ForbiddenError(`Not allowed: ${why}`, attempt);
}
