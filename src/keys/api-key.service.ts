import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from '../accounts/account.entity';
import { User } from '../accounts/user.entity';
import { ApiKeyScope, ROLE_PERMISSIONS, type Role } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import type { AppendAudit, AuditTargetInput, Caller } from '../audit/audit.recorder';
import { auditedTransaction } from '../audit/audit.recorder';
import { PLAN_ENTITLEMENTS } from '../entitlements/plans';
import { BadUserInputError, NotFoundError, QuotaExceededError, UnauthenticatedError } from '../shared/errors';
import { decodeCursor, encodeCursor, pageSize } from '../shared/pagination';
import { cutText, isUuid, optionalText, requireId, requireIntInRange, requireText } from '../shared/validation';
import { queryRows } from '../db/sql';
import { ApiKey, ApiKeyPurpose, ApiKeyStatus, isWorking } from './api-key.entity';
import { displayKeyOf, generateApiKeySecret, hashApiKey } from './api-key.format';
import { apiKeyTarget, assertHoldsScopes, handOver, revokeDescendants, revokeOne } from './api-key.revocation';
import {
  apiKeyViewOf,
  listQuery,
  ROLES_WITHOUT_KEYS_WRITE,
  type ApiKeyListFilter,
  type ApiKeyPageRow,
  type ApiKeyView,
} from './api-key.view';

const DAY_MS = 86_400_000;
/** Longest grace period a rotation may leave the old key working: 30 days. */
export const MAX_GRACE_PERIOD_SECONDS = 30 * 86_400;
const NAME_MAX = 100;
const DESCRIPTION_MAX = 1000;
const REASON_MAX = 500;
const HANDOFF_MAX = 100;
const SEARCH_MAX = 100;
/** Longest window of `usage`: the 7 days of hourly counts that are kept. */
export const MAX_USAGE_HOURS = 168;
/** Relations a key is read with wherever it is shown. */
const SHOWN = ['createdBy', 'revokedBy', 'owner'] as const;
const CURSOR_KIND = 'api_key';

export interface CreateApiKeyData {
  name: string;
  purpose: ApiKeyPurpose;
  scopes: ApiKeyScope[];
  /** Omitted: the account's default lifetime. Explicit null: no expiry, where the account allows it. */
  expiresAt?: Date | null;
  description?: string | null;
  /** The receiving team; required for TEAM_HANDOFF, refused for other purposes. */
  handoffTo?: string | null;
  /** A retry with the same key (same account, within 24 h) returns the first key instead of a second one. */
  idempotencyKey?: string | null;
}

/** Counts of the account's ACTIVE keys that need an admin's look. */
export interface KeyHealth {
  neverUsed: number;
  unusedFor30Days: number;
  expiringSoon: number;
  noExpiry: number;
  ownerNotAdmin: number;
}

/** One hour of a key's requests. */
export interface UsageHour {
  hour: Date;
  requests: number;
}

/** The scopes of a key that its owner's role does not allow (they grant nothing while it owns the key). */
export function inactiveScopesOf(scopes: readonly ApiKeyScope[], ownerRole: Role | null): ApiKeyScope[] {
  if (!ownerRole) return [...scopes];
  const allowed = ROLE_PERMISSIONS[ownerRole];
  return scopes.filter((scope) => !allowed.has(scope));
}

