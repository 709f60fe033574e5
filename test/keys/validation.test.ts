import { SignJWT } from 'jose';
import {
  AccountDocument,
  ApiKeyDocument,
  ApiKeysDocument,
  type ApiKeyPurpose,
  type ApiKeyScope,
  CreateApiKeyDocument,
  type CreateApiKeyInput,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UpdateAccountSettingsDocument,
  type UpdateAccountSettingsInput,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { API_KEY_PREFIX, generateApiKeySecret, isWellFormedApiKey } from '../../src/keys/api-key.format';
import { auditActions } from '../support/audit';
import { createApiKey } from '../support/fixtures';
import { errorCodes, startTestEnv, type GraphQLResult, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** What a refused request must leave untouched: row counts, and the state of every key and account. */
interface WrittenState {
  keys: number;
  events: number;
  keyState: string;
  settingsState: string;
}

async function writtenState(): Promise<WrittenState> {
  const [row] = await env.sql<WrittenState>(`
    SELECT (SELECT count(*)::int FROM api_keys) AS "keys",
           (SELECT count(*)::int FROM audit_events) AS "events",
           (SELECT coalesce(string_agg(
                     concat_ws('|', id, name, description, expires_at, revoked_at, revoke_reason, rotated_at), ';' ORDER BY id), '')
              FROM api_keys) AS "keyState",
           (SELECT coalesce(string_agg(
                     concat_ws('|', id, require_key_expiration, default_key_lifetime_days, max_key_lifetime_days), ';' ORDER BY id), '')
              FROM accounts) AS "settingsState"`);
  return row!;
}

/** Runs `call`, expects exactly one error with `code`, and that no row was inserted or changed. */
async function expectRefusedWithoutWrites<T>(
  call: () => Promise<GraphQLResult<T>>,
  code: string,
): Promise<GraphQLResult<T>> {
  const before = await writtenState();
  const result = await call();
  expect(errorCodes(result)).toEqual([code]);
  expect(await writtenState()).toEqual(before);
  return result;
}

/** A valid input; each test changes the part it is about. */
const VALID_INPUT: CreateApiKeyInput = { name: 'integration', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] };

/** Sends createApiKey with `input` over the valid one, and returns the result whatever it is. */
function createKey(token: string, input: Partial<CreateApiKeyInput> = {}) {
  return env.api.call(CreateApiKeyDocument, { input: { ...VALID_INPUT, ...input } }, { token });
}

/** Creates a key with `input` over the valid one, expecting no error. */
function createdKey(token: string, input: Partial<CreateApiKeyInput> = {}) {
  return createApiKey(env.api, token, { ...VALID_INPUT, ...input });
}

/** Milliseconds between an ISO timestamp and `now + days`. */
function offsetFromDays(iso: string | null | undefined, from: number, days: number): number {
  return Math.abs(Date.parse(iso!) - (from + days * DAY_MS));
}

/** `text` with its character at `index` replaced by a different base62 character. */
function withCharChanged(text: string, index: number): string {
  const current = text[index]!;
  const replacement = current === 'a' ? 'b' : 'a';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('createApiKey input validation', () => {
  const badInputs: [string, () => Partial<CreateApiKeyInput>, string][] = [
    ['an empty name', () => ({ name: '' }), 'name'],
    ['a whitespace-only name', () => ({ name: '  \t  ' }), 'name'],
    ['a 10 kB name', () => ({ name: 'x'.repeat(10 * 1024) }), 'name'],
    ['a 101-character name', () => ({ name: 'n'.repeat(101) }), 'name'],
    ['a name with a NUL character', () => ({ name: 'nul\u0000byte' }), 'name'],
    ['a name with a line break', () => ({ name: 'two\nlines' }), 'name'],
    ['a name with a terminal escape', () => ({ name: 'ansi \u001b[31mred' }), 'name'],
    ['a description over 1000 characters', () => ({ description: 'd'.repeat(1001) }), 'description'],
    ['an expiresAt a day in the past', () => ({ expiresAt: new Date(Date.now() - DAY_MS).toISOString() }), 'expiresAt'],
    ['an expiresAt one second ago', () => ({ expiresAt: new Date(Date.now() - 1000).toISOString() }), 'expiresAt'],
    [
      'an expiresAt beyond the 365-day maximum lifetime',
      () => ({ expiresAt: new Date(Date.now() + 366 * DAY_MS).toISOString() }),
      'expiresAt',
    ],
    ['an empty scopes list', () => ({ scopes: [] }), 'scopes'],
  ];

  it.each(badInputs)('refuses %s with BAD_USER_INPUT and writes nothing', async (_label, input, field) => {
    const owner = await env.seedAccount();
    const result = await expectRefusedWithoutWrites(() => createKey(owner.token, input()), 'BAD_USER_INPUT');
    expect(result.errors![0]!.extensions?.field).toBe(field);
    expect(result.data ?? null).toBeNull();
  });

  it('accepts a name of exactly 100 characters after trimming surrounding spaces', async () => {
    const owner = await env.seedAccount();
    const name = 'n'.repeat(100);
    const key = await createdKey(owner.token, { name: `  ${name}  ` });
    expect(key.apiKey.name).toBe(name);
  });

  it('refuses an explicit null expiresAt when the account requires expiry, and writes nothing', async () => {
    const owner = await env.seedAccount();
    const settings = await env.api.call(
      UpdateAccountSettingsDocument,
      { input: { requireKeyExpiration: true } },
      { token: owner.token },
    );
    expect(settings.data!.updateAccountSettings.requireKeyExpiration).toBe(true);
    const result = await expectRefusedWithoutWrites(
      () => createKey(owner.token, { expiresAt: null }),
      'BAD_USER_INPUT',
    );
    expect(result.errors![0]!.extensions?.field).toBe('expiresAt');
  });

  it('refuses an unknown purpose passed in variables with BAD_USER_INPUT', async () => {
    const owner = await env.seedAccount();
    await expectRefusedWithoutWrites(
      () => createKey(owner.token, { purpose: 'FOREVER' as unknown as ApiKeyPurpose }),
      'BAD_USER_INPUT',
    );
  });

  it('refuses an unknown scope passed in variables with BAD_USER_INPUT', async () => {
    const owner = await env.seedAccount();
    await expectRefusedWithoutWrites(
      () => createKey(owner.token, { scopes: ['KEYS_READ', 'ROOT' as unknown as ApiKeyScope] }),
      'BAD_USER_INPUT',
    );
  });
});

describe('rotate, revoke, update and list input validation', () => {
  it.each([
    ['a negative grace period', -1],
    ['a grace period over 30 days', 2_592_001],
  ])('refuses rotation with %s and leaves the key as it was', async (_label, gracePeriodSeconds) => {
    const owner = await env.seedAccount();
    const { apiKey, secret } = await createdKey(owner.token);
    const result = await expectRefusedWithoutWrites(
      () =>
        env.api.call(RotateApiKeyDocument, { input: { id: apiKey.id, gracePeriodSeconds } }, { token: owner.token }),
      'BAD_USER_INPUT',
    );
    expect(result.errors![0]!.extensions?.field).toBe('gracePeriodSeconds');
    expect((await env.api.call(ViewerDocument, {}, { token: secret })).errors).toBeUndefined();
  });

  it('accepts a grace period of exactly 30 days', async () => {
    const owner = await env.seedAccount();
    const { apiKey } = await createdKey(owner.token);
    const before = Date.now();
    const rotated = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: apiKey.id, gracePeriodSeconds: 2_592_000 } },
      { token: owner.token },
    );
    expect(rotated.errors).toBeUndefined();
    expect(rotated.data!.rotateApiKey.previousKey.status).toBe('ROTATING');
    expect(offsetFromDays(rotated.data!.rotateApiKey.previousKey.expiresAt, before, 30)).toBeLessThan(MINUTE_MS);
  });

  it('refuses a revoke reason over 500 characters and keeps the key active', async () => {
    const owner = await env.seedAccount();
    const { apiKey, secret } = await createdKey(owner.token);
    const result = await expectRefusedWithoutWrites(
      () =>
        env.api.call(
          RevokeApiKeyDocument,
          { input: { id: apiKey.id, reason: 'r'.repeat(501) } },
          { token: owner.token },
        ),
      'BAD_USER_INPUT',
    );
    expect(result.errors![0]!.extensions?.field).toBe('reason');
    expect((await env.api.call(ViewerDocument, {}, { token: secret })).errors).toBeUndefined();
  });

  it.each([
    ['an empty name', ''],
    ['a whitespace-only name', '   '],
  ])('refuses updateApiKey with %s and keeps the old name', async (_label, name) => {
    const owner = await env.seedAccount();
    const { apiKey } = await createdKey(owner.token, { name: 'keep me' });
    await expectRefusedWithoutWrites(
      () => env.api.call(UpdateApiKeyDocument, { input: { id: apiKey.id, name } }, { token: owner.token }),
      'BAD_USER_INPUT',
    );
    const read = await env.api.call(ApiKeyDocument, { id: apiKey.id }, { token: owner.token });
    expect(read.data!.apiKey!.name).toBe('keep me');
  });

  it.each([0, 101])('refuses apiKeys(first: %i) with BAD_USER_INPUT', async (first) => {
    const owner = await env.seedAccount();
    await createdKey(owner.token);
    const result = await expectRefusedWithoutWrites(
      () => env.api.call(ApiKeysDocument, { first }, { token: owner.token }),
      'BAD_USER_INPUT',
    );
    expect(result.errors![0]!.extensions?.field).toBe('first');
  });
});

