import {
  AccountDocument,
  ChangeMemberRoleDocument,
  ChangePlanDocument,
  EntitlementsDocument,
  InviteMemberDocument,
  RemoveMemberDocument,
  type Role,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq } from '../support/audit';
import { freshEmail, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type GraphQLResult, type SeededAccount, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

/** The account's audit rows after `seq`, with the columns these tests compare. */
function eventsAfter(accountId: string, seq: number) {
  return auditRows(
    env,
    accountId,
    ['seq', 'action', 'outcome', 'actor_type', 'actor_id', 'target_type', 'target_id', 'changes', 'metadata'],
    { afterSeq: seq },
  );
}

/** Members as the OWNER sees them: user id -> role. */
async function rolesOf(owner: SeededAccount): Promise<Record<string, Role>> {
  const account = await env.api.call(AccountDocument, {}, { token: owner.token });
  expect(account.errors).toBeUndefined();
  return Object.fromEntries(account.data!.account.members.map((member) => [member.user.id, member.role]));
}

describe('inviting members', () => {
  it('creates the user and the membership, visible in account.members, and records member.invited', async () => {
    const owner = await env.seedAccount();
    const before = await lastAuditSeq(env, owner.accountId);

    const invited = await env.api.call(
      InviteMemberDocument,
      { input: { email: '  New.Person@Example.TEST ', role: 'ADMIN' } },
      { token: owner.token },
    );

    expect(invited.errors).toBeUndefined();
    const { user, role } = invited.data!.inviteMember;
    expect(role).toBe('ADMIN');
    expect(user.email).toBe('new.person@example.test');
    const account = await env.api.call(AccountDocument, {}, { token: owner.token });
    expect(
      account.data!.account.members.map((member) => ({
        role: member.role,
        id: member.user.id,
        email: member.user.email,
      })),
    ).toEqual([
      { role: 'OWNER', id: owner.userId, email: owner.email },
      { role: 'ADMIN', id: user.id, email: 'new.person@example.test' },
    ]);
    expect(await env.sql('SELECT id FROM users WHERE email = $1', ['new.person@example.test'])).toEqual([
      { id: user.id },
    ]);
    expect(await eventsAfter(owner.accountId, before)).toEqual([
      expect.objectContaining({
        action: 'member.invited',
        outcome: 'SUCCESS',
        actor_type: 'USER',
        actor_id: owner.userId,
        target_type: 'user',
        target_id: user.id,
        changes: [{ field: 'role', before: null, after: 'ADMIN' }],
      }),
    ]);

    // The new member can sign in to the account at once, with the role given.
    const viewer = await env.api.call(ViewerDocument, {}, { token: await env.tokenFor(owner.accountId, user.id) });
    expect(viewer.data!.viewer).toMatchObject({
      role: 'ADMIN',
      user: { id: user.id },
      account: { id: owner.accountId },
    });
  });

  it('adds a user who already belongs to another account without creating a second user', async () => {
    const elsewhere = await env.seedAccount();
    const owner = await env.seedAccount();

    const invited = await env.api.call(
      InviteMemberDocument,
      { input: { email: elsewhere.email, role: 'MEMBER' } },
      { token: owner.token },
    );

    expect(invited.errors).toBeUndefined();
    expect(invited.data!.inviteMember.user.id).toBe(elsewhere.userId);
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'OWNER', [elsewhere.userId]: 'MEMBER' });
    expect(await rolesOf(elsewhere)).toEqual({ [elsewhere.userId]: 'OWNER' });
  });

  it('refuses to invite an existing member with BAD_USER_INPUT and writes nothing', async () => {
    const owner = await env.seedAccount();
    const member = await inviteMember(env, owner, 'MEMBER');
    const before = await lastAuditSeq(env, owner.accountId);

    const again = await env.api.call(
      InviteMemberDocument,
      { input: { email: member.email.toUpperCase(), role: 'ADMIN' } },
      { token: owner.token },
    );
    const self = await env.api.call(
      InviteMemberDocument,
      { input: { email: owner.email, role: 'MEMBER' } },
      { token: owner.token },
    );

    expect(errorCodes(again)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(self)).toEqual(['BAD_USER_INPUT']);
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'OWNER', [member.userId]: 'MEMBER' });
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });

  it.each([
    'not-an-email',
    'no-dot@localhost',
    '',
    '   ',
    'two words@example.test',
    '@example.test',
    'a@b@example.test',
  ])('refuses the email %j with BAD_USER_INPUT and writes nothing', async (email) => {
    const owner = await env.seedAccount();
    const before = await lastAuditSeq(env, owner.accountId);
    const users = await env.sql<{ count: number }>('SELECT count(*)::int AS count FROM users');

    const invited = await env.api.call(
      InviteMemberDocument,
      { input: { email, role: 'MEMBER' } },
      { token: owner.token },
    );

    expect(errorCodes(invited)).toEqual(['BAD_USER_INPUT']);
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'OWNER' });
    expect(await env.sql('SELECT count(*)::int AS count FROM users')).toEqual(users);
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });
});

