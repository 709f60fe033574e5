import {
  AccountDocument,
  ApiKeyDocument,
  ApiKeysDocument,
  type ApiKeyScope,
  ChangeMemberRoleDocument,
  CreateApiKeyDocument,
  InviteMemberDocument,
  RemoveMemberDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UpdateAccountSettingsDocument,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { ALL_API_KEY_SCOPES, createApiKey } from '../support/fixtures';
import { errorCodes, startTestEnv, type SeededAccount, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

/** A key of these tests: purpose LONG_RUNNING_WORKFLOW. */
function createKey(token: string, name: string, scopes: ApiKeyScope[]) {
  return createApiKey(env.api, token, { name, purpose: 'LONG_RUNNING_WORKFLOW', scopes });
}

interface TwoAccounts {
  a: SeededAccount;
  aKeys: { id: string; secret: string }[];
  b: SeededAccount;
  /** B's API key holding every scope. */
  bKey: { id: string; secret: string };
}

/** Two unrelated accounts: A with two keys, B with one key that holds every scope. */
async function seedTwoAccounts(): Promise<TwoAccounts> {
  const a = await env.seedAccount({ name: 'Account A' });
  const b = await env.seedAccount({ name: 'Account B' });
  const aKeys = [
    await createKey(a.token, 'A deploys', ['KEYS_READ', 'SETTINGS_READ']),
    await createKey(a.token, 'A reports', ['KEYS_READ']),
  ];
  const bKey = await createKey(b.token, 'B automation', ALL_API_KEY_SCOPES);
  return { a, aKeys, b, bKey };
}

/** Everything about A that B must not be able to change. */
async function stateOfAccount(accountId: string) {
  const keys = await env.sql(
    `SELECT id, name, description, scopes, expires_at, revoked_at, revoked_by_id, revoke_reason, rotated_at
       FROM api_keys WHERE account_id = $1 ORDER BY id`,
    [accountId],
  );
  const members = await env.sql('SELECT user_id, role FROM memberships WHERE account_id = $1 ORDER BY user_id', [
    accountId,
  ]);
  const settings = await env.sql(
    'SELECT require_key_expiration, default_key_lifetime_days, max_key_lifetime_days FROM accounts WHERE id = $1',
    [accountId],
  );
  const events = await env.sql('SELECT id, seq, hash FROM audit_events WHERE account_id = $1 ORDER BY seq', [
    accountId,
  ]);
  return { keys, members, settings, events };
}

describe.each([
  ['its OWNER session', (world: TwoAccounts) => world.b.token],
  ['its API key with every scope', (world: TwoAccounts) => world.bKey.secret],
])('account B through %s', (_label, tokenOfB) => {
  it("gets NOT_FOUND for account A's key, exactly as for an id that does not exist", async () => {
    const world = await seedTwoAccounts();
    const token = tokenOfB(world);
    const foreign = await env.api.call(ApiKeyDocument, { id: world.aKeys[0]!.id }, { token });
    expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
    expect(foreign.data?.apiKey ?? null).toBeNull();
    const unknown = await env.api.call(ApiKeyDocument, { id: '00000000-0000-4000-8000-000000000000' }, { token });
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
    expect(foreign.errors![0]!.message).toBe(unknown.errors![0]!.message);
  });

  it("lists only B's keys, and totalCount counts only B's", async () => {
    const world = await seedTwoAccounts();
    const token = tokenOfB(world);
    const second = await createKey(token, 'B second', ['KEYS_READ']);
    const list = await env.api.call(ApiKeysDocument, { first: 100 }, { token });
    expect(list.errors).toBeUndefined();
    expect(list.data!.apiKeys.totalCount).toBe(2);
    expect(list.data!.apiKeys.edges.map((edge) => edge.node.id).sort()).toEqual([world.bKey.id, second.id].sort());
    const active = await env.api.call(ApiKeysDocument, { status: 'ACTIVE' }, { token });
    expect(active.data!.apiKeys.totalCount).toBe(2);
  });

  it("cannot revoke, rotate or update A's key: NOT_FOUND, A's key is unchanged and keeps working", async () => {
    const world = await seedTwoAccounts();
    const token = tokenOfB(world);
    const target = world.aKeys[0]!;
    const before = await stateOfAccount(world.a.accountId);

    const revoke = await env.api.call(RevokeApiKeyDocument, { input: { id: target.id, reason: 'hostile' } }, { token });
    expect(errorCodes(revoke)).toEqual(['NOT_FOUND']);
    const rotate = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: target.id, gracePeriodSeconds: 0 } },
      { token },
    );
    expect(errorCodes(rotate)).toEqual(['NOT_FOUND']);
    const update = await env.api.call(
      UpdateApiKeyDocument,
      { input: { id: target.id, name: 'renamed by B', description: 'hijacked' } },
      { token },
    );
    expect(errorCodes(update)).toEqual(['NOT_FOUND']);

    expect(await stateOfAccount(world.a.accountId)).toEqual(before);
    const asA = await env.api.call(ViewerDocument, {}, { token: target.secret });
    expect(asA.errors).toBeUndefined();
    expect(asA.data!.viewer).toMatchObject({ account: { id: world.a.accountId }, apiKey: { id: target.id } });
    const read = await env.api.call(ApiKeyDocument, { id: target.id }, { token: world.a.token });
    expect(read.data!.apiKey).toMatchObject({
      name: 'A deploys',
      description: null,
      status: 'ACTIVE',
      rotatedAt: null,
    });
  });

  it("cannot change the role of or remove A's owner: NOT_FOUND, and A's owner keeps the role", async () => {
    const world = await seedTwoAccounts();
    const token = tokenOfB(world);
    const before = await stateOfAccount(world.a.accountId);

    for (const role of ['MEMBER', 'ADMIN'] as const) {
      const change = await env.api.call(
        ChangeMemberRoleDocument,
        { input: { userId: world.a.userId, role } },
        { token },
      );
      expect(errorCodes(change)).toEqual(['NOT_FOUND']);
    }
    const remove = await env.api.call(RemoveMemberDocument, { input: { userId: world.a.userId } }, { token });
    expect(errorCodes(remove)).toEqual(['NOT_FOUND']);

    expect(await stateOfAccount(world.a.accountId)).toEqual(before);
    const asA = await env.api.call(ViewerDocument, {}, { token: world.a.token });
    expect(asA.data!.viewer).toMatchObject({ account: { id: world.a.accountId }, role: 'OWNER' });
  });

  it('sees only its own account, viewer and members', async () => {
    const world = await seedTwoAccounts();
    const token = tokenOfB(world);
    const viewer = await env.api.call(ViewerDocument, {}, { token });
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data!.viewer.account.id).toBe(world.b.accountId);
    expect(viewer.data!.viewer.user?.id).toBe(world.b.userId);

    const account = await env.api.call(AccountDocument, {}, { token });
    expect(account.errors).toBeUndefined();
    expect(account.data!.account).toMatchObject({ id: world.b.accountId, name: 'Account B' });
    expect(account.data!.account.members.map((member) => ({ id: member.user.id, role: member.role }))).toEqual([
      { id: world.b.userId, role: 'OWNER' },
    ]);
  });
});

