import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKeyScope, Role } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import {
  appendedEvents,
  auditedTransaction,
  prepareAuditEvents,
  recordingDenials,
  type AppendAudit,
  type AppendedRow,
  type AuditTargetInput,
  type Caller,
} from '../audit/audit.recorder';
import { queryRows, type Statement } from '../db/sql';
import type { AuditChange } from '../audit/audit-event.entity';
import { Plan } from '../entitlements/plans';
import { ApiKey, isWorking } from '../keys/api-key.entity';
import {
  MEMBER_REMOVED_REASON,
  apiKeyTarget,
  assertHoldsScopes,
  handOver,
  revokeDescendants,
  revokeOne,
} from '../keys/api-key.revocation';
import { endSessionsOf } from '../sessions/session.service';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../shared/errors';
import { cutText, requireId, requireIntInRange, requireText } from '../shared/validation';
import { Account } from './account.entity';
import { AccountViews, PerKeyQueue, accountViewOf, type AccountView } from './account-views';
import { Membership } from './membership.entity';
import { User } from './user.entity';

/** The policy's change, only from the values read, with its event: one statement, one transaction. */
const UPDATE_SETTINGS: Statement = {
  name: 'account_update_settings',
  text: `WITH changed AS (
           UPDATE accounts
              SET require_key_expiration = $2, default_key_lifetime_days = $3, max_key_lifetime_days = $4
            WHERE id = $1 AND require_key_expiration = $5 AND default_key_lifetime_days = $6
              AND max_key_lifetime_days = $7 AND name = $8
           RETURNING id)
         SELECT a.appended_seq, a.appended_prev_hash, a.appended_hash
           FROM changed, LATERAL audit_append(changed.id, $9::jsonb) a`,
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_LIFETIME_DAYS = 3650;

export interface AccountSettingsData {
  requireKeyExpiration?: boolean | null;
  defaultKeyLifetimeDays?: number | null;
  maxKeyLifetimeDays?: number | null;
}

type AuthenticatedCaller = Caller & { principal: Principal };

function normalizeEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (value.length > 254 || !EMAIL.test(value))
    throw new BadUserInputError('email must be a valid email address', 'email');
  return value;
}

function userTarget(user: User): AuditTargetInput {
  return { type: 'user', id: user.id, display: user.email };
}

/** The member whose authority a principal carries: the user, or the key's creator. */
function authorityUserId(principal: Principal): string {
  return principal.kind === 'user' ? principal.userId : principal.ownerUserId;
}

/** Accounts, their members and settings. */
export class AccountService {
  /** @param views this instance's last view of each account (checked by every settings change), shared with ApiKeyService */
  constructor(private readonly views = new AccountViews()) {}

  /** Settings changes of one account on this instance, in arrival order. */
  private readonly settingsQueue = new PerKeyQueue();

  /**
   * Creates an account with its first OWNER (the user is created if new),
   * recorded as `account.created` by the system.
   */
  async bootstrap(
    em: EntityManager,
    input: { accountName: string; email: string; plan?: Plan },
    meta: Caller['meta'],
  ): Promise<{ account: Account; user: User }> {
    const name = requireText(input.accountName, 'account', 200);
    const email = normalizeEmail(input.email);
    const account = new Account();
    account.name = name;
    account.plan = input.plan ?? Plan.FREE;
    return auditedTransaction(em, { accountId: account.id, principal: null, meta }, async (tx, audit) => {
      tx.persist(account);
      const user = await this.findOrCreateUser(tx, email);
      tx.create(Membership, { account, user, role: Role.OWNER });
      await audit({
        action: 'account.created',
        target: { type: 'account', id: account.id, display: account.name },
        metadata: { plan: account.plan, owner: { id: user.id, email: user.email } },
      });
      return { account, user };
    });
  }

  /** The caller's account. */
  async get(em: EntityManager, principal: Principal): Promise<Account> {
    return em.findOneOrFail(Account, principal.accountId);
  }