export interface ApiKeyPage {
  nodes: ApiKeyView[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

/** A newly minted key and its secret: the only time the secret exists outside the caller. */
export interface IssuedApiKey {
  apiKey: ApiKey;
  /** Empty on an idempotent replay: the secret exists only in the first response. */
  secret: string;
  /** True when this answers a retried idempotency key with the key created the first time. */
  replayed?: boolean;
}

/** How long an idempotency key is remembered. */
const IDEMPOTENCY_WINDOW = '24 hours';

function requestedTarget(id: string): AuditTargetInput {
  return { type: 'api_key', id };
}

/** The member whose authority a principal carries: the user, or the key's creator. */
function authorityUserId(principal: Principal): string {
  return principal.kind === 'user' ? principal.userId : principal.ownerUserId;
}

/** Rules of the API key lifecycle. Every mutation is one transaction with its audit event. */
export class ApiKeyService {
  /** Creates a key; the secret is returned here and never again. */
  async create(
    em: EntityManager,
    caller: Caller & { principal: Principal },
    data: CreateApiKeyData,
  ): Promise<IssuedApiKey> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      assertPermission(principal, ApiKeyScope.KEYS_WRITE, {
        action: 'api_key.created',
        target: { type: 'api_key', display: cutText(data.name, NAME_MAX) },
      });
      const name = requireText(data.name, 'name', NAME_MAX);
      const description = optionalText(data.description, 'description', DESCRIPTION_MAX);
      const handoffTo = handoffOf(data.purpose, data.handoffTo);
      const scopes = this.checkScopes(principal, data.scopes, 'api_key.created');
      const idempotencyKey = optionalText(data.idempotencyKey, 'idempotencyKey', 255);
      // The account lock serialises creates, so the idempotency check and the quota are exact.
      const account = await tx.findOneOrFail(Account, principal.accountId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (idempotencyKey) {
        const [earlier] = await tx.execute<{ resource_id: string }[]>(
          `SELECT resource_id FROM idempotency_keys
            WHERE account_id = ? AND operation = 'createApiKey' AND key = ? AND created_at > now() - interval '${IDEMPOTENCY_WINDOW}'`,
          [account.id, idempotencyKey],
        );
        const first = earlier && (await tx.findOne(ApiKey, { id: earlier.resource_id }, { populate: SHOWN }));
        if (first) return { apiKey: first, secret: '', replayed: true };
      }
      const now = new Date();
      const parent = await this.creatingKey(tx, principal, now);
      const expiresAt = this.resolveExpiry(account, data.expiresAt, now, parent?.expiresAt);
      await this.assertQuota(tx, account, now);

      const { key, secret } = await this.mint(tx, principal, now, {
        account,
        name,
        purpose: data.purpose,
        description,
        handoffTo,
        scopes,
        expiresAt,
        createdByKeyId: parent?.id ?? null,
      });
      await audit({
        action: 'api_key.created',
        target: apiKeyTarget(key),
        metadata: {
          name,
          purpose: key.purpose,
          ...(handoffTo ? { handoffTo } : {}),
          scopes,
          expiresAt: expiresAt?.toISOString() ?? null,
        },
      });
      if (idempotencyKey) {
        await tx.execute(
          `INSERT INTO idempotency_keys (account_id, operation, key, resource_id) VALUES (?, 'createApiKey', ?, ?)
           ON CONFLICT (account_id, operation, key) DO UPDATE SET resource_id = excluded.resource_id, created_at = now()`,
          [account.id, idempotencyKey, key.id],
        );
      }
      return { apiKey: key, secret };
    });
  }