describe('session tokens across accounts', () => {
  it("refuses a token for account A carried by B's owner with HTTP 401 UNAUTHENTICATED", async () => {
    const { a, b } = await seedTwoAccounts();
    const crossed = await env.tokenFor(a.accountId, b.userId);
    const viewer = await env.api.call(ViewerDocument, {}, { token: crossed });
    expect(viewer.status).toBe(401);
    expect(errorCodes(viewer)).toEqual(['UNAUTHENTICATED']);
    expect(viewer.data ?? null).toBeNull();

    const before = await stateOfAccount(a.accountId);
    const create = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'smuggled', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: crossed },
    );
    expect(errorCodes(create)).toEqual(['UNAUTHENTICATED']);
    expect(await stateOfAccount(a.accountId)).toEqual(before);
  });
});

describe('audit isolation', () => {
  it("records B's successes, refusals and denials only in B's audit log", async () => {
    const world = await seedTwoAccounts();
    const { a, b, bKey, aKeys } = world;
    const aBefore = await stateOfAccount(a.accountId);
    const bSeqBefore = (await stateOfAccount(b.accountId)).events.length;

    // Successful changes in B, by its owner and by its key.
    await createKey(b.token, 'B by owner', ['KEYS_READ']);
    await createKey(bKey.secret, 'B by key', ['KEYS_READ']);
    const settings = await env.api.call(
      UpdateAccountSettingsDocument,
      { input: { defaultKeyLifetimeDays: 30 } },
      { token: b.token },
    );
    expect(settings.errors).toBeUndefined();
    const invited = await env.api.call(
      InviteMemberDocument,
      { input: { email: `member.${Date.now()}@b.example.test`, role: 'MEMBER' } },
      { token: b.token },
    );
    const memberId = invited.data!.inviteMember.user.id;

    // Attempts on A's objects: not found, so nothing is written anywhere.
    for (const token of [b.token, bKey.secret]) {
      const revoke = await env.api.call(RevokeApiKeyDocument, { input: { id: aKeys[0]!.id } }, { token });
      expect(errorCodes(revoke)).toEqual(['NOT_FOUND']);
      const remove = await env.api.call(RemoveMemberDocument, { input: { userId: a.userId } }, { token });
      expect(errorCodes(remove)).toEqual(['NOT_FOUND']);
    }
    // A MEMBER of B lacks keys:write: the refusal is recorded as DENIED, in B's log.
    const memberToken = await env.tokenFor(b.accountId, memberId);
    const denied = await env.api.call(RevokeApiKeyDocument, { input: { id: aKeys[0]!.id } }, { token: memberToken });
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);

    expect(await stateOfAccount(a.accountId)).toEqual(aBefore);
    const leaked = await env.sql(
      'SELECT account_id, action FROM audit_events WHERE account_id <> $1 AND actor_id = ANY($2::text[])',
      [b.accountId, [b.userId, bKey.id, memberId]],
    );
    expect(leaked).toEqual([]);

    const bEvents = await env.sql<{ action: string; outcome: string; actor_type: string }>(
      'SELECT action, outcome, actor_type FROM audit_events WHERE account_id = $1 AND seq > $2 ORDER BY seq',
      [b.accountId, bSeqBefore],
    );
    expect(bEvents).toEqual([
      { action: 'api_key.created', outcome: 'SUCCESS', actor_type: 'USER' },
      { action: 'api_key.created', outcome: 'SUCCESS', actor_type: 'API_KEY' },
      { action: 'settings.updated', outcome: 'SUCCESS', actor_type: 'USER' },
      { action: 'member.invited', outcome: 'SUCCESS', actor_type: 'USER' },
      { action: 'api_key.revoked', outcome: 'DENIED', actor_type: 'USER' },
    ]);
  });
});
