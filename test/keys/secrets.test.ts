import { createHash } from 'node:crypto';
import {
  ApiKeyDocument,
  ApiKeysDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { errorCodes, startTestEnv, type GraphQLResult, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const PREFIX = 'kl_live_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 30-character random part of a secret (between the prefix and the 6-character checksum). */
function randomPartOf(secret: string): string {
  return secret.slice(PREFIX.length, PREFIX.length + 30);
}

/** The same key with one checksum character changed: well-shaped, but not a valid key. */
function wrongChecksumVariant(secret: string): string {
  const last = secret.at(-1)!;
  const replacement = BASE62[(BASE62.indexOf(last) + 1) % BASE62.length]!;
  return secret.slice(0, -1) + replacement;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Every row of every table in schema public, one JSON text per row, labelled with its table. */
async function dumpDatabase(): Promise<{ table: string; row: string }[]> {
  const tables = await env.sql<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const rows: { table: string; row: string }[] = [];
  for (const { table_name: table } of tables) {
    const quoted = `"${table.replace(/"/g, '""')}"`;
    for (const { row } of await env.sql<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM public.${quoted} t`,
    )) {
      rows.push({ table, row });
    }
  }
  return rows;
}

/** The places (table rows, log lines) where `needle` shows up. */
function occurrences(haystack: { where: string; text: string }[], needle: string): string[] {
  return haystack.filter(({ text }) => text.includes(needle)).map(({ where }) => where);
}

function expectNoSecretIn(response: GraphQLResult<unknown>, secrets: string[]): void {
  const json = JSON.stringify({ data: response.data, errors: response.errors });
  for (const secret of secrets) {
    expect(json).not.toContain(secret);
    expect(json).not.toContain(randomPartOf(secret));
  }
}

describe('API key secrets', () => {
  it('appear in the create/rotate response and nowhere else: not in any table, nor in the logs', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const token = owner.token;
    const secrets: string[] = [];

    const created = await env.api.call(
      CreateApiKeyDocument,
      {
        input: {
          name: 'pipeline',
          purpose: 'LONG_RUNNING_WORKFLOW',
          scopes: ['KEYS_READ', 'KEYS_WRITE'],
          description: 'ci',
        },
      },
      { token },
    );
    expect(created.errors).toBeUndefined();
    const first = created.data!.createApiKey;
    secrets.push(first.secret);

    // Use the key: reads, a key created by the key, a wrong checksum, refused and invalid mutations.
    expect((await env.api.call(ViewerDocument, {}, { token: first.secret })).errors).toBeUndefined();
    expect((await env.api.call(ApiKeysDocument, {}, { token: first.secret })).errors).toBeUndefined();
    const byKey = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'made by the key', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] } },
      { token: first.secret },
    );
    expect(byKey.errors).toBeUndefined();
    secrets.push(byKey.data!.createApiKey.secret);
    const variant = wrongChecksumVariant(first.secret);
    const badChecksum = await env.api.call(ViewerDocument, {}, { token: variant });
    expect(badChecksum.status).toBe(401);
    expect(errorCodes(badChecksum)).toEqual(['UNAUTHENTICATED']);
    expectNoSecretIn(badChecksum, [first.secret, variant]);
    const refused = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'escalation', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['SETTINGS_WRITE'] } },
      { token: first.secret },
    );
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expectNoSecretIn(refused, secrets);
    const invalid = await env.api.call(
      UpdateApiKeyDocument,
      { input: { id: first.apiKey.id, name: '  ' } },
      { token: first.secret },
    );
    expect(errorCodes(invalid)).toEqual(['BAD_USER_INPUT']);
    expectNoSecretIn(invalid, secrets);

    const rotated = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: first.apiKey.id, gracePeriodSeconds: 300 } },
      { token },
    );
    expect(rotated.errors).toBeUndefined();
    const replacement = rotated.data!.rotateApiKey;
    secrets.push(replacement.secret);
    expect((await env.api.call(ViewerDocument, {}, { token: replacement.secret })).errors).toBeUndefined();
    expect((await env.api.call(ViewerDocument, {}, { token: first.secret })).errors).toBeUndefined();

    const updated = await env.api.call(
      UpdateApiKeyDocument,
      { input: { id: replacement.apiKey.id, name: 'pipeline v2', description: 'rotated' } },
      { token: replacement.secret },
    );
    expect(updated.errors).toBeUndefined();
    for (const id of [replacement.apiKey.id, first.apiKey.id, byKey.data!.createApiKey.apiKey.id]) {
      const revoked = await env.api.call(RevokeApiKeyDocument, { input: { id, reason: 'end of test' } }, { token });
      expect(revoked.errors).toBeUndefined();
    }
    const afterRevoke = await env.api.call(ViewerDocument, {}, { token: replacement.secret });
    expect(errorCodes(afterRevoke)).toEqual(['UNAUTHENTICATED']);

    expect(new Set(secrets).size).toBe(3);
    const stored = await env.sql<{ digest: string }>('SELECT digest FROM api_keys WHERE account_id = $1', [
      owner.accountId,
    ]);
    expect(stored.map((row) => row.digest).sort()).toEqual(secrets.map(sha256Hex).sort());

    const tableRows = (await dumpDatabase()).map(({ table, row }) => ({ where: `table ${table}: ${row}`, text: row }));
    const logLines = env.api.logs.map((line) => ({ where: `log: ${line}`, text: line }));
    // The scan sees the stored keys and the requests that used them, so an absence means something.
    for (const secret of secrets) expect(occurrences(tableRows, sha256Hex(secret))).toHaveLength(1);
    expect(tableRows.some(({ text }) => text.includes('api_key.rotated'))).toBe(true);
    expect(logLines.some(({ text }) => text.includes('graphql request'))).toBe(true);

    const haystack = [...tableRows, ...logLines, { where: 'all logs joined', text: env.api.logs.join('') }];
    for (const secret of secrets) {
      expect(occurrences(haystack, secret)).toEqual([]);
      expect(occurrences(haystack, randomPartOf(secret))).toEqual([]);
      expect(occurrences(haystack, secret.slice(PREFIX.length))).toEqual([]);
    }
  });

  it('never echoes a revoked key in the error it gets', async () => {
    const owner = await env.seedAccount();
    const created = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'short lived', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    const { secret, apiKey } = created.data!.createApiKey;
    await env.api.call(RevokeApiKeyDocument, { input: { id: apiKey.id } }, { token: owner.token });

    const refused = await env.api.call(ApiKeysDocument, {}, { token: secret });
    expect(refused.status).toBe(401);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.errors![0]!.message).toMatch(/revoked/);
    expectNoSecretIn(refused, [secret]);
  });

  it('never shows a secret through the apiKey and apiKeys queries, for users or keys', async () => {
    const owner = await env.seedAccount();
    const secrets: string[] = [];
    const ids: string[] = [];
    for (const name of ['alpha', 'beta']) {
      const created = await env.api.call(
        CreateApiKeyDocument,
        { input: { name, purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ', 'KEYS_WRITE'] } },
        { token: owner.token },
      );
      secrets.push(created.data!.createApiKey.secret);
      ids.push(created.data!.createApiKey.apiKey.id);
    }
    const rotated = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: ids[1]!, gracePeriodSeconds: 60 } },
      { token: owner.token },
    );
    secrets.push(rotated.data!.rotateApiKey.secret);
    ids.push(rotated.data!.rotateApiKey.apiKey.id);

    for (const token of [owner.token, secrets[0]!]) {
      const list = await env.api.call(ApiKeysDocument, { first: 10 }, { token });
      expect(list.errors).toBeUndefined();
      expect(list.data!.apiKeys.edges.map((edge) => edge.node.id).sort()).toEqual([...ids].sort());
      expectNoSecretIn(list, secrets);
      for (const id of ids) {
        const one = await env.api.call(ApiKeyDocument, { id }, { token });
        expect(one.data!.apiKey!.id).toBe(id);
        expectNoSecretIn(one, secrets);
      }
    }
    const viewer = await env.api.call(ViewerDocument, {}, { token: secrets[0]! });
    expect(viewer.data!.viewer.apiKey!.id).toBe(ids[0]);
    expectNoSecretIn(viewer, secrets);
  });
});