describe('expiry policy', () => {
  it('gives a key created without expiresAt the default lifetime of 90 days', async () => {
    const owner = await env.seedAccount();
    const before = Date.now();
    const { apiKey } = await createdKey(owner.token);
    expect(offsetFromDays(apiKey.expiresAt, before, 90)).toBeLessThan(MINUTE_MS);
  });

  it('uses a changed default lifetime for keys created afterwards', async () => {
    const owner = await env.seedAccount();
    const updated = await env.api.call(
      UpdateAccountSettingsDocument,
      { input: { defaultKeyLifetimeDays: 7 } },
      { token: owner.token },
    );
    expect(updated.data!.updateAccountSettings).toEqual({
      requireKeyExpiration: false,
      defaultKeyLifetimeDays: 7,
      maxKeyLifetimeDays: 365,
    });
    const before = Date.now();
    const { apiKey } = await createdKey(owner.token);
    expect(offsetFromDays(apiKey.expiresAt, before, 7)).toBeLessThan(MINUTE_MS);
  });

  it('creates a key that never expires from an explicit null when expiry is not required', async () => {
    const owner = await env.seedAccount();
    const { apiKey, secret } = await createdKey(owner.token, { expiresAt: null });
    expect(apiKey.expiresAt).toBeNull();
    expect(apiKey.status).toBe('ACTIVE');
    expect((await env.api.call(ViewerDocument, {}, { token: secret })).errors).toBeUndefined();
  });

  it('keeps an explicit expiresAt within the maximum', async () => {
    const owner = await env.seedAccount();
    const expiresAt = new Date(Date.now() + 30 * DAY_MS);
    const { apiKey } = await createdKey(owner.token, { expiresAt: expiresAt.toISOString() });
    expect(Date.parse(apiKey.expiresAt!)).toBe(expiresAt.getTime());
  });

  const badSettings: [string, UpdateAccountSettingsInput, string][] = [
    ['a default above the current maximum', { defaultKeyLifetimeDays: 366 }, 'defaultKeyLifetimeDays'],
    ['a maximum below the current default', { maxKeyLifetimeDays: 60 }, 'defaultKeyLifetimeDays'],
    [
      'a default above the new maximum',
      { defaultKeyLifetimeDays: 30, maxKeyLifetimeDays: 10 },
      'defaultKeyLifetimeDays',
    ],
    ['a default of 0 days', { defaultKeyLifetimeDays: 0 }, 'defaultKeyLifetimeDays'],
    ['a maximum of 0 days', { maxKeyLifetimeDays: 0 }, 'maxKeyLifetimeDays'],
    ['a default of 3651 days', { defaultKeyLifetimeDays: 3651 }, 'defaultKeyLifetimeDays'],
    ['a maximum of 3651 days', { maxKeyLifetimeDays: 3651 }, 'maxKeyLifetimeDays'],
  ];

  it.each(badSettings)('refuses settings with %s and keeps the old policy', async (_label, input, field) => {
    const owner = await env.seedAccount();
    const result = await expectRefusedWithoutWrites(
      () => env.api.call(UpdateAccountSettingsDocument, { input }, { token: owner.token }),
      'BAD_USER_INPUT',
    );
    expect(result.errors![0]!.extensions?.field).toBe(field);
    const account = await env.api.call(AccountDocument, {}, { token: owner.token });
    expect(account.data!.account.settings).toEqual({
      requireKeyExpiration: false,
      defaultKeyLifetimeDays: 90,
      maxKeyLifetimeDays: 365,
    });
  });

  it.each([
    ['the current values', { requireKeyExpiration: false, defaultKeyLifetimeDays: 90, maxKeyLifetimeDays: 365 }],
    ['no fields', {}],
  ])('records no event for a settings update with %s', async (_label, input: UpdateAccountSettingsInput) => {
    const owner = await env.seedAccount();
    const before = await writtenState();
    const result = await env.api.call(UpdateAccountSettingsDocument, { input }, { token: owner.token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.updateAccountSettings).toEqual({
      requireKeyExpiration: false,
      defaultKeyLifetimeDays: 90,
      maxKeyLifetimeDays: 365,
    });
    expect(await writtenState()).toEqual(before);
    expect(await auditActions(env, owner.accountId)).toEqual(['account.created']);
  });

  it('records a real settings change as one settings.updated event with before and after', async () => {
    const owner = await env.seedAccount();
    const result = await env.api.call(
      UpdateAccountSettingsDocument,
      { input: { requireKeyExpiration: true, defaultKeyLifetimeDays: 90, maxKeyLifetimeDays: 180 } },
      { token: owner.token },
    );
    expect(result.data!.updateAccountSettings).toEqual({
      requireKeyExpiration: true,
      defaultKeyLifetimeDays: 90,
      maxKeyLifetimeDays: 180,
    });
    const rows = await env.sql<{
      action: string;
      outcome: string;
      actor_id: string;
      target_id: string;
      changes: unknown[];
    }>(
      'SELECT action, outcome, actor_id, target_id, changes FROM audit_events WHERE account_id = $1 AND seq > 1 ORDER BY seq',
      [owner.accountId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'settings.updated',
      outcome: 'SUCCESS',
      actor_id: owner.userId,
      target_id: owner.accountId,
    });
    expect(rows[0]!.changes).toHaveLength(2);
    expect(rows[0]!.changes).toEqual(
      expect.arrayContaining([
        { field: 'requireKeyExpiration', before: false, after: true },
        { field: 'maxKeyLifetimeDays', before: 365, after: 180 },
      ]),
    );
  });
});

describe('active key quota', () => {
  it('lets a FREE account hold 3 active keys and refuses a 4th with QUOTA_EXCEEDED until one is revoked', async () => {
    const owner = await env.seedAccount();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createdKey(owner.token, { name: `key ${i}` })).apiKey.id);

    const refused = await expectRefusedWithoutWrites(
      () => createKey(owner.token, { name: 'one too many' }),
      'QUOTA_EXCEEDED',
    );
    expect(refused.errors![0]!.extensions?.limit).toBe(3);
    expect(refused.data ?? null).toBeNull();

    const revoked = await env.api.call(RevokeApiKeyDocument, { input: { id: ids[0]! } }, { token: owner.token });
    expect(revoked.errors).toBeUndefined();
    const { apiKey } = await createdKey(owner.token, { name: 'after revoking one' });
    expect(apiKey.status).toBe('ACTIVE');
    expect(errorCodes(await createKey(owner.token, { name: 'again too many' }))).toEqual(['QUOTA_EXCEEDED']);
  });

  it('does not count an expired key against the quota', async () => {
    const owner = await env.seedAccount();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createdKey(owner.token, { name: `key ${i}` })).apiKey.id);
    await env.sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [ids[0]]);
    expect((await createKey(owner.token, { name: 'replaces the expired one' })).errors).toBeUndefined();
  });
});

