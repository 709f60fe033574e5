import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import {
  ApiKeyDocument,
  ApiKeysDocument,
  type ApiKeyScope,
  ChangeMemberRoleDocument,
  ChangePlanDocument,
  CreateApiKeyDocument,
  InviteMemberDocument,
  RemoveMemberDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UpdateAccountSettingsDocument,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq } from '../support/audit';
import { createApiKey, freshEmail, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type GraphQLResult, type SeededAccount, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

// The generated `AccountDocument` selects settings and members together; both are non-null, so a refusal of one
// nulls the whole account and can hide whether the other was allowed. These read one field each.
const AccountSettingsDocument = parse(
  'query AccountSettings { account { id settings { requireKeyExpiration defaultKeyLifetimeDays maxKeyLifetimeDays } } }',
) as TypedDocumentNode<
  { account: { id: string; settings: { defaultKeyLifetimeDays: number } } },
  Record<string, never>
>;
const AccountMembersDocument = parse(
  'query AccountMembers { account { id members { role user { id email } } } }',
) as TypedDocumentNode<
  { account: { id: string; members: { role: string; user: { id: string } }[] } },
  Record<string, never>
>;

const ALL_SCOPES: ApiKeyScope[] = [
  'KEYS_READ',
  'KEYS_WRITE',
  'SETTINGS_READ',
  'SETTINGS_WRITE',
  'MEMBERS_READ',
  'MEMBERS_WRITE',
  'AUDIT_READ',
  'AUDIT_EXPORT',
];

type CallerName = 'OWNER' | 'ADMIN' | 'MEMBER' | `key:${ApiKeyScope}` | 'anonymous';

const CALLERS: readonly CallerName[] = [
  'OWNER',
  'ADMIN',
  'MEMBER',
  ...ALL_SCOPES.map((scope): CallerName => `key:${scope}`),
  'anonymous',
];

/** Who is calling, in a fresh PREMIUM account whose OWNER set the caller up. */
interface Caller {
  owner: SeededAccount;
  token: string | undefined;
  actor: { actor_type: 'USER' | 'API_KEY'; actor_id: string } | null;
}

async function callerFor(name: CallerName): Promise<Caller> {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  if (name === 'anonymous') return { owner, token: undefined, actor: null };
  if (name === 'OWNER') return { owner, token: owner.token, actor: { actor_type: 'USER', actor_id: owner.userId } };
  if (name === 'ADMIN' || name === 'MEMBER') {
    const member = await inviteMember(env, owner, name);
    return { owner, token: member.token, actor: { actor_type: 'USER', actor_id: member.userId } };
  }
  const scope = name.slice('key:'.length) as ApiKeyScope;
  const key = await createApiKey(env.api, owner.token, { name: `caller ${scope}`, scopes: [scope] });
  return { owner, token: key.secret, actor: { actor_type: 'API_KEY', actor_id: key.id } };
}

/** The account's audit rows after `seq`, with the columns these tests compare. */
function eventsAfter(accountId: string, seq: number) {
  return auditRows(env, accountId, ['seq', 'action', 'outcome', 'actor_type', 'actor_id', 'target_id'], {
    afterSeq: seq,
  });
}

async function exists(text: string, params: unknown[]): Promise<boolean> {
  return (await env.sql(text, params)).length > 0;
}

/** One attempt at an operation on fresh targets in the caller's account. */
interface Attempt {
  call(token: string | undefined): Promise<GraphQLResult<unknown>>;
  /** The target id a DENIED audit row names (null when the target does not exist yet). */
  targetId: string | null;
  /** Whether the change is visible in the database (mutations only). */
  tookEffect(): Promise<boolean>;
}

interface Mutation {
  action: string;
  prepare(owner: SeededAccount): Promise<Attempt>;
}

const MUTATIONS = {
  createApiKey: {
    action: 'api_key.created',
    async prepare(owner) {
      return {
        call: (token) =>
          env.api.call(
            CreateApiKeyDocument,
            { input: { name: 'made by caller', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_WRITE'] } },
            { token },
          ),
        targetId: null,
        tookEffect: () =>
          exists("SELECT 1 FROM api_keys WHERE account_id = $1 AND name = 'made by caller'", [owner.accountId]),
      };
    },
  },
  rotateApiKey: {
    action: 'api_key.rotated',
    async prepare(owner) {
      const target = await createApiKey(env.api, owner.token, { name: 'matrix target', scopes: ['KEYS_WRITE'] });
      return {
        call: (token) =>
          env.api.call(RotateApiKeyDocument, { input: { id: target.id, gracePeriodSeconds: 60 } }, { token }),
        targetId: target.id,
        tookEffect: () => exists('SELECT 1 FROM api_keys WHERE id = $1 AND rotated_at IS NOT NULL', [target.id]),
      };
    },
  },
  revokeApiKey: {
    action: 'api_key.revoked',
    async prepare(owner) {
      const target = await createApiKey(env.api, owner.token, { name: 'matrix target', scopes: ['KEYS_READ'] });
      return {
        call: (token) => env.api.call(RevokeApiKeyDocument, { input: { id: target.id, reason: 'matrix' } }, { token }),
        targetId: target.id,
        tookEffect: () => exists('SELECT 1 FROM api_keys WHERE id = $1 AND revoked_at IS NOT NULL', [target.id]),
      };
    },
  },
  updateApiKey: {
    action: 'api_key.updated',
    async prepare(owner) {
      const target = await createApiKey(env.api, owner.token, { name: 'matrix target', scopes: ['KEYS_READ'] });
      return {
        call: (token) => env.api.call(UpdateApiKeyDocument, { input: { id: target.id, name: 'renamed' } }, { token }),
        targetId: target.id,
        tookEffect: () => exists("SELECT 1 FROM api_keys WHERE id = $1 AND name = 'renamed'", [target.id]),
      };
    },
  },
  updateAccountSettings: {
    action: 'settings.updated',
    async prepare(owner) {
      return {
        call: (token) =>
          env.api.call(UpdateAccountSettingsDocument, { input: { defaultKeyLifetimeDays: 30 } }, { token }),
        targetId: owner.accountId,
        tookEffect: () =>
          exists('SELECT 1 FROM accounts WHERE id = $1 AND default_key_lifetime_days = 30', [owner.accountId]),
      };
    },
  },
  inviteMember: {
    action: 'member.invited',
    async prepare(owner) {
      const email = freshEmail('invitee');
      return {
        call: (token) => env.api.call(InviteMemberDocument, { input: { email, role: 'MEMBER' } }, { token }),
        targetId: null,
        tookEffect: () =>
          exists(
            'SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = $1 AND u.email = $2',
            [owner.accountId, email],
          ),
      };
    },
  },
  changeMemberRole: {
    action: 'member.role_changed',
    async prepare(owner) {
      const target = await inviteMember(env, owner, 'MEMBER');
      return {
        call: (token) =>
          env.api.call(ChangeMemberRoleDocument, { input: { userId: target.userId, role: 'ADMIN' } }, { token }),
        targetId: target.userId,
        tookEffect: () =>
          exists("SELECT 1 FROM memberships WHERE account_id = $1 AND user_id = $2 AND role = 'ADMIN'", [
            owner.accountId,
            target.userId,
          ]),
      };
    },
  },
  removeMember: {
    action: 'member.removed',
    async prepare(owner) {
      const target = await inviteMember(env, owner, 'MEMBER');
      return {
        call: (token) => env.api.call(RemoveMemberDocument, { input: { userId: target.userId } }, { token }),
        targetId: target.userId,
        tookEffect: async () =>
          !(await exists('SELECT 1 FROM memberships WHERE account_id = $1 AND user_id = $2', [
            owner.accountId,
            target.userId,
          ])),
      };
    },
  },
  changePlan: {
    action: 'plan.changed',
    async prepare(owner) {
      return {
        call: (token) => env.api.call(ChangePlanDocument, { input: { plan: 'ENTERPRISE' } }, { token }),
        targetId: owner.accountId,
        tookEffect: () => exists("SELECT 1 FROM accounts WHERE id = $1 AND plan = 'ENTERPRISE'", [owner.accountId]),
      };
    },
  },
} satisfies Record<string, Mutation>;

/** A read on fresh data; `sawTarget` says whether the answer showed what the OWNER set up. */
interface ReadAttempt {
  run(token: string | undefined): Promise<{ result: GraphQLResult<unknown>; sawTarget: boolean }>;
}

function readAttempt<T>(
  call: (token: string | undefined) => Promise<GraphQLResult<T>>,
  sees: (data: T) => boolean,
): ReadAttempt {
  return {
    async run(token) {
      const result = await call(token);
      return { result, sawTarget: result.data ? sees(result.data) : false };
    },
  };
}

const READS: Record<
  'apiKeys' | 'apiKey' | 'account.settings' | 'account.members',
  (owner: SeededAccount) => Promise<ReadAttempt>
> = {
  async apiKeys(owner) {
    const target = await createApiKey(env.api, owner.token, { name: 'matrix target', scopes: ['KEYS_READ'] });
    return readAttempt(
      (token) => env.api.call(ApiKeysDocument, {}, { token }),
      (data) => data.apiKeys.edges.some((edge) => edge.node.id === target.id),
    );
  },
  async apiKey(owner) {
    const target = await createApiKey(env.api, owner.token, { name: 'matrix target', scopes: ['KEYS_READ'] });
    return readAttempt(
      (token) => env.api.call(ApiKeyDocument, { id: target.id }, { token }),
      (data) => data.apiKey?.id === target.id,
    );
  },
  async 'account.settings'(owner) {
    return readAttempt(
      (token) => env.api.call(AccountSettingsDocument, {}, { token }),
      (data) => data.account.id === owner.accountId && data.account.settings.defaultKeyLifetimeDays === 90,
    );
  },
  async 'account.members'(owner) {
    return readAttempt(
      (token) => env.api.call(AccountMembersDocument, {}, { token }),
      (data) => data.account.members.some((member) => member.user.id === owner.userId && member.role === 'OWNER'),
    );
  },
};

const Y = 'allowed';
const F = 'FORBIDDEN';
const U = 'UNAUTHENTICATED';
type Expected = typeof Y | typeof F | typeof U;

/* prettier-ignore */
const MUTATION_MATRIX: Record<keyof typeof MUTATIONS, readonly Expected[]> = {
  //                      OWNER ADMIN MEMBER  KEYS_R KEYS_W SET_R SET_W MEM_R MEM_W AUD_R AUD_E anonymous
  createApiKey:          [Y,    Y,    F,      F,     Y,     F,    F,    F,    F,    F,    F,    U],
  rotateApiKey:          [Y,    Y,    F,      F,     Y,     F,    F,    F,    F,    F,    F,    U],
  revokeApiKey:          [Y,    Y,    F,      F,     Y,     F,    F,    F,    F,    F,    F,    U],
  updateApiKey:          [Y,    Y,    F,      F,     Y,     F,    F,    F,    F,    F,    F,    U],
  updateAccountSettings: [Y,    Y,    F,      F,     F,     F,    Y,    F,    F,    F,    F,    U],
  inviteMember:          [Y,    Y,    F,      F,     F,     F,    F,    F,    Y,    F,    F,    U],
  changeMemberRole:      [Y,    Y,    F,      F,     F,     F,    F,    F,    Y,    F,    F,    U],
  removeMember:          [Y,    Y,    F,      F,     F,     F,    F,    F,    Y,    F,    F,    U],
  changePlan:            [Y,    F,    F,      F,     F,     F,    F,    F,    F,    F,    F,    U],
};

/* prettier-ignore */
const READ_MATRIX: Record<keyof typeof READS, readonly Expected[]> = {
  //                      OWNER ADMIN MEMBER  KEYS_R KEYS_W SET_R SET_W MEM_R MEM_W AUD_R AUD_E anonymous
  apiKeys:               [Y,    Y,    Y,      Y,     F,     F,    F,    F,    F,    F,    F,    U],
  apiKey:                [Y,    Y,    Y,      Y,     F,     F,    F,    F,    F,    F,    F,    U],
  'account.settings':    [Y,    Y,    Y,      F,     F,     Y,    F,    F,    F,    F,    F,    U],
  'account.members':     [Y,    Y,    Y,      F,     F,     F,    F,    Y,    F,    F,    F,    U],
};

function casesOf<O extends string>(
  matrix: Record<O, readonly Expected[]>,
): { operation: O; caller: CallerName; expected: Expected }[] {
  return (Object.keys(matrix) as O[]).flatMap((operation) =>
    CALLERS.map((caller, column) => ({ operation, caller, expected: matrix[operation][column]! })),
  );
}

describe('the role and scope matrix', () => {
  it('has one column per caller', () => {
    for (const row of [...Object.values(MUTATION_MATRIX), ...Object.values(READ_MATRIX)])
      expect(row).toHaveLength(CALLERS.length);
  });

  it.each(casesOf(MUTATION_MATRIX))('$operation by $caller is $expected', async ({ operation, caller, expected }) => {
    const { owner, token, actor } = await callerFor(caller);
    const mutation: Mutation = MUTATIONS[operation];
    const attempt = await mutation.prepare(owner);
    const before = await lastAuditSeq(env, owner.accountId);

    const result = await attempt.call(token);
    const events = await eventsAfter(owner.accountId, before);

    if (expected === Y) {
      expect(result.errors).toBeUndefined();
      expect(result.data).toBeTruthy();
      expect(await attempt.tookEffect()).toBe(true);
      expect(events).toEqual([expect.objectContaining({ action: mutation.action, outcome: 'SUCCESS', ...actor })]);
    } else if (expected === F) {
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
      expect(await attempt.tookEffect()).toBe(false);
      expect(events).toEqual([
        expect.objectContaining({ action: mutation.action, outcome: 'DENIED', ...actor, target_id: attempt.targetId }),
      ]);
    } else {
      expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
      expect(await attempt.tookEffect()).toBe(false);
      expect(events).toEqual([]);
    }
  });

  it.each(casesOf(READ_MATRIX))('$operation read by $caller is $expected', async ({ operation, caller, expected }) => {
    const { owner, token } = await callerFor(caller);
    const attempt = await READS[operation](owner);
    const before = await lastAuditSeq(env, owner.accountId);

    const { result, sawTarget } = await attempt.run(token);

    if (expected === Y) {
      expect(result.errors).toBeUndefined();
      expect(sawTarget).toBe(true);
    } else {
      expect(errorCodes(result)).toEqual([expected]);
      expect(sawTarget).toBe(false);
    }
    // Reads change nothing, so they are never audited, allowed or not.
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });
});

describe('API key rights', () => {
  it('refuses a KEYS_WRITE key that lacks KEYS_READ to create a key with KEYS_READ, and records the denial', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const writer = await createApiKey(env.api, owner.token, { name: 'writer', scopes: ['KEYS_WRITE'] });
    const before = await lastAuditSeq(env, owner.accountId);

    const escalated = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'escalated', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_WRITE', 'KEYS_READ'] } },
      { token: writer.secret },
    );

    expect(errorCodes(escalated)).toEqual(['FORBIDDEN']);
    expect(await exists("SELECT 1 FROM api_keys WHERE account_id = $1 AND name = 'escalated'", [owner.accountId])).toBe(
      false,
    );
    expect(await eventsAfter(owner.accountId, before)).toEqual([
      expect.objectContaining({
        action: 'api_key.created',
        outcome: 'DENIED',
        actor_type: 'API_KEY',
        actor_id: writer.id,
      }),
    ]);
    // The same key may hand out what it holds.
    const same = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'same scopes', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_WRITE'] } },
      { token: writer.secret },
    );
    expect(same.errors).toBeUndefined();
  });

  it('takes write rights from a key at once when its ADMIN creator is demoted to MEMBER', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const admin = await inviteMember(env, owner, 'ADMIN');
    const key = await createApiKey(env.api, admin.token, {
      name: 'admin key',
      scopes: ['KEYS_READ', 'KEYS_WRITE', 'SETTINGS_WRITE', 'MEMBERS_READ'],
    });

    const asAdmin = await env.api.call(ViewerDocument, {}, { token: key.secret });
    expect(asAdmin.data!.viewer).toMatchObject({ role: 'ADMIN', user: { id: admin.userId }, apiKey: { id: key.id } });
    expect([...asAdmin.data!.viewer.scopes!].sort()).toEqual([
      'KEYS_READ',
      'KEYS_WRITE',
      'MEMBERS_READ',
      'SETTINGS_WRITE',
    ]);
    const whileAdmin = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'while admin', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: key.secret },
    );
    expect(whileAdmin.errors).toBeUndefined();

    const demoted = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: admin.userId, role: 'MEMBER' } },
      { token: owner.token },
    );
    expect(demoted.errors).toBeUndefined();

    const before = await lastAuditSeq(env, owner.accountId);
    const afterDemotion = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'after demotion', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: key.secret },
    );
    expect(errorCodes(afterDemotion)).toEqual(['FORBIDDEN']);
    expect(await eventsAfter(owner.accountId, before)).toEqual([
      expect.objectContaining({
        action: 'api_key.created',
        outcome: 'DENIED',
        actor_type: 'API_KEY',
        actor_id: key.id,
      }),
    ]);
    const settings = await env.api.call(
      UpdateAccountSettingsDocument,
      { input: { defaultKeyLifetimeDays: 30 } },
      { token: key.secret },
    );
    expect(errorCodes(settings)).toEqual(['FORBIDDEN']);

    const asMember = await env.api.call(ViewerDocument, {}, { token: key.secret });
    expect(asMember.errors).toBeUndefined();
    expect(asMember.data!.viewer.role).toBe('MEMBER');
    expect([...asMember.data!.viewer.scopes!].sort()).toEqual(['KEYS_READ', 'MEMBERS_READ']);
    // Reading within the shrunken rights still works.
    expect((await env.api.call(ApiKeysDocument, {}, { token: key.secret })).errors).toBeUndefined();
  });

  it('refuses a key with UNAUTHENTICATED once the member who created it is removed', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const admin = await inviteMember(env, owner, 'ADMIN');
    const key = await createApiKey(env.api, admin.token, { name: 'leaver key', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
    expect((await env.api.call(ViewerDocument, {}, { token: key.secret })).errors).toBeUndefined();

    const removed = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: admin.userId } },
      { token: owner.token },
    );
    expect(removed.data).toEqual({ removeMember: true });

    const before = await lastAuditSeq(env, owner.accountId);
    const viewer = await env.api.call(ViewerDocument, {}, { token: key.secret });
    expect(viewer.status).toBe(401);
    expect(errorCodes(viewer)).toEqual(['UNAUTHENTICATED']);
    const create = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'orphan', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: key.secret },
    );
    expect(errorCodes(create)).toEqual(['UNAUTHENTICATED']);
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });

  it('never lets an API key change the plan, even one holding every scope', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await createApiKey(env.api, owner.token, { name: 'all scopes', scopes: ALL_SCOPES });
    const viewer = await env.api.call(ViewerDocument, {}, { token: key.secret });
    expect([...viewer.data!.viewer.scopes!].sort()).toEqual([...ALL_SCOPES].sort());
    const before = await lastAuditSeq(env, owner.accountId);

    const changed = await env.api.call(ChangePlanDocument, { input: { plan: 'ENTERPRISE' } }, { token: key.secret });

    expect(errorCodes(changed)).toEqual(['FORBIDDEN']);
    expect(await exists("SELECT 1 FROM accounts WHERE id = $1 AND plan = 'PREMIUM'", [owner.accountId])).toBe(true);
    expect(await eventsAfter(owner.accountId, before)).toEqual([
      expect.objectContaining({ action: 'plan.changed', outcome: 'DENIED', actor_type: 'API_KEY', actor_id: key.id }),
    ]);
  });
});
