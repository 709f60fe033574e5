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

describe('updateAccountSettings after the account changed on another instance', () => {
  const settings = (instance: Instance, token: string, defaultKeyLifetimeDays: number) =>
    instance.call(UpdateAccountSettingsDocument, { input: { defaultKeyLifetimeDays } }, { token });

  async function changesRecorded(accountId: string): Promise<unknown[]> {
    const rows = await env.sql<{ changes: unknown }>(
      "SELECT changes FROM audit_events WHERE account_id = $1 AND action = 'settings.updated' ORDER BY seq",
      [accountId],
    );
    return rows.map((row) => row.changes);
  }

  it('records the value another instance set as "before", not this instance’s last view', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    expect((await settings(env.api, owner.token, 30)).errors).toBeUndefined();
    expect((await settings(other, owner.token, 45)).errors).toBeUndefined();

    const result = await settings(env.api, owner.token, 50);
    expect(result.data!.updateAccountSettings.defaultKeyLifetimeDays).toBe(50);
    expect(await changesRecorded(owner.accountId)).toEqual([
      [{ field: 'defaultKeyLifetimeDays', before: 90, after: 30 }],
      [{ field: 'defaultKeyLifetimeDays', before: 30, after: 45 }],
      [{ field: 'defaultKeyLifetimeDays', before: 45, after: 50 }],
    ]);
    expect(await chainIsIntact(owner.token)).toBe(true);
  });

  it('changes a value back that this instance last saw as already set', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    expect((await settings(env.api, owner.token, 30)).errors).toBeUndefined();
    expect((await settings(other, owner.token, 60)).errors).toBeUndefined();

    const result = await settings(env.api, owner.token, 30);
    expect(result.data!.updateAccountSettings.defaultKeyLifetimeDays).toBe(30);
    const [account] = await env.sql<{ d: number }>(
      'SELECT default_key_lifetime_days AS d FROM accounts WHERE id = $1',
      [owner.accountId],
    );
    expect(account!.d).toBe(30);
    expect((await changesRecorded(owner.accountId)).at(-1)).toEqual([
      { field: 'defaultKeyLifetimeDays', before: 60, after: 30 },
    ]);
  });
});

describe('concurrent updateAccountSettings on one account', () => {
  it('records every change once, each event starting where the one before ended, on one instance and across two', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const days = Array.from({ length: 24 }, (_, i) => 10 + i);
    const results = await Promise.all(
      days.map((d, i) =>
        (i % 3 === 0 ? other : env.api).call(
          UpdateAccountSettingsDocument,
          { input: { defaultKeyLifetimeDays: d } },
          { token: owner.token },
        ),
      ),
    );
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);

    const rows = await env.sql<{ changes: { field: string; before: number; after: number }[] }>(
      "SELECT changes FROM audit_events WHERE account_id = $1 AND action = 'settings.updated' ORDER BY seq",
      [owner.accountId],
    );
    expect(rows).toHaveLength(days.length);
    let current = 90;
    for (const { changes } of rows) {
      expect(changes).toHaveLength(1);
      expect(changes[0]!.before).toBe(current);
      current = changes[0]!.after;
    }
    expect(rows.map((row) => row.changes[0]!.after).sort((a, b) => a - b)).toEqual(days);
    const [account] = await env.sql<{ d: number }>(
      'SELECT default_key_lifetime_days AS d FROM accounts WHERE id = $1',
      [owner.accountId],
    );
    expect(account!.d).toBe(current);
    expect(await chainIsIntact(owner.token)).toBe(true);
  });
});
