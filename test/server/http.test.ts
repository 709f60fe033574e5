import {
  AccountNameDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

describe('HTTP surface', () => {
  it('answers /healthz and /readyz with 200, unknown paths with 404', async () => {
    expect((await fetch(`${env.api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${env.api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect((await fetch(`${env.api.url}/nope`)).status).toBe(404);
  });

  it('echoes a sane x-request-id and makes one up otherwise', async () => {
    const given = await fetch(`${env.api.url}/healthz`, { headers: { 'x-request-id': 'req-123' } });
    expect(given.headers.get('x-request-id')).toBe('req-123');
    const made = await fetch(`${env.api.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a body over 100 kB with 413 and malformed JSON with 400, both GraphQL-shaped', async () => {
    const big = await fetch(`${env.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ viewer { role } }`, padding: 'x'.repeat(110 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(errorCodes((await big.json()) as never)).toEqual(['PAYLOAD_TOO_LARGE']);
    const malformed = await fetch(`${env.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(malformed.status).toBe(400);
    expect(errorCodes((await malformed.json()) as never)).toEqual(['BAD_REQUEST']);
  });

  it('blocks a simple GET request without a preflight header (CSRF prevention)', async () => {
    const response = await fetch(`${env.api.url}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`);
    expect(response.status).toBe(400);
  });

  it('answers an anonymous call with UNAUTHENTICATED and no data', async () => {
    const result = await env.api.call(ViewerDocument);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.data).toBeNull();
  });

  it('masks unexpected errors: no SQL, no stack, a request id to quote', async () => {
    const owner = await env.seedAccount();
    await env.sql('ALTER TABLE accounts RENAME TO accounts_moved');
    try {
      const result = await env.api.call(
        AccountNameDocument,
        {},
        { token: owner.token, headers: { 'x-request-id': 'trace-me' } },
      );
      expect(errorCodes(result)).toEqual(['INTERNAL_SERVER_ERROR']);
      const body = JSON.stringify(result.errors);
      expect(body).not.toMatch(/accounts|select|relation|stack/i);
      expect(result.errors![0]!.extensions!.requestId).toBe('trace-me');
      expect(env.api.logs.join('')).toContain('trace-me');
    } finally {
      await env.sql('ALTER TABLE accounts_moved RENAME TO accounts');
    }
  });
});

describe('several instances on one database', () => {
  it('a key revoked on one instance fails on the next request to another', async () => {
    const second = await env.startInstance();
    const owner = await env.seedAccount();
    const created = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'shared', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    const { secret, apiKey } = created.data!.createApiKey;
    expect((await second.call(ViewerDocument, {}, { token: secret })).errors).toBeUndefined();
    await env.api.call(RevokeApiKeyDocument, { input: { id: apiKey.id } }, { token: owner.token });
    const after = await second.call(ViewerDocument, {}, { token: secret });
    expect(after.status).toBe(401);
    expect(errorCodes(after)).toEqual(['UNAUTHENTICATED']);
  });
});