  /** Members of the caller's account, oldest first. */
  async members(em: EntityManager, principal: Principal): Promise<Membership[]> {
    assertPermission(principal, ApiKeyScope.MEMBERS_READ);
    return em.find(
      Membership,
      { account: principal.accountId },
      { populate: ['user'], orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
    );
  }

  /**
   * Changes the account's key expiry policy; the same values again change
   * nothing and write no event. One statement writes the change: it updates
   * the account only if its name and policy are still what the change was
   * computed from (this instance's last view, {@link AccountViews}, else a
   * read) and appends the `settings.updated` event (`audit_append`), so the
   * change and its event commit together. When the view was stale, or another
   * change came between (concurrent writers of one account), the update
   * misses and the change runs again as a transaction holding the account's
   * lock. This instance's own changes of one account are queued, so they do
   * not miss one another.
   */
  async updateSettings(
    em: EntityManager,
    caller: AuthenticatedCaller,
    input: AccountSettingsData,
  ): Promise<AccountSettings> {
    const { principal } = caller;
    const target = { type: 'account', id: principal.accountId };
    return recordingDenials(em, caller, async () => {
      assertPermission(principal, ApiKeyScope.SETTINGS_WRITE, { action: 'settings.updated', target });
      // This instance's changes of one account go one after another: each starts from the view the one
      // before left, instead of all but one missing it and queueing for the account's lock.
      return this.settingsQueue.run(principal.accountId, () => this.changeSettings(em, caller, input));
    });
  }

  /** One settings change, from this instance's view of the account (see `updateSettings`). */
  private async changeSettings(
    em: EntityManager,
    caller: AuthenticatedCaller,
    input: AccountSettingsData,
  ): Promise<AccountSettings> {
    const { principal } = caller;
    const target = { type: 'account', id: principal.accountId };
    const known = this.views.get(principal.accountId);
    const view = known ?? (await this.readView(em, principal.accountId));
    const { next, changes } = settingsChange(view, input);
    // A remembered view that says "nothing changes" may be stale: only the account itself can say so.
    if (changes.length === 0 && !known) return next;
    if (changes.length > 0) {
      const event = prepareAuditEvents(caller, [
        { action: 'settings.updated', target: { ...target, display: view.name }, changes },
      ]);
      const appended = await queryRows<AppendedRow>(em, UPDATE_SETTINGS, [
        principal.accountId,
        next.requireKeyExpiration,
        next.defaultKeyLifetimeDays,
        next.maxKeyLifetimeDays,
        view.requireKeyExpiration,
        view.defaultKeyLifetimeDays,
        view.maxKeyLifetimeDays,
        view.name,
        event.json,
      ]);
      if (appended.length > 0) {
        caller.onCommitted?.(principal.accountId, appendedEvents(event.events, appended));
        this.views.remember(principal.accountId, { ...view, ...next });
        return next;
      }
    }
    // The view was stale, or a concurrent change came between (writers of one account contend): under the lock.
    const updated = await auditedTransaction(em, caller, async (tx, audit) => {
      const locked = await tx.findOneOrFail(Account, principal.accountId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const change = settingsChange(locked, input);
      if (change.changes.length > 0) {
        Object.assign(locked, change.next);
        await audit({
          action: 'settings.updated',
          target: { ...target, display: locked.name },
          changes: change.changes,
        });
      }
      return locked;
    });
    this.views.remember(principal.accountId, accountViewOf(updated));
    return accountSettingsOf(updated);
  }

  /** The account's current view, remembered for the next change. */
  private async readView(em: EntityManager, accountId: string): Promise<AccountView> {
    const view = accountViewOf(await em.fork().findOneOrFail(Account, accountId));
    this.views.remember(accountId, view);
    return view;
  }

  /** Adds a member at once (creating the user if new); there is no email delivery. */
  async invite(
    em: EntityManager,
    caller: AuthenticatedCaller,
    input: { email: string; role: Role },
  ): Promise<Membership> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      const attempt = { action: 'member.invited', target: { type: 'user', display: cutText(input.email, 254) } };
      assertPermission(principal, ApiKeyScope.MEMBERS_WRITE, attempt);
      if (input.role === Role.OWNER)
        this.assertOwner(principal, 'only an OWNER signed in as a user can add an OWNER', attempt);
      const email = normalizeEmail(input.email);
      const account = await tx.findOneOrFail(Account, principal.accountId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const user = await this.findOrCreateUser(tx, email);
      if (await tx.findOne(Membership, { account, user })) {
        throw new BadUserInputError(`${email} is already a member of this account`, 'email');
      }
      const membership = tx.create(Membership, { account, user, role: input.role });
      await audit({
        action: 'member.invited',
        target: userTarget(user),
        changes: [{ field: 'role', before: null, after: input.role }],
      });
      return membership;
    });
  }

