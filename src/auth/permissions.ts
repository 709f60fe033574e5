/** What an API key may be granted; the GraphQL enum spells them `KEYS_READ`, … */
export enum ApiKeyScope {
  KEYS_READ = 'keys:read',
  KEYS_WRITE = 'keys:write',
  AUDIT_READ = 'audit:read',
  AUDIT_EXPORT = 'audit:export',
  /** Record the host product's own events into the account's audit log (`recordAuditEvents`). */
  AUDIT_WRITE = 'audit:write',
  SETTINGS_READ = 'settings:read',
  SETTINGS_WRITE = 'settings:write',
  MEMBERS_READ = 'members:read',
  MEMBERS_WRITE = 'members:write',
}

/** The GraphQL spelling of stored scopes (`keys:read` → `KEYS_READ`), as the API and exports show them. */
export function scopeNames(scopes: readonly string[]): string[] {
  return scopes.map((scope) => SCOPE_NAMES.get(scope) ?? scope);
}

const SCOPE_NAMES = new Map<string, string>(Object.entries(ApiKeyScope).map(([name, value]) => [value, name]));

/** Member roles, strongest first. */
export enum Role {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
}

/** Everything a caller can be allowed to do: every key scope, plus changing the plan (never grantable to a key). */
export type Permission = ApiKeyScope | 'plan:write';

export const ALL_SCOPES: readonly ApiKeyScope[] = Object.values(ApiKeyScope);

const READ_SCOPES = [ApiKeyScope.KEYS_READ, ApiKeyScope.SETTINGS_READ, ApiKeyScope.MEMBERS_READ];

/** What each role may do; an API key gets the intersection of its scopes and its owner's role. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  [Role.OWNER]: new Set<Permission>([...ALL_SCOPES, 'plan:write']),
  [Role.ADMIN]: new Set<Permission>(ALL_SCOPES),
  [Role.MEMBER]: new Set<Permission>(READ_SCOPES),
};
