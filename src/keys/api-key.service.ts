import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from '../accounts/account.entity';
import { User } from '../accounts/user.entity';
import { ApiKeyScope, ROLE_PERMISSIONS, type Role } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import type { AppendAudit, AuditTargetInput, Caller } from '../audit/audit.recorder';
import {
  appendedEvents,
  auditedTransaction,
  prepareAuditEvents,
  recordingDenials,
  type AppendedRow,
} from '../audit/audit.recorder';
import { PLAN_ENTITLEMENTS, type Plan } from '../entitlements/plans';
import {
  AppError,
  BadUserInputError,
  ErrorCode,
  NotFoundError,
  QuotaExceededError,
  UnauthenticatedError,
} from '../shared/errors';
import { decodeCursor, encodeCursor, pageSize } from '../shared/pagination';
import { cutText, isUuid, optionalText, requireId, requireIntInRange, requireText } from '../shared/validation';
import { queryRows, type Statement } from '../db/sql';
import { ApiKey, ApiKeyPurpose, ApiKeyStatus, isWorking } from './api-key.entity';
import { KeyPolicies, type KeyPolicy } from './key-policies';
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
  apiKey: ApiKeyView;
  /** Empty on an idempotent replay: the secret exists only in the first response. */
  secret: string;
  /** True when this answers a retried idempotency key with the key created the first time. */
  replayed?: boolean;
}

/** Tries of `api_key_create` before giving up on an account whose policy or creating key keeps changing. */
const MAX_CREATE_ATTEMPTS = 5;

/** The account's plan and key policy, and the creating key's state (none for a user). */
interface CreateStateRow {
  plan: Plan;
  policy: PolicyJson;
  creator_found: boolean;
  creator_revoked_at: string | null;
  creator_expires_at: string | null;
}

/** A key policy as `api_key_create` compares and answers it. */
interface PolicyJson {
  require_key_expiration: boolean;
  default_key_lifetime_days: number;
  max_key_lifetime_days: number;
}

const CREATE_STATE: Statement = {
  name: 'api_key_create_state',
  text: `SELECT a.plan,
                jsonb_build_object('require_key_expiration', a.require_key_expiration,
                                   'default_key_lifetime_days', a.default_key_lifetime_days,
                                   'max_key_lifetime_days', a.max_key_lifetime_days) AS policy,
                c.id IS NOT NULL AS creator_found, c.revoked_at AS creator_revoked_at, c.expires_at AS creator_expires_at
           FROM accounts a
           LEFT JOIN api_keys c ON c.id = $2 AND c.account_id = a.id
          WHERE a.id = $1`,
};

function policyJson(policy: KeyPolicy): PolicyJson {
  return {
    require_key_expiration: policy.requireKeyExpiration,
    default_key_lifetime_days: policy.defaultKeyLifetimeDays,
    max_key_lifetime_days: policy.maxKeyLifetimeDays,
  };
}

function policyOf(row: { plan: Plan | null; policy: PolicyJson | null }): KeyPolicy {
  return {
    plan: row.plan!,
    requireKeyExpiration: row.policy!.require_key_expiration,
    defaultKeyLifetimeDays: row.policy!.default_key_lifetime_days,
    maxKeyLifetimeDays: row.policy!.max_key_lifetime_days,
  };
}

/** `api_key_create`'s answer: `created` with the appended event, or the check that failed. */
interface CreateOutcomeRow extends AppendedRow {
  outcome: 'created' | 'replayed' | 'quota' | 'stale' | 'creator_changed' | 'account_gone';
  resource_id: string | null;
  plan: Plan | null;
  policy: PolicyJson | null;
  owner_email: string | null;
  owner_name: string | null;
}

const CREATE: Statement = {
  name: 'api_key_create',
  text: `SELECT outcome, resource_id, appended_seq, appended_prev_hash, appended_hash, plan, policy, owner_email, owner_name
           FROM api_key_create($1::jsonb, $2, $3::jsonb, $4, $5, $6, $7, $8::jsonb)`,
};

