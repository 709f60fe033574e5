import {
  CreateApiKeyDocument,
  RotateApiKeyDocument,
  UpdateAccountSettingsDocument,
  VerifyAuditChainDocument,
  type CreateApiKeyMutationVariables,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { errorCodes, startTestEnv, type Instance, type TestEnv } from '../support/harness';

// createApiKey computes a key from each instance's last view of the account's plan and expiry policy, and
// api_key_create checks that view under the account's lock. These are the changes made elsewhere in between
// that a user would notice if the view were trusted.

const DAY_MS = 86_400_000;
let env: TestEnv;
let other: Instance;
beforeAll(async () => {
  env = await startTestEnv();
  other = await env.startInstance();
});
afterAll(() => env.close());

function create(instance: Instance, token: string, input: Partial<CreateApiKeyMutationVariables['input']> = {}) {
  return instance.call(
    CreateApiKeyDocument,
    { input: { name: 'deploy bot', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'], ...input } },
    { token },
  );
}

async function chainIsIntact(token: string): Promise<boolean> {
  const result = await env.api.call(VerifyAuditChainDocument, {}, { token });
  return result.data!.verifyAuditChain!.ok;
}

describe('createApiKey after the account changed on another instance', () => {
  it('follows an expiry policy changed by another instance since this one last created a key', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    expect((await create(env.api, owner.token)).errors).toBeUndefined();

    const changed = await other.call(
      UpdateAccountSettingsDocument,
      { input: { defaultKeyLifetimeDays: 7, requireKeyExpiration: true } },
      { token: owner.token },
    );
    expect(changed.errors).toBeUndefined();

    const before = Date.now();
    const byDefault = await create(env.api, owner.token);
    expect(byDefault.errors).toBeUndefined();
    const expiresAt = new Date(byDefault.data!.createApiKey.apiKey.expiresAt!).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7 * DAY_MS - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS + 1000);

    const neverExpiring = await create(env.api, owner.token, { expiresAt: null });
    expect(errorCodes(neverExpiring)).toEqual(['BAD_USER_INPUT']);
    expect(neverExpiring.errors![0]!.message).toMatch(/requires API keys to expire/);
    expect(await chainIsIntact(owner.token)).toBe(true);
  });

  it('applies a plan downgrade made elsewhere to the very next create: the lower quota, nothing written', async () => {
    const owner = await env.seedAccount({ plan: Plan.STANDARD });
    for (let i = 0; i < 3; i++)
      expect((await create(env.api, owner.token, { name: `key ${i}` })).errors).toBeUndefined();
    await env.sql("UPDATE accounts SET plan = 'FREE' WHERE id = $1", [owner.accountId]);

    const refused = await create(env.api, owner.token, { name: 'one too many' });
    expect(errorCodes(refused)).toEqual(['QUOTA_EXCEEDED']);
    expect(refused.errors![0]!.message).toMatch(/FREE plan allows 3 active API keys/);
    const [keys] = await env.sql<{ n: number }>('SELECT count(*)::int AS n FROM api_keys WHERE account_id = $1', [
      owner.accountId,
    ]);
    expect(keys!.n).toBe(3);
    const [events] = await env.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_events WHERE account_id = $1 AND action = 'api_key.created'",
      [owner.accountId],
    );
    expect(events!.n).toBe(3);
  });

  it('caps a key made by an API key at that key’s expiry after another instance rotated it into a short grace', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const parent = await create(env.api, owner.token, { name: 'ci', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
    const parentSecret = parent.data!.createApiKey.secret;
    expect((await create(env.api, parentSecret, { name: 'child 1' })).errors).toBeUndefined();

    const rotated = await other.call(
      RotateApiKeyDocument,
      { input: { id: parent.data!.createApiKey.apiKey.id, gracePeriodSeconds: 3600 } },
      { token: owner.token },
    );
    expect(rotated.errors).toBeUndefined();
    const graceEnds = new Date(rotated.data!.rotateApiKey.previousKey.expiresAt!).getTime();

    const child = await create(env.api, parentSecret, { name: 'child 2' });
    expect(child.errors).toBeUndefined();
    expect(new Date(child.data!.createApiKey.apiKey.expiresAt!).getTime()).toBeLessThanOrEqual(graceEnds);

    const tooLate = await create(env.api, parentSecret, {
      name: 'child 3',
      expiresAt: new Date(graceEnds + DAY_MS).toISOString(),
    });
    expect(errorCodes(tooLate)).toEqual(['BAD_USER_INPUT']);
    expect(await chainIsIntact(owner.token)).toBe(true);
  });

  it('refuses a create by an API key revoked on another instance a moment before', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const parent = await create(env.api, owner.token, { name: 'ci', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
    const parentSecret = parent.data!.createApiKey.secret;
    expect((await create(env.api, parentSecret, { name: 'child 1' })).errors).toBeUndefined();
    await env.sql('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [parent.data!.createApiKey.apiKey.id]);

    const refused = await create(env.api, parentSecret, { name: 'child 2' });
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    const [keys] = await env.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM api_keys WHERE account_id = $1 AND name = 'child 2'",
      [owner.accountId],
    );
    expect(keys!.n).toBe(0);
  });
});