  /**
   * Replaces a key with a new secret of the same name, purpose, scopes and
   * expiry. The old key keeps working for `gracePeriodSeconds`, then expires;
   * a key that was itself a replacement still in its predecessor's grace
   * period ends that grace at once, so a key's line never has more than one
   * older secret working. Made by an API key, the replacement is bound to that
   * key (its expiry capped, revoked with it), like a key it creates.
   */
  async rotate(
    em: EntityManager,
    caller: Caller & { principal: Principal },
    input: { id: string; gracePeriodSeconds?: number | null; expectedDisplayKey?: string | null },
  ): Promise<IssuedApiKey & { previousKey: ApiKey }> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      assertPermission(principal, ApiKeyScope.KEYS_WRITE, {
        action: 'api_key.rotated',
        target: requestedTarget(input.id),
      });
      const grace = requireIntInRange(input.gracePeriodSeconds ?? 0, 'gracePeriodSeconds', 0, MAX_GRACE_PERIOD_SECONDS);
      // The account lock orders rotation with revocations that cascade through this key's line.
      const account = await tx.findOneOrFail(Account, principal.accountId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const old = await this.lockKey(tx, principal, input.id, input.expectedDisplayKey);
      const now = new Date();
      const status = old.statusAt(now);
      if (status === ApiKeyStatus.ROTATING)
        throw new BadUserInputError('This key was already rotated; rotate its replacement instead', 'id');
      if (status !== ApiKeyStatus.ACTIVE) {
        throw new BadUserInputError(`Only an active key can be rotated; this key is ${status}`, 'id');
      }
      this.checkScopes(principal, old.scopes, 'api_key.rotated');
      const parent = await this.creatingKey(tx, principal, now);

      const maxExpiry = new Date(now.getTime() + account.maxKeyLifetimeDays * DAY_MS);
      const kept =
        old.expiresAt ??
        (account.requireKeyExpiration ? new Date(now.getTime() + account.defaultKeyLifetimeDays * DAY_MS) : null);
      const expiresAt = earliest(kept, maxExpiry, parent?.expiresAt ?? null);

      await this.endPredecessorGrace(tx, audit, old, now);
      const { key: replacement, secret } = await this.mint(tx, principal, now, {
        account,
        name: old.name,
        purpose: old.purpose,
        description: old.description,
        handoffTo: old.handoffTo,
        scopes: [...old.scopes],
        expiresAt,
        owner: old.owner,
        rotatedFromId: old.id,
        createdByKeyId: parent ? parent.id : old.createdByKeyId,
      });
      const graceEnds = new Date(now.getTime() + grace * 1000);
      const previousExpiry = old.expiresAt;
      old.rotatedAt = now;
      if (!old.expiresAt || old.expiresAt.getTime() > graceEnds.getTime()) old.expiresAt = graceEnds;
      await audit({
        action: 'api_key.rotated',
        target: apiKeyTarget(old),
        changes: [
          { field: 'expiresAt', before: previousExpiry?.toISOString() ?? null, after: old.expiresAt.toISOString() },
        ],
        metadata: {
          gracePeriodSeconds: grace,
          replacementKeyId: replacement.id,
          replacementDisplayKey: replacement.displayKey,
        },
      });
      await tx.populate([old, replacement], SHOWN);
      return { apiKey: replacement, secret, previousKey: old };
    });
  }

  /**
   * Revokes a key at once, and with it every key it (or a key it replaced)
   * created, transitively: one `api_key.revoked` event each. Revoking a
   * revoked key returns it unchanged and records nothing.
   */
  async revoke(
    em: EntityManager,
    caller: Caller & { principal: Principal },
    input: { id: string; reason?: string | null; expectedDisplayKey?: string | null },
  ): Promise<ApiKey> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      assertPermission(principal, ApiKeyScope.KEYS_WRITE, {
        action: 'api_key.revoked',
        target: requestedTarget(input.id),
      });
      const reason = optionalText(input.reason, 'reason', REASON_MAX);
      // The account lock keeps keys from being created or rotated under the key while its tree is revoked.
      await tx.findOneOrFail(Account, principal.accountId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const key = await this.lockKey(tx, principal, input.id, input.expectedDisplayKey);
      if (!key.revokedAt) {
        const revocation = {
          revokedBy: await tx.findOneOrFail(User, authorityUserId(principal)),
          reason,
          now: new Date(),
        };
        await revokeOne(audit, key, revocation);
        await revokeDescendants(tx, audit, principal.accountId, [key], revocation);
      }
      await tx.populate(key, SHOWN);
      return key;
    });
  }

  /** Renames a key or changes its description; a no-op update records nothing. */
  async update(
    em: EntityManager,
    caller: Caller & { principal: Principal },
    input: { id: string; name?: string | null; description?: string | null },
  ): Promise<ApiKey> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      assertPermission(principal, ApiKeyScope.KEYS_WRITE, {
        action: 'api_key.updated',
        target: requestedTarget(input.id),
      });
      const name =
        input.name === undefined || input.name === null ? undefined : requireText(input.name, 'name', NAME_MAX);
      const description =
        input.description === undefined ? undefined : optionalText(input.description, 'description', DESCRIPTION_MAX);
      const key = await this.lockKey(tx, principal, input.id);
      const changes = [];
      if (name !== undefined && name !== key.name) {
        changes.push({ field: 'name', before: key.name, after: name });
        key.name = name;
      }
      if (description !== undefined && description !== key.description) {
        changes.push({ field: 'description', before: key.description, after: description });
        key.description = description;
      }
      if (changes.length > 0) await audit({ action: 'api_key.updated', target: apiKeyTarget(key), changes });
      await tx.populate(key, SHOWN);
      return key;
    });
  }

  /** One key of the caller's account; NOT_FOUND for any other id. */
  async get(em: EntityManager, principal: Principal, id: string): Promise<ApiKey> {
    assertPermission(principal, ApiKeyScope.KEYS_READ);
    const key = await em.findOne(
      ApiKey,
      { id: requireId(id, 'API key'), account: principal.accountId },
      { populate: SHOWN },
    );
    if (!key) throw new NotFoundError('API key');
    return key;
  }

  /**
   * Newest first, keyset-paginated on (createdAt, id). One statement reads the
   * total, the page and both users into plain rows (no entity hydration: this
   * is the hottest read of the API). `em` only lends a pooled connection: the
   * root EntityManager will do (no fork needed).
   */
  async list(
    em: EntityManager,
    principal: Principal,
    args: { first?: number | null; after?: string | null; filter?: ApiKeyListFilter | null },
  ): Promise<ApiKeyPage> {
    assertPermission(principal, ApiKeyScope.KEYS_READ);
    const limit = pageSize(args.first, { default: 20, max: 100 });
    let after: [Date, string] | undefined;
    if (args.after) {
      const [createdAt, id] = decodeCursor(CURSOR_KIND, args.after);
      const at = typeof createdAt === 'string' ? new Date(createdAt) : undefined;
      if (!at || Number.isNaN(at.getTime()) || typeof id !== 'string' || !isUuid(id)) {
        throw new BadUserInputError('after is not a valid cursor', 'after');
      }
      after = [at, id];
    }
    const filter = checkFilter(args.filter ?? {});
    const { statement, values } = listQuery(principal.accountId, limit + 1, filter, after, new Date());
    const rows = await queryRows<ApiKeyPageRow>(em, statement, values);
    const keys = rows.filter((row) => row.id !== null).map(apiKeyViewOf);
    const nodes = keys.slice(0, limit);
    return {
      nodes,
      cursors: nodes.map((key) => encodeCursor(CURSOR_KIND, [key.createdAt.toISOString(), key.id])),
      hasNextPage: keys.length > limit,
      totalCount: Number(rows[0]?.total ?? 0),
    };
  }

  /**
   * Hands a key to another member of the account: from then on it acts with
   * that member's current role (scopes the role lacks stop working and are
   * named in the event). Needs keys:write, and the caller must hold the key's
   * scopes itself. One `api_key.transferred` event with the owner before and after.
   */
  async transfer(
    em: EntityManager,
    caller: Caller & { principal: Principal },
    input: { id: string; toUserId: string; reason?: string | null },
  ): Promise<ApiKey & { ownerRole: Role }> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      assertPermission(principal, ApiKeyScope.KEYS_WRITE, {
        action: 'api_key.transferred',
        target: requestedTarget(input.id),
      });
      const reason = optionalText(input.reason, 'reason', REASON_MAX);
      const toUserId = requireId(input.toUserId, 'Member');
      await tx.findOneOrFail(Account, principal.accountId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const key = await this.lockKey(tx, principal, input.id);
      const status = key.statusAt(new Date());
      if (!isWorking(status)) {
        throw new BadUserInputError(`Only a working key can be transferred; this key is ${status}`, 'id');
      }
      this.checkScopes(principal, key.scopes, 'api_key.transferred');
      const [member] = await tx.execute<{ role: Role }[]>(
        'SELECT role FROM memberships WHERE account_id = ? AND user_id = ?',
        [principal.accountId, toUserId],
      );
      if (!member) throw new BadUserInputError('toUserId is not a member of this account', 'toUserId');
      await tx.populate(key, SHOWN);
      await handOver(audit, key, await tx.findOneOrFail(User, toUserId), member.role, reason);
      return Object.assign(key, { ownerRole: member.role });
    });
  }

  /**
   * Ends a rotated key's grace period now: it fails from the next request.
   * Needs keys:write; audited as `api_key.grace_ended`.
   */
  async endRotationGrace(
    em: EntityManager,
    caller: Caller & { principal: Principal },
    input: { id: string },
  ): Promise<ApiKey> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      assertPermission(principal, ApiKeyScope.KEYS_WRITE, {
        action: 'api_key.grace_ended',
        target: requestedTarget(input.id),
      });
      const key = await this.lockKey(tx, principal, input.id);
      const now = new Date();
      const status = key.statusAt(now);
      if (status !== ApiKeyStatus.ROTATING) {
        throw new BadUserInputError(`Only a key in its rotation grace period can end it; this key is ${status}`, 'id');
      }
      const before = key.expiresAt;
      key.expiresAt = now;
      await audit({
        action: 'api_key.grace_ended',
        target: apiKeyTarget(key),
        changes: [{ field: 'expiresAt', before: before?.toISOString() ?? null, after: now.toISOString() }],
        metadata: { reason: 'ended by request', requestsSinceRotation: key.requestsSinceRotation },
      });
      await tx.populate(key, SHOWN);
      return key;
    });
  }

  /** Counts of ACTIVE keys needing attention (keys:read). */
  async keyHealth(em: EntityManager, principal: Principal): Promise<KeyHealth> {
    assertPermission(principal, ApiKeyScope.KEYS_READ);
    const [row] = await queryRows<Record<keyof KeyHealth, string>>(em, KEY_HEALTH, [
      principal.accountId,
      new Date(),
      ROLES_WITHOUT_KEYS_WRITE,
    ]);
    return {
      neverUsed: Number(row?.neverUsed ?? 0),
      unusedFor30Days: Number(row?.unusedFor30Days ?? 0),
      expiringSoon: Number(row?.expiringSoon ?? 0),
      noExpiry: Number(row?.noExpiry ?? 0),
      ownerNotAdmin: Number(row?.ownerNotAdmin ?? 0),
    };
  }

  /** A key's requests per hour for the last `hours` hours, oldest first, every hour present (keys:read). */
  async usage(em: EntityManager, principal: Principal, keyId: string, hours: number): Promise<UsageHour[]> {
    assertPermission(principal, ApiKeyScope.KEYS_READ);
    const last = requireIntInRange(hours, 'last', 1, MAX_USAGE_HOURS);
    const rows = await queryRows<{ hour: string; requests: string }>(em, KEY_USAGE, [keyId, principal.accountId, last]);
    return rows.map((row) => ({ hour: new Date(row.hour), requests: Number(row.requests) }));
  }

  /** A new key with a fresh secret, carrying the authority of the principal's member. */
  private async mint(
    tx: EntityManager,
    principal: Principal,
    now: Date,
    fields: Pick<
      ApiKey,
      'account' | 'name' | 'purpose' | 'description' | 'handoffTo' | 'scopes' | 'expiresAt' | 'createdByKeyId'
    > & {
      rotatedFromId?: string;
      /** Default: the member whose authority the principal carries. */
      owner?: User | null;
    },
  ): Promise<{ key: ApiKey; secret: string }> {
    const secret = generateApiKeySecret();
    const authority = await tx.findOneOrFail(User, authorityUserId(principal));
    const key = tx.create(ApiKey, {
      ...fields,
      digest: hashApiKey(secret),
      displayKey: displayKeyOf(secret),
      createdAt: now,
      createdBy: authority,
      owner: fields.owner ?? authority,
    });
    return { key, secret };
  }

  /**
   * The caller's key `id`, locked for the transaction; NOT_FOUND for any other id. With `expectedDisplayKey`
   * (a caller confirming which key it means, as MCP's destructive tools must), a key showing another display key
   * is refused before anything changes.
   */
  private async lockKey(
    tx: EntityManager,
    principal: Principal,
    id: string,
    expectedDisplayKey?: string | null,
  ): Promise<ApiKey> {
    const key = await tx.findOne(
      ApiKey,
      { id: requireId(id, 'API key'), account: principal.accountId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!key) throw new NotFoundError('API key');
    if (expectedDisplayKey !== undefined && expectedDisplayKey !== null && expectedDisplayKey !== key.displayKey) {
      throw new BadUserInputError(
        'expectedDisplayKey does not match this key’s display key; nothing was changed',
        'expectedDisplayKey',
      );
    }
    return key;
  }

  /**
   * The API key a principal acts with, read within the transaction (after the
   * account lock): its expiry bounds what it creates. Null for a user.
   */
  private async creatingKey(tx: EntityManager, principal: Principal, now: Date): Promise<ApiKey | null> {
    if (principal.kind !== 'apiKey') return null;
    const key = await tx.findOneOrFail(ApiKey, { id: principal.keyId, account: principal.accountId });
    const status = key.statusAt(now);
    // Revoked or expired since the request was authenticated.
    if (!isWorking(status)) throw new UnauthenticatedError(`API key is ${status.toLowerCase()}`);
    return key;
  }

  /** Ends at once the grace period of the key `key` replaced, if it is still working; audited. */
  private async endPredecessorGrace(tx: EntityManager, audit: AppendAudit, key: ApiKey, now: Date): Promise<void> {
    if (!key.rotatedFromId) return;
    const previous = await tx.findOne(
      ApiKey,
      { id: key.rotatedFromId, account: key.account },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!previous || !isWorking(previous.statusAt(now))) return;
    const before = previous.expiresAt;
    previous.expiresAt = now;
    await audit({
      action: 'api_key.grace_ended',
      target: apiKeyTarget(previous),
      changes: [{ field: 'expiresAt', before: before?.toISOString() ?? null, after: now.toISOString() }],
      metadata: { reason: 'its replacement was rotated', replacementKeyId: key.id },
    });
  }

  /** Deduplicated, non-empty scopes; a key can never hand out a scope it does not hold itself. */
  private checkScopes(principal: Principal, requested: ApiKeyScope[], action: string): ApiKeyScope[] {
    const scopes = [...new Set(requested)];
    if (scopes.length === 0) throw new BadUserInputError('scopes must name at least one scope', 'scopes');
    assertHoldsScopes(principal, scopes, { action, target: { type: 'api_key' } });
    return scopes;
  }

  /**
   * The account's expiry policy applied to a requested `expiresAt`. A key made
   * by an API key (`parentExpiry` not undefined) cannot outlive it: the default
   * is capped at the parent's expiry, and a later date or no expiry is refused.
   */
  private resolveExpiry(
    account: Account,
    requested: Date | null | undefined,
    now: Date,
    parentExpiry: Date | null | undefined,
  ): Date | null {
    const max = account.maxKeyLifetimeDays;
    const outlives = (what: string) =>
      new BadUserInputError(
        `${what}: a key cannot outlive the API key that creates it, which expires at ${parentExpiry!.toISOString()}`,
        'expiresAt',
      );
    if (requested === undefined) {
      const byDefault = new Date(now.getTime() + Math.min(account.defaultKeyLifetimeDays, max) * DAY_MS);
      return earliest(byDefault, parentExpiry ?? null);
    }
    if (requested === null) {
      if (parentExpiry) throw outlives('expiresAt cannot be null');
      if (account.requireKeyExpiration) {
        throw new BadUserInputError(
          `This account requires API keys to expire: give an expiresAt within ${max} days, or omit it for the default of ${account.defaultKeyLifetimeDays} days`,
          'expiresAt',
        );
      }
      return null;
    }
    if (Number.isNaN(requested.getTime()) || requested.getTime() <= now.getTime()) {
      throw new BadUserInputError('expiresAt must be in the future', 'expiresAt');
    }
    if (requested.getTime() > now.getTime() + max * DAY_MS) {
      throw new BadUserInputError(`expiresAt exceeds this account's maximum key lifetime of ${max} days`, 'expiresAt');
    }
    if (parentExpiry && requested.getTime() > parentExpiry.getTime()) throw outlives('expiresAt is too late');
    return requested;
  }

  private async assertQuota(tx: EntityManager, account: Account, now: Date): Promise<void> {
    const limit = PLAN_ENTITLEMENTS[account.plan].maxActiveApiKeys;
    const active = await tx.count(ApiKey, {
      account,
      revokedAt: null,
      $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
    });
    if (active >= limit) {
      throw new QuotaExceededError(
        `The ${account.plan} plan allows ${limit} active API keys; revoke one or upgrade the plan`,
        'maxActiveApiKeys',
        limit,
      );
    }
  }
}

