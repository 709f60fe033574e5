import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { User } from '../accounts/user.entity';
import { ROLE_PERMISSIONS, type ApiKeyScope, type Role } from '../auth/permissions';
import { permissionsOf, type Principal } from '../auth/principal';
import type { AppendAudit, AuditTargetInput } from '../audit/audit.recorder';
import { ForbiddenError, type DeniedAttempt } from '../shared/errors';
import { ApiKey, ApiKeyStatus, isWorking } from './api-key.entity';

/** `revokeReason` and audit reason of a key revoked because the member who created it left the account. */
export const MEMBER_REMOVED_REASON = 'member removed';

/** `revokeReason` and audit reason of a key revoked because the key that created it was revoked. */
export const CREATING_KEY_REVOKED_REASON = 'creating key revoked';

/**
 * The keys bound to `roots` (of one account), each with the root it is bound
 * to: every key created by a root or by a key a root replaced, and,
 * transitively, every key created by or replacing one of those. The roots
 * themselves are left out.
 */
const DESCENDANTS = `
  WITH RECURSIVE line AS (
    SELECT id, rotated_from_id, id AS root_id FROM api_keys WHERE account_id = ? AND id = ANY (?::uuid[])
    UNION
    SELECT k.id, k.rotated_from_id, l.root_id FROM api_keys k JOIN line l ON k.id = l.rotated_from_id
  ), tree AS (
    SELECT k.id, l.root_id FROM api_keys k JOIN line l ON k.created_by_key_id = l.id
    UNION
    SELECT k.id, t.root_id FROM api_keys k JOIN tree t ON k.created_by_key_id = t.id OR k.rotated_from_id = t.id
  )
  SELECT DISTINCT ON (id) id, root_id FROM tree WHERE id <> ALL (?::uuid[]) ORDER BY id, root_id`;

/** The audit target of a key. */
export function apiKeyTarget(key: Pick<ApiKey, 'id' | 'name' | 'displayKey'>): AuditTargetInput {
  return { type: 'api_key', id: key.id, display: `${key.name} (${key.displayKey})` };
}

/** Who revokes, why, and when: one cause for every key a single request revokes. */
export interface Revocation {
  revokedBy: User;
  reason: string | null;
  now: Date;
}

/** Marks `key` revoked and appends its `api_key.revoked` event (metadata: the reason, plus `extra`). */
export async function revokeOne(
  audit: AppendAudit,
  key: ApiKey,
  { revokedBy, reason, now }: Revocation,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const before = key.statusAt(now);
  key.revokedAt = now;
  key.revokedBy = revokedBy;
  key.revokeReason = reason;
  await audit({
    action: 'api_key.revoked',
    target: apiKeyTarget(key),
    changes: [{ field: 'status', before, after: ApiKeyStatus.REVOKED }],
    metadata: { reason, ...extra },
  });
}

/**
 * Revokes every working key bound to `roots` (see DESCENDANTS): a key cannot
 * outlive the key that created it. Within the caller's transaction, which must
 * hold the account's lock (so no key is created or rotated meanwhile); one
 * `api_key.revoked` event per key, naming the root whose revocation caused it.
 * Keys already revoked or expired are left as they are.
 */
export async function revokeDescendants(
  tx: EntityManager,
  audit: AppendAudit,
  accountId: string,
  roots: readonly ApiKey[],
  revocation: Revocation,
): Promise<ApiKey[]> {
  if (roots.length === 0) return [];
  const rootIds = `{${roots.map((root) => root.id).join(',')}}`;
  const rows = await tx.execute<{ id: string; root_id: string }[]>(DESCENDANTS, [accountId, rootIds, rootIds]);
  if (rows.length === 0) return [];
  const rootOf = new Map(rows.map((row) => [row.id, row.root_id]));
  const keys = await tx.find(
    ApiKey,
    { id: { $in: [...rootOf.keys()] }, account: accountId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
  );
  const revoked = keys.filter((key) => isWorking(key.statusAt(revocation.now)));
  for (const key of revoked) {
    await revokeOne(
      audit,
      key,
      { ...revocation, reason: CREATING_KEY_REVOKED_REASON },
      {
        creatingKeyRevoked: rootOf.get(key.id),
      },
    );
  }
  return revoked;
}

/**
 * Makes `owner` (whose role in the account is `role`) the key's owner and
 * appends its `api_key.transferred` event with the owner before and after.
 * Returns the key's scopes that stop working under the new owner's role. The
 * key's `owner` must be loaded. A transfer to the current owner does nothing.
 */
export async function handOver(
  audit: AppendAudit,
  key: ApiKey,
  owner: User,
  role: Role,
  reason: string | null,
): Promise<ApiKeyScope[]> {
  const before = key.owner;
  if (before?.id === owner.id) return [];
  key.owner = owner;
  const allowed = ROLE_PERMISSIONS[role];
  const inactive = key.scopes.filter((scope) => !allowed.has(scope));
  await audit({
    action: 'api_key.transferred',
    target: apiKeyTarget(key),
    changes: [
      {
        field: 'owner',
        before: before ? { id: before.id, email: before.email } : null,
        after: { id: owner.id, email: owner.email },
      },
    ],
    metadata: { reason, newOwnerRole: role, scopesNoLongerEffective: inactive },
  });
  return inactive;
}

/** Throws FORBIDDEN unless the principal holds every scope of `scopes`: no one hands around power they lack. */
export function assertHoldsScopes(principal: Principal, scopes: readonly ApiKeyScope[], attempt: DeniedAttempt): void {
  const held = permissionsOf(principal);
  const missing = scopes.filter((scope) => !held.has(scope));
  if (missing.length > 0) {
    throw new ForbiddenError(
      `Not allowed: cannot grant scopes the caller does not hold (${missing.join(', ')})`,
      attempt,
    );
  }
}