describe('bad credentials', () => {
  /** Each case returns the Authorization header value to send. */
  const badCredentials: [string, () => Promise<string>][] = [
    ['an API key of the wrong length', async () => `Bearer ${API_KEY_PREFIX}garbage`],
    [
      'an issued API key with its last character flipped (bad checksum)',
      async () => {
        const owner = await env.seedAccount();
        const { secret } = await createdKey(owner.token);
        return `Bearer ${withCharChanged(secret, secret.length - 1)}`;
      },
    ],
    ['a well-formed API key that was never issued', async () => `Bearer ${generateApiKeySecret()}`],
    [
      'a revoked API key',
      async () => {
        const owner = await env.seedAccount();
        const { apiKey, secret } = await createdKey(owner.token);
        await env.api.call(RevokeApiKeyDocument, { input: { id: apiKey.id } }, { token: owner.token });
        return `Bearer ${secret}`;
      },
    ],
    [
      'an expired API key',
      async () => {
        const owner = await env.seedAccount();
        const { apiKey, secret } = await createdKey(owner.token);
        await env.sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [apiKey.id]);
        return `Bearer ${secret}`;
      },
    ],
    ['a garbage JWT', async () => 'Bearer eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl'],
    [
      'a JWT signed with another secret',
      async () => {
        const owner = await env.seedAccount();
        const token = await new SignJWT({ acct: owner.accountId })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setSubject(owner.userId)
          .setIssuer('keyledger')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('another-secret-that-is-not-the-session-secret'));
        return `Bearer ${token}`;
      },
    ],
    [
      'an expired session token',
      async () => {
        const owner = await env.seedAccount();
        return `Bearer ${await env.tokenFor(owner.accountId, owner.userId, -60)}`;
      },
    ],
    ['Basic authorization', async () => 'Basic xyz'],
  ];

  it.each(badCredentials)('answers %s with HTTP 401, UNAUTHENTICATED and no data', async (_label, authorization) => {
    const header = await authorization();
    const result = await env.api.call(ViewerDocument, {}, { headers: { authorization: header } });
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.data ?? null).toBeNull();
  });

  it('still accepts the issued key whose flipped copy is refused', async () => {
    const owner = await env.seedAccount();
    const { secret } = await createdKey(owner.token);
    const flipped = await env.api.call(ViewerDocument, {}, { token: withCharChanged(secret, secret.length - 1) });
    expect(errorCodes(flipped)).toEqual(['UNAUTHENTICATED']);
    const genuine = await env.api.call(ViewerDocument, {}, { token: secret });
    expect(genuine.status).toBe(200);
    expect(genuine.errors).toBeUndefined();
  });
});