/** The earliest of some optional dates; null (never) only when all are null. */
function earliest(...dates: (Date | null)[]): Date | null {
  const set = dates.filter((date): date is Date => date !== null);
  return set.length === 0 ? null : new Date(Math.min(...set.map((date) => date.getTime())));
}

/** The hand-off team: required for TEAM_HANDOFF keys, refused for others. */
function handoffOf(purpose: ApiKeyPurpose, handoffTo: string | null | undefined): string | null {
  const team = optionalText(handoffTo, 'handoffTo', HANDOFF_MAX);
  if (purpose === ApiKeyPurpose.TEAM_HANDOFF && !team) {
    throw new BadUserInputError('handoffTo must name the receiving team for a TEAM_HANDOFF key', 'handoffTo');
  }
  if (purpose !== ApiKeyPurpose.TEAM_HANDOFF && team) {
    throw new BadUserInputError('handoffTo is only for TEAM_HANDOFF keys', 'handoffTo');
  }
  return team;
}

/** The list filter with its values checked (days within 1–3650, ids well formed, search text bounded). */
function checkFilter(filter: ApiKeyListFilter): ApiKeyListFilter {
  const days = (value: number | null | undefined, field: string) =>
    value == null ? null : requireIntInRange(value, field, 1, 3650);
  return {
    ...filter,
    ownerId: filter.ownerId == null ? null : checkedUuid(filter.ownerId, 'filter.ownerId'),
    expiringWithinDays: days(filter.expiringWithinDays, 'filter.expiringWithinDays'),
    unusedForDays: days(filter.unusedForDays, 'filter.unusedForDays'),
    search: optionalText(filter.search, 'filter.search', SEARCH_MAX),
  };
}