  async changeRole(
    em: EntityManager,
    caller: AuthenticatedCaller,
    input: { userId: string; role: Role },
  ): Promise<Membership> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      const attempt = { action: 'member.role_changed', target: { type: 'user', id: input.userId } };
      assertPermission(principal, ApiKeyScope.MEMBERS_WRITE, attempt);
      const membership = await this.lockMembership(tx, principal, input.userId);
      const before = membership.role;
      if (before === input.role) return membership;
      if (before === Role.OWNER || input.role === Role.OWNER) {
        this.assertOwner(principal, 'only an OWNER signed in as a user can grant or take away the OWNER role', attempt);
      }
      if (before === Role.OWNER) await this.assertNotLastOwner(tx, principal.accountId, 'demote');
      membership.role = input.role;
      await audit({
        action: 'member.role_changed',
        target: userTarget(membership.user),
        changes: [{ field: 'role', before, after: input.role }],
      });
      return membership;
    });
  }

  /**
   * Removes a member; any member may leave on their own. Their settings-page
   * sessions end, and the working API keys they own are, in the same
   * transaction, revoked (with the keys those created; one `api_key.revoked`
   * event each, so inviting them again revives nothing) or, with
   * `transferKeysTo`, handed to that member (one `api_key.transferred` event
   * each; needs keys:write too).
   */
  async remove(
    em: EntityManager,
    caller: AuthenticatedCaller,
    input: { userId: string; transferKeysTo?: string | null },
  ): Promise<boolean> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      const attempt = { action: 'member.removed', target: { type: 'user', id: input.userId } };
      const leaving = principal.kind === 'user' && principal.userId === input.userId.toLowerCase();
      if (!leaving) assertPermission(principal, ApiKeyScope.MEMBERS_WRITE, attempt);
      const membership = await this.lockMembership(tx, principal, input.userId);
      if (membership.role === Role.OWNER) {
        if (!leaving) this.assertOwner(principal, 'only an OWNER signed in as a user can remove an OWNER', attempt);
        await this.assertNotLastOwner(tx, principal.accountId, 'remove');
      }
      await audit({
        action: 'member.removed',
        target: userTarget(membership.user),
        changes: [{ field: 'role', before: membership.role, after: null }],
        metadata: leaving ? { left: true } : null,
      });
      const heir = await this.heirOf(tx, principal, membership, input.transferKeysTo, attempt);
      tx.remove(membership);
      await endSessionsOf(tx, principal.accountId, membership.user.id);
      if (heir) await this.transferKeysOf(tx, audit, principal, membership.user, heir);
      else await this.revokeKeysOf(tx, audit, principal, membership.user);
      return true;
    });
  }

  /** A user's current role in an account; null when they are not (or no longer) a member. */
  async roleOf(em: EntityManager, accountId: string, userId: string | null): Promise<Role | null> {
    if (!userId) return null;
    const membership = await em.findOne(Membership, { account: accountId, user: userId }, { fields: ['role'] });
    return membership?.role ?? null;
  }

  /** OWNER only; stands in for billing. Takes effect on the next request. */
  async changePlan(em: EntityManager, caller: AuthenticatedCaller, input: { plan: Plan }): Promise<Account> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      const target = { type: 'account', id: principal.accountId };
      assertPermission(principal, 'plan:write', { action: 'plan.changed', target });
      const account = await tx.findOneOrFail(Account, principal.accountId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (account.plan !== input.plan) {
        const before = account.plan;
        account.plan = input.plan;
        // The database records the change itself (trigger accounts_plan_change); mirrored for the reply.
        account.previousPlan = before;
        account.planChangedAt = new Date();
        await audit({
          action: 'plan.changed',
          target: { ...target, display: account.name },
          changes: [{ field: 'plan', before, after: input.plan }],
        });
      }
      return account;
    });
  }

  private async findOrCreateUser(tx: EntityManager, email: string): Promise<User> {
    await tx.execute(
      'INSERT INTO users (id, email, created_at) VALUES (gen_random_uuid(), ?, now()) ON CONFLICT (email) DO NOTHING',
      [email],
    );
    return tx.findOneOrFail(User, { email });
  }

  private async lockMembership(tx: EntityManager, principal: Principal, userId: string): Promise<Membership> {
    // Serialises membership changes of one account, so the last-OWNER rule holds under concurrency.
    await tx.findOneOrFail(Account, principal.accountId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const membership = await tx.findOne(
      Membership,
      { account: principal.accountId, user: requireId(userId, 'Member') },
      { populate: ['user'] },
    );
    if (!membership) throw new NotFoundError('Member');
    return membership;
  }

  /** The member named by `transferKeysTo` (checked before anything changes), or null to revoke. */
  private async heirOf(
    tx: EntityManager,
    principal: Principal,
    leaving: Membership,
    transferKeysTo: string | null | undefined,
    attempt: { action: string; target: AuditTargetInput },
  ): Promise<Membership | null> {
    if (transferKeysTo === undefined || transferKeysTo === null) return null;
    assertPermission(principal, ApiKeyScope.KEYS_WRITE, attempt);
    const heirId = requireId(transferKeysTo, 'Member');
    if (heirId === leaving.user.id) {
      throw new BadUserInputError('transferKeysTo must name another member than the one removed', 'transferKeysTo');
    }
    const heir = await tx.findOne(Membership, { account: principal.accountId, user: heirId }, { populate: ['user'] });
    if (!heir) throw new BadUserInputError('transferKeysTo is not a member of this account', 'transferKeysTo');
    return heir;
  }

  /** Hands every working key `user` owns in the account to `heir`, one `api_key.transferred` event each. */
  private async transferKeysOf(
    tx: EntityManager,
    audit: AppendAudit,
    principal: Principal,
    user: User,
    heir: Membership,
  ): Promise<void> {
    const now = new Date();
    const keys = await tx.find(
      ApiKey,
      { account: principal.accountId, owner: user, revokedAt: null },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, populate: ['owner'] },
    );
    const working = keys.filter((key) => isWorking(key.statusAt(now)));
    for (const key of working) {
      assertHoldsScopes(principal, key.scopes, { action: 'api_key.transferred', target: apiKeyTarget(key) });
      await handOver(audit, key, heir.user, heir.role, MEMBER_REMOVED_REASON);
    }
  }

  /** Revokes every unrevoked, unexpired key `user` owns in the account, and what those keys created. */
  private async revokeKeysOf(tx: EntityManager, audit: AppendAudit, principal: Principal, user: User): Promise<void> {
    const now = new Date();
    const keys = await tx.find(
      ApiKey,
      { account: principal.accountId, owner: user, revokedAt: null },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
    );
    const revocation = {
      revokedBy: await tx.findOneOrFail(User, authorityUserId(principal)),
      reason: MEMBER_REMOVED_REASON,
      now,
    };
    for (const key of keys) {
      if (isWorking(key.statusAt(now))) await revokeOne(audit, key, revocation);
    }
    // Expired keys are not revoked (they can never work again), but what they created might still.
    await revokeDescendants(tx, audit, principal.accountId, keys, revocation);
  }

  /**
   * OWNER rights (granting, taking away or removing the OWNER role) need an
   * OWNER signed in as a user: never an API key, whatever its scopes or creator.
   */
  private assertOwner(principal: Principal, why: string, attempt: { action: string; target: AuditTargetInput }): void {
    if (principal.kind !== 'user' || principal.role !== Role.OWNER) {
      throw new ForbiddenError(`Not allowed: ${why}`, attempt);
    }
  }

  private async assertNotLastOwner(tx: EntityManager, accountId: string, verb: string): Promise<void> {
    const owners = await tx.count(Membership, { account: accountId, role: Role.OWNER });
    if (owners <= 1) {
      throw new BadUserInputError(`Cannot ${verb} the last OWNER; make another member OWNER first`, 'userId');
    }
  }
}

