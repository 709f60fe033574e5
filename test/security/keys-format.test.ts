import pg from 'pg';
import { ViewerDocument } from '../../src/client/generated/graphql';
import { generateApiKeySecret } from '../../src/keys/api-key.format';
import { createApiKey } from '../support/fixtures';
import { errorCodes, startTestEnv, type Instance, type TestEnv } from '../support/harness';

// The API key format (prefix, length, checksum) is checked before any database query: a flood of made-up keys
// costs the database nothing. Proven end to end by answering such keys while the database refuses every connection.

let env: TestEnv;
let instance: Instance;
beforeAll(async () => {
  env = await startTestEnv();
  // Its own instance, without the rate limiter (whose store is in the same database).
  instance = await env.startInstance({ RATE_LIMIT_ENABLED: 'false' });
});
afterAll(() => env.close());

/** Runs `sql` on the server's maintenance database as the superuser. */
async function asAdmin(sql: string): Promise<void> {
  const url = new URL(env.databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Makes the test database refuse every connection (and ends the open ones) while `work` runs. */
async function withDatabaseUnreachable(work: () => Promise<void>): Promise<void> {
  const name = pg.escapeIdentifier(new URL(env.databaseUrl).pathname.slice(1));
  const literal = pg.escapeLiteral(new URL(env.databaseUrl).pathname.slice(1));
  await asAdmin(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
  try {
    await asAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${literal}`);
    await work();
  } finally {
    await asAdmin(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
  }
}

/** `secret` with its last character (part of the checksum) changed. */
function withBadChecksum(secret: string): string {
  const last = secret.at(-1)!;
  return secret.slice(0, -1) + (last === 'a' ? 'b' : 'a');
}

describe('API key format check, end to end', () => {
  it('answers a key with a bad checksum UNAUTHENTICATED while the database is unreachable', async () => {
    const owner = await env.seedAccount();
    const { secret } = await createApiKey(instance, owner.token, { name: 'genuine' });
    expect((await instance.call(ViewerDocument, {}, { token: secret })).errors).toBeUndefined();

    await withDatabaseUnreachable(async () => {
      // The control: a well-formed key must be looked up, and that lookup fails now.
      const lookedUp = await instance.call(ViewerDocument, {}, { token: generateApiKeySecret() });
      expect(errorCodes(lookedUp)).not.toEqual(['UNAUTHENTICATED']);
      expect(lookedUp.status).toBeGreaterThanOrEqual(500);

      for (const token of [withBadChecksum(secret), 'kl_live_short', `${secret}x`]) {
        const refused = await instance.call(ViewerDocument, {}, { token });
        expect({ token, status: refused.status, codes: errorCodes(refused) }).toEqual({
          token,
          status: 401,
          codes: ['UNAUTHENTICATED'],
        });
        expect(refused.errors![0]!.message).toBe('Invalid API key');
      }
    });
  });
});