function checkedUuid(value: string, field: string): string {
  if (!isUuid(value)) throw new BadUserInputError(`${field} is not a valid id`, field);
  return value.toLowerCase();
}

/** `$1` account, `$2` now, `$3` roles without keys:write. */
const KEY_HEALTH = {
  name: 'api_keys_health',
  text: `
    SELECT count(*) FILTER (WHERE k.last_used_at IS NULL) AS "neverUsed",
           count(*) FILTER (WHERE coalesce(k.last_used_at, k.created_at) < $2::timestamptz - interval '30 days') AS "unusedFor30Days",
           count(*) FILTER (WHERE k.expires_at <= $2::timestamptz + interval '7 days') AS "expiringSoon",
           count(*) FILTER (WHERE k.expires_at IS NULL) AS "noExpiry",
           count(*) FILTER (WHERE m.role IS NULL OR m.role = ANY($3::text[])) AS "ownerNotAdmin"
      FROM api_keys k
      LEFT JOIN memberships m ON m.account_id = k.account_id AND m.user_id = k.owner_id
     WHERE k.account_id = $1 AND k.revoked_at IS NULL AND k.rotated_at IS NULL
       AND (k.expires_at IS NULL OR k.expires_at > $2::timestamptz)`,
};

/** `$1` key, `$2` account, `$3` hours: one row per hour up to the current one, zero where none was counted. */
const KEY_USAGE = {
  name: 'api_key_usage_hours',
  text: `
    SELECT h.hour, coalesce(u.requests, 0) AS requests
      FROM api_keys k
      CROSS JOIN generate_series(date_trunc('hour', now()) - make_interval(hours => $3::int - 1),
                                 date_trunc('hour', now()), interval '1 hour') AS h(hour)
      LEFT JOIN api_key_usage u ON u.key_id = k.id AND u.hour = h.hour
     WHERE k.id = $1 AND k.account_id = $2
     ORDER BY h.hour`,
};