/** An account's key expiry policy. */
export type AccountSettings = Pick<Account, 'requireKeyExpiration' | 'defaultKeyLifetimeDays' | 'maxKeyLifetimeDays'>;

function accountSettingsOf(account: AccountSettings): AccountSettings {
  return {
    requireKeyExpiration: account.requireKeyExpiration,
    defaultKeyLifetimeDays: account.defaultKeyLifetimeDays,
    maxKeyLifetimeDays: account.maxKeyLifetimeDays,
  };
}

/** The policy `input` asks of `account`, checked, and what it changes (empty: nothing). */
function settingsChange(
  account: AccountSettings,
  input: AccountSettingsData,
): { next: AccountSettings; changes: AuditChange[] } {
  const next: AccountSettings = {
    requireKeyExpiration: input.requireKeyExpiration ?? account.requireKeyExpiration,
    defaultKeyLifetimeDays: requireIntInRange(
      input.defaultKeyLifetimeDays ?? account.defaultKeyLifetimeDays,
      'defaultKeyLifetimeDays',
      1,
      MAX_LIFETIME_DAYS,
    ),
    maxKeyLifetimeDays: requireIntInRange(
      input.maxKeyLifetimeDays ?? account.maxKeyLifetimeDays,
      'maxKeyLifetimeDays',
      1,
      MAX_LIFETIME_DAYS,
    ),
  };
  if (next.defaultKeyLifetimeDays > next.maxKeyLifetimeDays) {
    throw new BadUserInputError(
      `defaultKeyLifetimeDays (${next.defaultKeyLifetimeDays}) cannot exceed maxKeyLifetimeDays (${next.maxKeyLifetimeDays})`,
      'defaultKeyLifetimeDays',
    );
  }
  const changes: AuditChange[] = [];
  for (const field of ['requireKeyExpiration', 'defaultKeyLifetimeDays', 'maxKeyLifetimeDays'] as const) {
    if (account[field] !== next[field]) changes.push({ field, before: account[field], after: next[field] });
  }
  return { next, changes };
}