describe('API key format check (runs before any database lookup)', () => {
  it('accepts freshly generated secrets', () => {
    for (let i = 0; i < 50; i++) expect(isWellFormedApiKey(generateApiKeySecret())).toBe(true);
  });

  it('rejects a secret with any single character of its body changed', () => {
    const secret = generateApiKeySecret();
    for (let index = API_KEY_PREFIX.length; index < secret.length; index++) {
      expect({ index, wellFormed: isWellFormedApiKey(withCharChanged(secret, index)) }).toEqual({
        index,
        wellFormed: false,
      });
    }
  });

  it.each([
    ['the bare prefix', () => API_KEY_PREFIX],
    ['the prefix and garbage', () => `${API_KEY_PREFIX}garbage`],
    ['one character short', () => generateApiKeySecret().slice(0, -1)],
    ['one character long', () => `${generateApiKeySecret()}0`],
    ['another prefix', () => `kl_test_${generateApiKeySecret().slice(API_KEY_PREFIX.length)}`],
    ['a non-base62 character', () => `${generateApiKeySecret().slice(0, -1)}-`],
    ['a trailing newline', () => `${generateApiKeySecret()}\n`],
    ['a leading space', () => ` ${generateApiKeySecret()}`],
  ])('rejects %s', (_label, token) => {
    expect(isWellFormedApiKey(token())).toBe(false);
  });
});
