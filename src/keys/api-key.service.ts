import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from '../accounts/account.entity';
import { User } from '../accounts/user.entity';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, permissionsOf, type Principal } from '../auth/principal';
import type { AppendAudit, AuditTargetInput, Caller } from '../audit/audit.recorder';
import { auditedTransaction } from '../audit/audit.recorder';
import { PLAN_ENTITLEMENTS } from '../entitlements/plans';
import {
  BadUserInputError,
  ForbiddenError,
  NotFoundError,
  QuotaExceededError,
  UnauthenticatedError,
} from '../shared/errors';
import { decodeCursor, encodeCursor, pageSize } from '../shared/pagination';
import { cutText, isUuid, optionalText, requireId, requireIntInRange, requireText } from '../shared/validation';
import { queryRows } from '../db/sql';
import { ApiKey, type ApiKeyPurpose, ApiKeyStatus } from './api-key.entity';
import { displayKeyOf, generateApiKeySecret, hashApiKey } from './api-key.format';
import { apiKeyTarget, revokeDescendants, revokeOne } from './api-key.revocation';
import { apiKeyViewOf, listStatement, type ApiKeyPageRow, type ApiKeyView } from './api-key.view';

const DAY_MS = 86_400_000;
/** Longest grace period a rotation may leave the old key working: 30 days. */
export const MAX_GRACE_PERIOD_SECONDS = 30 * 86_400;
const NAME_MAX = 100;
const DESCRIPTION_MAX = 1000;
const REASON_MAX = 500;
const CURSOR_KIND = 'api_key';

export interface CreateApiKeyData {
  name: string;
  purpose: ApiKeyPurpose;
  scopes: ApiKeyScope[];
  /** Omitted: the account's default lifetime. Explicit null: no expiry, where the account allows it. */
  expiresAt?: Date | null;
  description?: string | null;
  /** A retry with the same key (same account, within 24 h) returns the first key instead of a second one. */
  idempotencyKey?: string | null;
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
        const first =
          earlier && (await tx.findOne(ApiKey, { id: earlier.resource_id }, { populate: ['createdBy', 'revokedBy'] }));
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
        scopes,
        expiresAt,
        createdByKeyId: parent?.id ?? null,
      });
      await audit({
        action: 'api_key.created',
        target: apiKeyTarget(key),
        metadata: { name, purpose: key.purpose, scopes, expiresAt: expiresAt?.toISOString() ?? null },
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
      if (status !== ApiKeyStatus.ACTIVE) {
        throw new BadUserInputError(`Only an active key can be rotated; this key is ${status}`, 'id');
      }
      if (old.rotatedAt)
        throw new BadUserInputError('This key was already rotated; rotate its replacement instead', 'id');
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
        scopes: [...old.scopes],
        expiresAt,
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
      await tx.populate([old, replacement], ['createdBy', 'revokedBy']);
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
      await tx.populate(key, ['createdBy', 'revokedBy']);
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
      await tx.populate(key, ['createdBy', 'revokedBy']);
      return key;
    });
  }

  /** One key of the caller's account; NOT_FOUND for any other id. */
  async get(em: EntityManager, principal: Principal, id: string): Promise<ApiKey> {
    assertPermission(principal, ApiKeyScope.KEYS_READ);
    const key = await em.findOne(
      ApiKey,
      { id: requireId(id, 'API key'), account: principal.accountId },
      { populate: ['createdBy', 'revokedBy'] },
    );
    if (!key) throw new NotFoundError('API key');
    return key;
  }

  /**
   * Newest first, keyset-paginated on (createdAt, id). One statement reads the
   * total, the page and both users into plain rows (no entity hydration: this
   * is the hottest read of the API).
   */
  async list(
    em: EntityManager,
    principal: Principal,
    args: { first?: number | null; after?: string | null; status?: ApiKeyStatus | null },
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
    const status = args.status ?? null;
    const values: unknown[] = [principal.accountId, limit + 1];
    if (status === ApiKeyStatus.EXPIRED || status === ApiKeyStatus.ACTIVE) values.push(new Date());
    if (after) values.push(...after);
    const rows = await queryRows<ApiKeyPageRow>(em, listStatement(status, Boolean(after)), values);
    const keys = rows.filter((row) => row.id !== null).map(apiKeyViewOf);
    const nodes = keys.slice(0, limit);
    return {
      nodes,
      cursors: nodes.map((key) => encodeCursor(CURSOR_KIND, [key.createdAt.toISOString(), key.id])),
      hasNextPage: keys.length > limit,
      totalCount: Number(rows[0]?.total ?? 0),
    };
  }

  /** A new key with a fresh secret, carrying the authority of the principal's member. */
  private async mint(
    tx: EntityManager,
    principal: Principal,
    now: Date,
    fields: Pick<ApiKey, 'account' | 'name' | 'purpose' | 'description' | 'scopes' | 'expiresAt' | 'createdByKeyId'> & {
      rotatedFromId?: string;
    },
  ): Promise<{ key: ApiKey; secret: string }> {
    const secret = generateApiKeySecret();
    const key = tx.create(ApiKey, {
      ...fields,
      digest: hashApiKey(secret),
      displayKey: displayKeyOf(secret),
      createdAt: now,
      createdBy: await tx.findOneOrFail(User, authorityUserId(principal)),
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
    if (status !== ApiKeyStatus.ACTIVE) throw new UnauthenticatedError(`API key is ${status.toLowerCase()}`);
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
    if (!previous || previous.statusAt(now) !== ApiKeyStatus.ACTIVE) return;
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
    const held = permissionsOf(principal);
    const missing = scopes.filter((scope) => !held.has(scope));
    if (missing.length > 0) {
      throw new ForbiddenError(`Not allowed: cannot grant scopes the caller does not hold (${missing.join(', ')})`, {
        action,
        target: { type: 'api_key' },
      });
    }
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
