import {
  ApiKeyDocument,
  ApiKeysDocument,
  type ApiKeysQuery,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { runCli } from '../../src/cli';
import { Plan } from '../../src/entitlements/plans';
import { auditActions } from '../support/audit';
import { errorCodes, startTestEnv, TEST_SESSION_SECRET, type GraphQLResult, type TestEnv } from '../support/harness';
import { sleep } from '../support/wait';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

describe('API key lifecycle over HTTP', () => {
  it('bootstraps, creates, uses, rotates with grace, and revokes, auditing each step once', async () => {
    const line = await runCli(['bootstrap', '--account', 'Acme', '--email', 'owner@acme.test', '--plan', 'PREMIUM'], {
      DATABASE_URL: env.databaseUrl,
      SESSION_SECRET: TEST_SESSION_SECRET,
    });
    const { accountId, userId, token } = JSON.parse(line) as { accountId: string; userId: string; token: string };
    expect(Object.keys(JSON.parse(line)).sort()).toEqual(['accountId', 'consoleUrl', 'token', 'userId']);

    const created = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'CI deploys', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ', 'KEYS_WRITE'] } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    const secret = created.data!.createApiKey.secret;
    const key = created.data!.createApiKey.apiKey;
    expect(secret).toMatch(/^kl_live_[0-9A-Za-z]{36}$/);
    expect(key).toMatchObject({ name: 'CI deploys', status: 'ACTIVE', createdBy: { id: userId } });
    expect(key.displayKey).toBe(`kl_live_${secret.slice(8, 12)}…${secret.slice(-4)}`);

    const asKey = await env.api.call(ViewerDocument, {}, { token: secret });
    expect(asKey.errors).toBeUndefined();
    expect(asKey.data!.viewer).toMatchObject({
      account: { id: accountId },
      apiKey: { id: key.id },
      scopes: ['KEYS_READ', 'KEYS_WRITE'],
    });

    const rotated = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: key.id, gracePeriodSeconds: 2 } },
      { token },
    );
    expect(rotated.errors).toBeUndefined();
    const { secret: newSecret, apiKey: newKey, previousKey } = rotated.data!.rotateApiKey;
    expect(newSecret).not.toBe(secret);
    expect(newKey).toMatchObject({
      name: 'CI deploys',
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: ['KEYS_READ', 'KEYS_WRITE'],
    });
    expect(previousKey.id).toBe(key.id);
    expect(previousKey.status).toBe('ROTATING');

    // Both keys work during the grace period.
    expect((await env.api.call(ViewerDocument, {}, { token: secret })).errors).toBeUndefined();
    expect((await env.api.call(ViewerDocument, {}, { token: newSecret })).errors).toBeUndefined();

    await sleep(2_200);
    const afterGrace = await env.api.call(ViewerDocument, {}, { token: secret });
    expect(afterGrace.status).toBe(401);
    expect(errorCodes(afterGrace)).toEqual(['UNAUTHENTICATED']);
    expect((await env.api.call(ViewerDocument, {}, { token: newSecret })).errors).toBeUndefined();

    const revoked = await env.api.call(
      RevokeApiKeyDocument,
      { input: { id: newKey.id, reason: 'leaked in a log' } },
      { token },
    );
    expect(revoked.data!.revokeApiKey).toMatchObject({
      status: 'REVOKED',
      revokeReason: 'leaked in a log',
      revokedBy: { id: userId },
    });
    const afterRevoke = await env.api.call(ViewerDocument, {}, { token: newSecret });
    expect(errorCodes(afterRevoke)).toEqual(['UNAUTHENTICATED']);
    expect(afterRevoke.errors![0]!.message).toMatch(/revoked/);

    expect(await auditActions(env, accountId)).toEqual([
      'account.created',
      'api_key.created',
      'api_key.rotated',
      'api_key.revoked',
    ]);
  });

  it('revoking twice is not an error and records one event', async () => {
    const owner = await env.seedAccount();
    const created = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'twice', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    const id = created.data!.createApiKey.apiKey.id;
    const first = await env.api.call(RevokeApiKeyDocument, { input: { id } }, { token: owner.token });
    const second = await env.api.call(RevokeApiKeyDocument, { input: { id, reason: 'again' } }, { token: owner.token });
    expect(second.errors).toBeUndefined();
    expect(second.data!.revokeApiKey.revokedAt).toBe(first.data!.revokeApiKey.revokedAt);
    expect(second.data!.revokeApiKey.revokeReason).toBeNull();
    expect(await auditActions(env, owner.accountId)).toEqual(['account.created', 'api_key.created', 'api_key.revoked']);
  });

  it('rotation with no grace period ends the old key at once and refuses a second rotation', async () => {
    const owner = await env.seedAccount();
    const created = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'no grace', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    const { secret, apiKey } = created.data!.createApiKey;
    const rotated = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: apiKey.id, gracePeriodSeconds: 0 } },
      { token: owner.token },
    );
    expect(rotated.data!.rotateApiKey.previousKey.status).toBe('EXPIRED');
    expect(errorCodes(await env.api.call(ViewerDocument, {}, { token: secret }))).toEqual(['UNAUTHENTICATED']);
    // The new key keeps the old lifetime (the default 90 days here).
    const lifetime = Date.parse(rotated.data!.rotateApiKey.apiKey.expiresAt!) - Date.now();
    expect(Math.round(lifetime / 86_400_000)).toBe(90);
    const again = await env.api.call(RotateApiKeyDocument, { input: { id: apiKey.id } }, { token: owner.token });
    expect(errorCodes(again)).toEqual(['BAD_USER_INPUT']);
  });

  it('updates name and description, and an update that changes nothing records nothing', async () => {
    const owner = await env.seedAccount();
    const created = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'old name', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    const id = created.data!.createApiKey.apiKey.id;
    const updated = await env.api.call(
      UpdateApiKeyDocument,
      { input: { id, name: 'new name', description: 'for the handoff to ops' } },
      { token: owner.token },
    );
    expect(updated.data!.updateApiKey).toMatchObject({ name: 'new name', description: 'for the handoff to ops' });
    await env.api.call(UpdateApiKeyDocument, { input: { id, name: 'new name' } }, { token: owner.token });
    const rows = await env.sql<{ changes: unknown }>(
      "SELECT changes FROM audit_events WHERE account_id = $1 AND action = 'api_key.updated'",
      [owner.accountId],
    );
    expect(rows).toEqual([
      {
        changes: [
          { field: 'name', before: 'old name', after: 'new name' },
          { field: 'description', before: null, after: 'for the handoff to ops' },
        ],
      },
    ]);
  });

  it('lists keys newest first with cursors, a status filter and a total', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await env.api.call(
        CreateApiKeyDocument,
        { input: { name: `key ${i}`, purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
        { token: owner.token },
      );
      ids.push(created.data!.createApiKey.apiKey.id);
    }
    await env.api.call(RevokeApiKeyDocument, { input: { id: ids[1]! } }, { token: owner.token });

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResult<ApiKeysQuery> = await env.api.call(
        ApiKeysDocument,
        { first: 2, after },
        { token: owner.token },
      );
      const connection = page.data!.apiKeys;
      expect(connection.totalCount).toBe(5);
      seen.push(...connection.edges.map((edge) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual([...ids].reverse());

    const revoked = await env.api.call(ApiKeysDocument, { status: 'REVOKED' }, { token: owner.token });
    expect(revoked.data!.apiKeys.totalCount).toBe(1);
    expect(revoked.data!.apiKeys.edges.map((edge) => edge.node.id)).toEqual([ids[1]]);
    const active = await env.api.call(ApiKeysDocument, { status: 'ACTIVE' }, { token: owner.token });
    expect(active.data!.apiKeys.totalCount).toBe(4);

    const tooMany = await env.api.call(ApiKeysDocument, { first: 101 }, { token: owner.token });
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    const badCursor = await env.api.call(ApiKeysDocument, { after: 'not-a-cursor' }, { token: owner.token });
    expect(errorCodes(badCursor)).toEqual(['BAD_USER_INPUT']);
    const forgedCursor = Buffer.from(JSON.stringify(['api_key', new Date().toISOString(), "x' OR 1=1"])).toString(
      'base64url',
    );
    const forged = await env.api.call(ApiKeysDocument, { after: forgedCursor }, { token: owner.token });
    expect(errorCodes(forged)).toEqual(['BAD_USER_INPUT']);
  });

  it('pages a status filter, counts past the last page, and shows the same key as apiKey(id)', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await env.api.call(
        CreateApiKeyDocument,
        { input: { name: `key ${i}`, purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ', 'AUDIT_READ'] } },
        { token: owner.token },
      );
      ids.push(created.data!.createApiKey.apiKey.id);
    }
    // keys 0 and 3 revoked, key 4 rotated without grace (expired at once; its replacement is active).
    for (const index of [0, 3]) {
      await env.api.call(RevokeApiKeyDocument, { input: { id: ids[index]!, reason: 'left' } }, { token: owner.token });
    }
    const rotated = await env.api.call(RotateApiKeyDocument, { input: { id: ids[4]! } }, { token: owner.token });
    const replacement = rotated.data!.rotateApiKey.apiKey.id;

    const pages = async (status: 'ACTIVE' | 'REVOKED' | 'EXPIRED') => {
      const seen: string[] = [];
      const totals = new Set<number>();
      let after: string | null = null;
      for (;;) {
        const page: GraphQLResult<ApiKeysQuery> = await env.api.call(
          ApiKeysDocument,
          { first: 1, after, status },
          { token: owner.token },
        );
        const connection = page.data!.apiKeys;
        totals.add(connection.totalCount);
        seen.push(...connection.edges.map((edge) => edge.node.id));
        expect(connection.edges.every((edge) => edge.node.status === status)).toBe(true);
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor ?? null;
      }
      return { seen, totals: [...totals] };
    };
    expect(await pages('ACTIVE')).toEqual({ seen: [replacement, ids[5], ids[2], ids[1]], totals: [4] });
    expect(await pages('REVOKED')).toEqual({ seen: [ids[3], ids[0]], totals: [2] });
    expect(await pages('EXPIRED')).toEqual({ seen: [ids[4]], totals: [1] });

    // After the last key: no edges, but the total still counts the whole list.
    const all = await env.api.call(ApiKeysDocument, { first: 100 }, { token: owner.token });
    const last = all.data!.apiKeys.pageInfo.endCursor!;
    const beyond = await env.api.call(ApiKeysDocument, { after: last }, { token: owner.token });
    expect(beyond.data!.apiKeys).toMatchObject({ edges: [], totalCount: 7, pageInfo: { hasNextPage: false } });

    // Every key in the list reads exactly as apiKey(id) shows it (creator, revoker, reason, dates).
    for (const edge of all.data!.apiKeys.edges) {
      const single = await env.api.call(ApiKeyDocument, { id: edge.node.id }, { token: owner.token });
      expect(edge.node).toEqual(single.data!.apiKey);
    }
    const revokedKey = all.data!.apiKeys.edges.find((edge) => edge.node.id === ids[0])!.node;
    expect(revokedKey).toMatchObject({
      status: 'REVOKED',
      revokeReason: 'left',
      revokedBy: { id: owner.userId, email: owner.email },
      createdBy: { id: owner.userId, email: owner.email },
    });
  });

  it('records lastUsedAt and lastUsedIp when a key is used', async () => {
    const owner = await env.seedAccount();
    const created = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'used', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    const { secret, apiKey } = created.data!.createApiKey;
    expect(apiKey.lastUsedAt).toBeNull();
    await env.api.call(ViewerDocument, {}, { token: secret });
    // Usage is written off the request path: poll for it.
    let row: { last_used_at: Date | null; last_used_ip: string | null } | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      [row] = await env.sql<{ last_used_at: Date | null; last_used_ip: string | null }>(
        'SELECT last_used_at, last_used_ip FROM api_keys WHERE id = $1',
        [apiKey.id],
      );
      if (row?.last_used_at) break;
      await sleep(20);
    }
    expect(row!.last_used_at).not.toBeNull();
    expect(row!.last_used_ip).toBe('127.0.0.1');
  });
});