describe('what an ADMIN may not do to OWNERs', () => {
  /** An account with two OWNERs (so the last-OWNER rule is never the reason) and an ADMIN. */
  async function adminAndOwners() {
    const owner = await env.seedAccount();
    const secondOwner = await inviteMember(env, owner, 'OWNER');
    const admin = await inviteMember(env, owner, 'ADMIN');
    const member = await inviteMember(env, owner, 'MEMBER');
    return { owner, secondOwner, admin, member };
  }

  type Scene = Awaited<ReturnType<typeof adminAndOwners>>;
  const attempts: [
    string,
    string,
    (scene: Scene) => Promise<GraphQLResult<unknown>>,
    (scene: Scene) => string | null,
  ][] = [
    [
      'invite an OWNER',
      'member.invited',
      ({ admin }) =>
        env.api.call(
          InviteMemberDocument,
          { input: { email: freshEmail('would-be-owner'), role: 'OWNER' } },
          { token: admin.token },
        ),
      () => null,
    ],
    [
      'promote a MEMBER to OWNER',
      'member.role_changed',
      ({ admin, member }) =>
        env.api.call(
          ChangeMemberRoleDocument,
          { input: { userId: member.userId, role: 'OWNER' } },
          { token: admin.token },
        ),
      ({ member }) => member.userId,
    ],
    [
      'promote itself to OWNER',
      'member.role_changed',
      ({ admin }) =>
        env.api.call(
          ChangeMemberRoleDocument,
          { input: { userId: admin.userId, role: 'OWNER' } },
          { token: admin.token },
        ),
      ({ admin }) => admin.userId,
    ],
    [
      'demote an OWNER',
      'member.role_changed',
      ({ admin, secondOwner }) =>
        env.api.call(
          ChangeMemberRoleDocument,
          { input: { userId: secondOwner.userId, role: 'MEMBER' } },
          { token: admin.token },
        ),
      ({ secondOwner }) => secondOwner.userId,
    ],
    [
      'remove an OWNER',
      'member.removed',
      ({ admin, secondOwner }) =>
        env.api.call(RemoveMemberDocument, { input: { userId: secondOwner.userId } }, { token: admin.token }),
      ({ secondOwner }) => secondOwner.userId,
    ],
  ];

  it.each(attempts)(
    'an ADMIN cannot %s: FORBIDDEN, recorded as DENIED, nothing changed',
    async (_what, action, attempt, targetId) => {
      const scene = await adminAndOwners();
      const roles = await rolesOf(scene.owner);
      const before = await lastAuditSeq(env, scene.owner.accountId);

      const result = await attempt(scene);

      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
      expect(await rolesOf(scene.owner)).toEqual(roles);
      expect(await eventsAfter(scene.owner.accountId, before)).toEqual([
        expect.objectContaining({
          action,
          outcome: 'DENIED',
          actor_type: 'USER',
          actor_id: scene.admin.userId,
          target_id: targetId(scene),
        }),
      ]);
    },
  );

  it('an ADMIN can still manage non-OWNER members', async () => {
    const { owner, admin, member } = await adminAndOwners();
    const promoted = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: member.userId, role: 'ADMIN' } },
      { token: admin.token },
    );
    expect(promoted.data!.changeMemberRole.role).toBe('ADMIN');
    const removed = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: member.userId } },
      { token: admin.token },
    );
    expect(removed.data).toEqual({ removeMember: true });
    expect(Object.keys(await rolesOf(owner))).not.toContain(member.userId);
  });
});