/** The creating key's expiry (its keys cannot outlive it), read again before creating; refused once it stopped working. */
function creatorExpiryOf(row: CreateStateRow, now: Date): Date | null {
  if (!row.creator_found || row.creator_revoked_at) throw new UnauthenticatedError('API key is revoked');
  const expiresAt = row.creator_expires_at ? new Date(row.creator_expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw new UnauthenticatedError('API key is expired');
  return expiresAt;
}

function requestedTarget(id: string): AuditTargetInput {
  return { type: 'api_key', id };
}

/** The member whose authority a principal carries: the user, or the key's creator. */
function authorityUserId(principal: Principal): string {
  return principal.kind === 'user' ? principal.userId : principal.ownerUserId;
}

/** Rules of the API key lifecycle. Every mutation is one transaction with its audit event. */
export class ApiKeyService {
  /** This instance's last view of each account's plan and key policy (checked by every create). */
  private readonly policies = new KeyPolicies();

  /**
   * Creates a key; the secret is returned here and never again. One statement
   * makes the change: `api_key_create` answers a used idempotency key with the
   * first key, and otherwise, under the account's lock, checks the plan and
   * expiry policy the key was computed from (this instance's last view of
   * them, {@link KeyPolicies}) and that the creating key still works, counts
   * the active keys against the plan, inserts the key with its idempotency
   * record and appends its event — the change and its event commit together
   * or not at all. A stale view is answered with the current one and the key
   * is computed again; a creating key that changed is read again (refused if
   * revoked or expired).
   */
  async create(
    em: EntityManager,
    caller: Caller & { principal: Principal },
    data: CreateApiKeyData,
  ): Promise<IssuedApiKey> {
    const { principal } = caller;
    return recordingDenials(em, caller, async () => {
      assertPermission(principal, ApiKeyScope.KEYS_WRITE, {
        action: 'api_key.created',
        target: { type: 'api_key', display: cutText(data.name, NAME_MAX) },
      });
      const name = requireText(data.name, 'name', NAME_MAX);
      const description = optionalText(data.description, 'description', DESCRIPTION_MAX);
      const handoffTo = handoffOf(data.purpose, data.handoffTo);
      const scopes = this.checkScopes(principal, data.scopes, 'api_key.created');
      const idempotencyKey = optionalText(data.idempotencyKey, 'idempotencyKey', 255);
      const authorityId = authorityUserId(principal);
      const creatorKeyId = principal.kind === 'apiKey' ? principal.keyId : null;
      let parentExpiry = principal.kind === 'apiKey' ? principal.expiresAt : undefined;
      let policy = this.policies.get(principal.accountId);
      for (let attempt = 1; ; attempt++) {
        if (!policy) {
          const read = await this.readCreateState(em, principal);
          policy = read.policy;
          parentExpiry = read.parentExpiry;
        }
        const now = new Date();
        const expiresAt = this.resolveExpiry(policy, data.expiresAt, now, parentExpiry);
        const limit = PLAN_ENTITLEMENTS[policy.plan].maxActiveApiKeys;
        const secret = generateApiKeySecret();
        const key: ApiKeyView = {
          id: randomUUID(),
          name,
          purpose: data.purpose,
          description,
          scopes,
          displayKey: displayKeyOf(secret),
          createdAt: now,
          createdBy: null,
          owner: null,
          ownerRole: principal.kind === 'user' ? principal.role : principal.ownerRole,
          handoffTo,
          requestsSinceRotation: 0,
          expiresAt,
          lastUsedAt: null,
          lastUsedIp: null,
          revokedAt: null,
          revokedBy: null,
          revokeReason: null,
          rotatedAt: null,
        };
        const event = prepareAuditEvents(caller, [
          {
            action: 'api_key.created',
            target: apiKeyTarget(key),
            metadata: {
              name,
              purpose: key.purpose,
              ...(handoffTo ? { handoffTo } : {}),
              scopes,
              expiresAt: expiresAt?.toISOString() ?? null,
            },
          },
        ]);
        const [outcome] = await queryRows<CreateOutcomeRow>(em, CREATE, [
          JSON.stringify({
            id: key.id,
            account_id: principal.accountId,
            name,
            purpose: key.purpose,
            description,
            scopes,
            digest: hashApiKey(secret),
            display_key: key.displayKey,
            created_at: now.toISOString(),
            created_by_id: authorityId,
            owner_id: authorityId,
            created_by_key_id: creatorKeyId,
            expires_at: expiresAt?.toISOString() ?? null,
            handoff_to: handoffTo,
          }),
          policy.plan,
          JSON.stringify(policyJson(policy)),
          limit,
          creatorKeyId,
          parentExpiry?.toISOString() ?? null,
          idempotencyKey,
          event.json,
        ]);
        if (!outcome || outcome.outcome === 'account_gone') {
          throw new UnauthenticatedError('This account no longer exists');
        }
        const current = policyOf(outcome);
        this.policies.remember(principal.accountId, current);
        switch (outcome.outcome) {
          case 'created': {
            caller.onCommitted?.(principal.accountId, appendedEvents(event.events, [outcome]));
            const authority = { id: authorityId, email: outcome.owner_email ?? '', name: outcome.owner_name };
            return { apiKey: { ...key, createdBy: authority, owner: authority }, secret };
          }
          case 'replayed':
            return this.replayed(em, outcome.resource_id!);
          case 'quota':
            throw new QuotaExceededError(
              `The ${current.plan} plan allows ${PLAN_ENTITLEMENTS[current.plan].maxActiveApiKeys} active API keys; revoke one or upgrade the plan`,
              'maxActiveApiKeys',
              PLAN_ENTITLEMENTS[current.plan].maxActiveApiKeys,
            );
          case 'creator_changed':
            // Rotated, revoked or expired since the request was authenticated: read it again.
            policy = undefined;
            break;
          default:
            // 'stale': computed from an old plan or policy; again from the current one.
            policy = current;
        }
        if (attempt >= MAX_CREATE_ATTEMPTS) {
          throw new AppError(
            ErrorCode.INTERNAL_SERVER_ERROR,
            'The account’s key policy kept changing during this request; no key was created — try again',
          );
        }
      }
    });
  }

  /** The account's plan and key policy, and the creating key's expiry (refused if it stopped working). */
  private async readCreateState(
    em: EntityManager,
    principal: Principal,
  ): Promise<{ policy: KeyPolicy; parentExpiry: Date | null | undefined }> {
    const creatorKeyId = principal.kind === 'apiKey' ? principal.keyId : null;
    const [row] = await queryRows<CreateStateRow>(em, CREATE_STATE, [principal.accountId, creatorKeyId]);
    if (!row) throw new UnauthenticatedError('This account no longer exists');
    const policy = policyOf(row);
    this.policies.remember(principal.accountId, policy);
    return { policy, parentExpiry: creatorKeyId ? creatorExpiryOf(row, new Date()) : undefined };
  }

  /** The key an earlier call with the same idempotency key created, answered again without its secret. */
  private async replayed(em: EntityManager, id: string): Promise<IssuedApiKey> {
    const first = await em.fork().findOneOrFail(ApiKey, { id }, { populate: SHOWN });
    return { apiKey: first, secret: '', replayed: true };
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
    account: KeyPolicy,
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