describe('the last OWNER', () => {
  it('cannot be demoted: BAD_USER_INPUT and nothing written', async () => {
    const owner = await env.seedAccount();
    const admin = await inviteMember(env, owner, 'ADMIN');
    const before = await lastAuditSeq(env, owner.accountId);

    const demoted = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: owner.userId, role: 'ADMIN' } },
      { token: owner.token },
    );

    expect(errorCodes(demoted)).toEqual(['BAD_USER_INPUT']);
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'OWNER', [admin.userId]: 'ADMIN' });
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });

  it('cannot be removed, not even by leaving: BAD_USER_INPUT and nothing written', async () => {
    const owner = await env.seedAccount();
    const admin = await inviteMember(env, owner, 'ADMIN');
    const before = await lastAuditSeq(env, owner.accountId);

    const removed = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: owner.userId } },
      { token: owner.token },
    );

    expect(errorCodes(removed)).toEqual(['BAD_USER_INPUT']);
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'OWNER', [admin.userId]: 'ADMIN' });
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
    expect((await env.api.call(ViewerDocument, {}, { token: owner.token })).errors).toBeUndefined();
  });

  it('with two OWNERs one can be demoted, and then the other is the last', async () => {
    const owner = await env.seedAccount();
    const second = await inviteMember(env, owner, 'OWNER');

    const demoted = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: owner.userId, role: 'ADMIN' } },
      { token: second.token },
    );

    expect(demoted.errors).toBeUndefined();
    expect(demoted.data!.changeMemberRole).toMatchObject({ role: 'ADMIN', user: { id: owner.userId } });
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'ADMIN', [second.userId]: 'OWNER' });
    const last = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: second.userId, role: 'MEMBER' } },
      { token: second.token },
    );
    expect(errorCodes(last)).toEqual(['BAD_USER_INPUT']);
  });

  it('with two OWNERs one may leave', async () => {
    const owner = await env.seedAccount();
    const second = await inviteMember(env, owner, 'OWNER');

    const left = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: second.userId } },
      { token: second.token },
    );

    expect(left.data).toEqual({ removeMember: true });
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'OWNER' });
  });
});

describe('leaving and removing', () => {
  it('lets a MEMBER remove themself, after which their session is UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const member = await inviteMember(env, owner, 'MEMBER');
    const before = await lastAuditSeq(env, owner.accountId);

    const left = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: member.userId } },
      { token: member.token },
    );

    expect(left.errors).toBeUndefined();
    expect(left.data).toEqual({ removeMember: true });
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'OWNER' });
    expect(await eventsAfter(owner.accountId, before)).toEqual([
      expect.objectContaining({
        action: 'member.removed',
        outcome: 'SUCCESS',
        actor_type: 'USER',
        actor_id: member.userId,
        target_id: member.userId,
        changes: [{ field: 'role', before: 'MEMBER', after: null }],
        metadata: { left: true },
      }),
    ]);

    const viewer = await env.api.call(ViewerDocument, {}, { token: member.token });
    expect(viewer.status).toBe(401);
    expect(errorCodes(viewer)).toEqual(['UNAUTHENTICATED']);
  });

  it('does not let a MEMBER remove someone else', async () => {
    const owner = await env.seedAccount();
    const member = await inviteMember(env, owner, 'MEMBER');
    const other = await inviteMember(env, owner, 'MEMBER');

    const removed = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: other.userId } },
      { token: member.token },
    );

    expect(errorCodes(removed)).toEqual(['FORBIDDEN']);
    expect(Object.keys(await rolesOf(owner))).toContain(other.userId);
  });

  const unknownTargets: [string, (owner: SeededAccount) => Promise<string>][] = [
    ['a member of another account', async () => (await env.seedAccount()).userId],
    [
      'a former member',
      async (owner) => {
        const former = await inviteMember(env, owner, 'MEMBER');
        await env.api.call(RemoveMemberDocument, { input: { userId: former.userId } }, { token: owner.token });
        return former.userId;
      },
    ],
    ['an unknown id', async () => '00000000-0000-4000-8000-000000000000'],
    ['a non-UUID id', async () => 'not-a-uuid'],
    ['an SQL-looking id', async () => "1' OR '1'='1"],
  ];

  it.each(unknownTargets)('changeMemberRole on %s is NOT_FOUND and writes nothing', async (_what, targetOf) => {
    const owner = await env.seedAccount();
    const userId = await targetOf(owner);
    const before = await lastAuditSeq(env, owner.accountId);

    const changed = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId, role: 'ADMIN' } },
      { token: owner.token },
    );

    expect(errorCodes(changed)).toEqual(['NOT_FOUND']);
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
    expect(await rolesOf(owner)).toEqual({ [owner.userId]: 'OWNER' });
  });

  it.each(unknownTargets)('removeMember on %s is NOT_FOUND and writes nothing', async (_what, targetOf) => {
    const owner = await env.seedAccount();
    const userId = await targetOf(owner);
    const before = await lastAuditSeq(env, owner.accountId);

    const removed = await env.api.call(RemoveMemberDocument, { input: { userId } }, { token: owner.token });

    expect(errorCodes(removed)).toEqual(['NOT_FOUND']);
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });
});

describe('changing roles', () => {
  it('records the role change as changes [{field: role, before, after}] and applies it on the next request', async () => {
    const owner = await env.seedAccount();
    const member = await inviteMember(env, owner, 'MEMBER');
    const before = await lastAuditSeq(env, owner.accountId);

    const changed = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: member.userId, role: 'ADMIN' } },
      { token: owner.token },
    );

    expect(changed.data!.changeMemberRole).toEqual({ role: 'ADMIN', user: { id: member.userId, email: member.email } });
    expect(await eventsAfter(owner.accountId, before)).toEqual([
      expect.objectContaining({
        action: 'member.role_changed',
        outcome: 'SUCCESS',
        actor_type: 'USER',
        actor_id: owner.userId,
        target_type: 'user',
        target_id: member.userId,
        changes: [{ field: 'role', before: 'MEMBER', after: 'ADMIN' }],
      }),
    ]);
    const viewer = await env.api.call(ViewerDocument, {}, { token: member.token });
    expect(viewer.data!.viewer.role).toBe('ADMIN');
  });

  it('writes no event when the role does not change', async () => {
    const owner = await env.seedAccount();
    const member = await inviteMember(env, owner, 'MEMBER');
    const before = await lastAuditSeq(env, owner.accountId);

    const same = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: member.userId, role: 'MEMBER' } },
      { token: owner.token },
    );

    expect(same.errors).toBeUndefined();
    expect(same.data!.changeMemberRole.role).toBe('MEMBER');
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });
});

describe('changing the plan', () => {
  it('FREE to PREMIUM by the OWNER changes plan and entitlements and records plan.changed', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const free = await env.api.call(EntitlementsDocument, {}, { token: owner.token });
    expect(free.data!.entitlements).toEqual({
      plan: 'FREE',
      features: [],
      maxActiveApiKeys: 3,
      auditRetentionDays: null,
      auditHistoryKeptUntil: null,
    });
    const before = await lastAuditSeq(env, owner.accountId);

    const changed = await env.api.call(ChangePlanDocument, { input: { plan: 'PREMIUM' } }, { token: owner.token });

    expect(changed.errors).toBeUndefined();
    const account = changed.data!.changePlan;
    expect(account.id).toBe(owner.accountId);
    expect(account.plan).toBe('PREMIUM');
    expect([...account.entitlements.features].sort()).toEqual(['AUDIT_EXPORT', 'AUDIT_LOG', 'AUDIT_STREAM']);
    expect(account.entitlements.maxActiveApiKeys).toBe(100);

    const entitlements = await env.api.call(EntitlementsDocument, {}, { token: owner.token });
    expect(entitlements.data!.entitlements).toMatchObject({
      plan: 'PREMIUM',
      maxActiveApiKeys: 100,
      auditRetentionDays: 90,
    });
    expect([...entitlements.data!.entitlements.features].sort()).toEqual(['AUDIT_EXPORT', 'AUDIT_LOG', 'AUDIT_STREAM']);
    expect(await eventsAfter(owner.accountId, before)).toEqual([
      expect.objectContaining({
        action: 'plan.changed',
        outcome: 'SUCCESS',
        actor_type: 'USER',
        actor_id: owner.userId,
        target_type: 'account',
        target_id: owner.accountId,
        changes: [{ field: 'plan', before: 'FREE', after: 'PREMIUM' }],
      }),
    ]);
  });

  it('to the same plan succeeds and writes no event', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const before = await lastAuditSeq(env, owner.accountId);

    const same = await env.api.call(ChangePlanDocument, { input: { plan: 'PREMIUM' } }, { token: owner.token });

    expect(same.errors).toBeUndefined();
    expect(same.data!.changePlan.plan).toBe('PREMIUM');
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });

  it('is refused to an ADMIN with FORBIDDEN, leaving the plan as it was', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const admin = await inviteMember(env, owner, 'ADMIN');

    const changed = await env.api.call(ChangePlanDocument, { input: { plan: 'ENTERPRISE' } }, { token: admin.token });

    expect(errorCodes(changed)).toEqual(['FORBIDDEN']);
    const entitlements = await env.api.call(EntitlementsDocument, {}, { token: owner.token });
    expect(entitlements.data!.entitlements.plan).toBe('FREE');
  });
});
