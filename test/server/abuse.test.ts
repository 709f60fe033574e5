import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import {
  ApiKeysDocument,
  AuditEventStreamDocument,
  CreateApiKeyDocument,
  type CreateApiKeyMutationVariables,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows } from '../support/audit';
import { errorCodes, startTestEnv, type GraphQLErrorShape, type SeededAccount, type TestEnv } from '../support/harness';
import { connectWs } from '../support/ws';

/**
 * What keeps one caller from hurting the service: query depth, cost, alias,
 * directive and token limits (HTTP and WebSocket), body size, batching, retries
 * made safe by idempotency keys, and a production mode that hides the schema.
 *
 * The abusive documents below are not operations a client would ship, so they
 * are written here with `parse()` rather than taken from the generated client.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

/** A raw document for this file's abusive queries. */
function raw(source: string): TypedDocumentNode<Record<string, unknown>, Record<string, unknown>> {
  return parse(source) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
}

/** `count` copies of `text`, separated by spaces. */
const times = (count: number, text: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => text(i)).join(' ');

function tooComplex(result: { status: number; errors?: GraphQLErrorShape[] | undefined }) {
  expect(result.status).toBe(400);
  expect(errorCodes(result)).toEqual(['QUERY_TOO_COMPLEX']);
  return result.errors![0]!.extensions!;
}

/** Introspection nested `levels` deep: `__schema types fields type ofType…` then `name`. */
function introspectionOfDepth(depth: number): string {
  // __schema(1) types(2) fields(3) type(4) ofType(5..depth-1) name(depth)
  const ofTypes = depth - 5;
  return `{ __schema { types { fields { type { ${'ofType { '.repeat(ofTypes)}name${' }'.repeat(ofTypes)} } } } } }`;
}

async function postRaw(body: string, contentType = 'application/json'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${env.api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

describe('query limits over HTTP', () => {
  let premium: SeededAccount;
  beforeAll(async () => {
    premium = await env.seedAccount({ plan: Plan.PREMIUM });
  });

  it('accepts a query at the depth limit and refuses one past it', async () => {
    const atLimit = await env.api.call(raw(introspectionOfDepth(10)));
    expect(atLimit.status).toBe(200);
    expect(atLimit.errors).toBeUndefined();

    const deep = await env.api.call(raw(introspectionOfDepth(11)));
    expect(tooComplex(deep)).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 10, actual: 11 });
    expect(deep.data).toBeUndefined();
  });

  it('counts depth through fragments and inline fragments', async () => {
    const hidden = await env.api.call(
      raw(`
        query Hidden { __schema { types { ...Fields } } }
        fragment Fields on __Type { fields { type { ... on __Type { ...Wrapped } } } }
        fragment Wrapped on __Type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } }
      `),
    );
    expect(tooComplex(hidden)).toMatchObject({ limit: 'depth', max: 10, actual: 11 });
  });

  it('refuses more than 20 aliases', async () => {
    const ok = await env.api.call(raw(`{ ${times(20, (i) => `a${i}: __typename`)} }`));
    expect(ok.errors).toBeUndefined();
    const bomb = await env.api.call(raw(`{ ${times(30, (i) => `a${i}: __typename`)} }`));
    expect(tooComplex(bomb)).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 20, actual: 30 });
  });

  it('refuses more than 10 directives', async () => {
    const ok = await env.api.call(raw(`{ ${times(10, () => '__typename @include(if: true)')} }`));
    expect(ok.errors).toBeUndefined();
    const many = await env.api.call(raw(`{ ${times(15, () => '__typename @include(if: true)')} }`));
    expect(tooComplex(many)).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'directives', max: 10, actual: 15 });
  });

  it('refuses a query whose list sizes multiply past the cost limit', async () => {
    const fragment =
      'fragment Row on AuditEvent { id seq action outcome occurredAt ip userAgent requestId hash prevHash }';
    // Each page: 1 + 500 × (edges 1 + node 1 + 10 fields) = 6001.
    const page = (alias: string) => `${alias}: auditEvents(first: 500) { edges { node { ...Row } } }`;
    const one = await env.api.call(raw(`query One { ${page('a')} } ${fragment}`), {}, { token: premium.token });
    expect(one.errors).toBeUndefined();
    expect(one.data).toEqual({ a: { edges: expect.any(Array) } });

    const five = await env.api.call(
      raw(`query Five { ${['a', 'b', 'c', 'd', 'e'].map(page).join(' ')} } ${fragment}`),
      {},
      { token: premium.token },
    );
    expect(tooComplex(five)).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 25000, actual: 30005 });

    // The page size from a variable counts the same.
    const viaVariable = await env.api.call(
      raw(
        `query Five($n: Int) { ${['a', 'b', 'c', 'd', 'e'].map(page).join(' ').replaceAll('500', '$n')} } ${fragment}`,
      ),
      { n: 500 },
      { token: premium.token },
    );
    expect(tooComplex(viaVariable)).toMatchObject({ limit: 'cost', actual: 30005 });
  });

  it('refuses a document of more than 2000 tokens with GRAPHQL_PARSE_FAILED', async () => {
    const source = `{ ${times(2100, () => '__typename')} }`;
    const body = JSON.stringify({ query: source });
    expect(body.length).toBeLessThan(100 * 1024);
    const result = await postRaw(body);
    expect(result.status).toBe(400);
    const { errors } = result.body as { errors: GraphQLErrorShape[] };
    expect(errorCodes({ errors })).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(errors[0]!.message).toMatch(/tokens/);
  });

  it('refuses a body over 100 kB with 413, malformed JSON with 400, and a batch of operations', async () => {
    const big = await postRaw(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(101 * 1024) }));
    expect(big.status).toBe(413);
    expect(errorCodes(big.body as never)).toEqual(['PAYLOAD_TOO_LARGE']);

    const malformed = await postRaw('{"query": "{ __typename }"');
    expect(malformed.status).toBe(400);
    expect(errorCodes(malformed.body as never)).toEqual(['BAD_REQUEST']);

    const batch = await postRaw(JSON.stringify([{ query: '{ __typename }' }, { query: '{ a: __typename }' }]));
    expect(batch.status).toBe(400);
    expect(batch.body).toEqual({
      errors: [{ message: expect.stringMatching(/batching/i), extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('keeps serving normal queries after all of the above', async () => {
    const owner = await env.seedAccount();
    await env.api.call(raw(introspectionOfDepth(30)));
    await env.api.call(raw(`{ ${times(300, (i) => `a${i}: __typename`)} }`));
    await postRaw(JSON.stringify({ query: `{ ${times(5000, () => '__typename')} }` }));
    await postRaw('x'.repeat(200 * 1024));
    await postRaw('[[[[');
    const viewer = await env.api.call(ViewerDocument, {}, { token: owner.token });
    expect(viewer.status).toBe(200);
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data!.viewer.role).toBe('OWNER');
  });

  it('takes its limits from the environment', async () => {
    const owner = await env.seedAccount();
    // viewer(1) account(2) members(3) role(4)
    const depthFour = raw('query DepthFour { viewer { account { members { role } } } }');
    const byDefault = await env.api.call(depthFour, {}, { token: owner.token });
    expect(byDefault.errors).toBeUndefined();

    const strict = await env.startInstance({ GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '1' });
    const refused = await strict.call(depthFour, {}, { token: owner.token });
    expect(tooComplex(refused)).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 3, actual: 4 });
    const aliases = await strict.call(raw('{ a: __typename b: __typename }'));
    expect(tooComplex(aliases)).toMatchObject({ limit: 'aliases', max: 1, actual: 2 });
    expect(
      (await strict.call(raw('query DepthThree { viewer { account { id } } }'), {}, { token: owner.token })).errors,
    ).toBeUndefined();
  });
});

describe('query limits over WebSocket', () => {
  it('refuses an alias bomb in a subscription with QUERY_TOO_COMPLEX and keeps the socket', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const ws = connectWs(env.api, owner.token);
    try {
      const bomb = ws.subscribe(raw(`subscription Bomb { auditEvents { ${times(30, (i) => `a${i}: id`)} } }`));
      expect(await bomb.ended).toBe('error');
      expect(bomb.errors).toHaveLength(1);
      expect(bomb.errors[0]!.extensions).toMatchObject({
        code: 'QUERY_TOO_COMPLEX',
        limit: 'aliases',
        max: 20,
        actual: 30,
      });

      const deep = ws.subscribe(raw(introspectionOfDepth(11)));
      expect(await deep.ended).toBe('error');
      expect(deep.errors[0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });

      const tokens = ws.subscribe(raw(`subscription Long { auditEvents { ${times(2100, () => 'id')} } }`));
      expect(await tokens.ended).toBe('error');
      expect(tokens.errors[0]!.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });

      // The same socket still streams.
      const live = ws.subscribe(AuditEventStreamDocument, {});
      await new Promise((resolve) => setTimeout(resolve, 200));
      await env.api.call(
        CreateApiKeyDocument,
        { input: { name: 'after bombs', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
        { token: owner.token },
      );
      const [event] = await live.waitFor(1);
      expect(event!.auditEvents.action).toBe('api_key.created');
    } finally {
      await ws.dispose();
    }
  });
});

describe('createApiKey idempotencyKey', () => {
  const input = (idempotencyKey: string, name = 'deploy bot'): CreateApiKeyMutationVariables['input'] => ({
    name,
    purpose: 'LONG_RUNNING_WORKFLOW',
    scopes: ['KEYS_READ'],
    idempotencyKey,
  });

  async function keyCount(token: string): Promise<number> {
    const keys = await env.api.call(ApiKeysDocument, {}, { token });
    expect(keys.errors).toBeUndefined();
    return keys.data!.apiKeys.totalCount;
  }

  async function createdEvents(accountId: string): Promise<number> {
    return (await auditRows(env, accountId, ['seq'], { action: 'api_key.created' })).length;
  }

  it('answers a retry with the first key, no secret, and no second key or audit event', async () => {
    const owner = await env.seedAccount();
    const first = await env.api.call(CreateApiKeyDocument, { input: input('retry-1') }, { token: owner.token });
    expect(first.errors).toBeUndefined();
    expect(first.data!.createApiKey.replayed).toBe(false);
    expect(first.data!.createApiKey.secret).toMatch(/^kl_live_/);

    const retry = await env.api.call(CreateApiKeyDocument, { input: input('retry-1') }, { token: owner.token });
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.createApiKey).toMatchObject({ replayed: true, secret: '' });
    expect(retry.data!.createApiKey.apiKey).toEqual(first.data!.createApiKey.apiKey);

    expect(await keyCount(owner.token)).toBe(1);
    expect(await createdEvents(owner.accountId)).toBe(1);
  });

  it('creates one key for concurrent duplicates', async () => {
    const owner = await env.seedAccount({ plan: Plan.STANDARD });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        env.api.call(CreateApiKeyDocument, { input: input('burst') }, { token: owner.token }),
      ),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const payloads = results.map((result) => result.data!.createApiKey);
    expect(new Set(payloads.map((payload) => payload.apiKey.id)).size).toBe(1);
    expect(payloads.filter((payload) => !payload.replayed)).toHaveLength(1);
    expect(payloads.filter((payload) => payload.secret !== '')).toHaveLength(1);
    expect(await keyCount(owner.token)).toBe(1);
    expect(await createdEvents(owner.accountId)).toBe(1);
  });

  it('creates a second key for a different idempotencyKey, and keeps keys per account', async () => {
    const owner = await env.seedAccount();
    const other = await env.seedAccount();
    const first = await env.api.call(CreateApiKeyDocument, { input: input('shared-key') }, { token: owner.token });
    const second = await env.api.call(CreateApiKeyDocument, { input: input('another-key') }, { token: owner.token });
    expect(second.data!.createApiKey.replayed).toBe(false);
    expect(second.data!.createApiKey.apiKey.id).not.toBe(first.data!.createApiKey.apiKey.id);
    expect(await keyCount(owner.token)).toBe(2);

    const elsewhere = await env.api.call(CreateApiKeyDocument, { input: input('shared-key') }, { token: other.token });
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.data!.createApiKey.replayed).toBe(false);
    expect(elsewhere.data!.createApiKey.secret).toMatch(/^kl_live_/);
    expect(elsewhere.data!.createApiKey.apiKey.id).not.toBe(first.data!.createApiKey.apiKey.id);
    expect(await keyCount(other.token)).toBe(1);
    expect(await keyCount(owner.token)).toBe(2);
  });

  it('no longer replays an idempotencyKey older than 24 hours', async () => {
    const owner = await env.seedAccount();
    const first = await env.api.call(CreateApiKeyDocument, { input: input('daily') }, { token: owner.token });
    await env.sql(`UPDATE idempotency_keys SET created_at = created_at - interval '25 hours' WHERE account_id = $1`, [
      owner.accountId,
    ]);
    const later = await env.api.call(CreateApiKeyDocument, { input: input('daily') }, { token: owner.token });
    expect(later.errors).toBeUndefined();
    expect(later.data!.createApiKey.replayed).toBe(false);
    expect(later.data!.createApiKey.secret).toMatch(/^kl_live_/);
    expect(later.data!.createApiKey.apiKey.id).not.toBe(first.data!.createApiKey.apiKey.id);
    expect(await keyCount(owner.token)).toBe(2);
    expect(await createdEvents(owner.accountId)).toBe(2);

    // The key now stands for the new key.
    const retry = await env.api.call(CreateApiKeyDocument, { input: input('daily') }, { token: owner.token });
    expect(retry.data!.createApiKey).toMatchObject({ replayed: true, secret: '' });
    expect(retry.data!.createApiKey.apiKey.id).toBe(later.data!.createApiKey.apiKey.id);
  });
});

describe('production mode', () => {
  const introspection = raw('{ __schema { types { name } } }');
  const misspelled = raw('query Typo { viewr { role } }');

  it('refuses introspection and hides field suggestions', async () => {
    // The development default, for contrast.
    expect((await env.api.call(introspection)).errors).toBeUndefined();
    expect(JSON.stringify((await env.api.call(misspelled)).errors)).toContain('Did you mean');

    const production = await env.startInstance({ NODE_ENV: 'production', PUBLIC_URL: 'https://keyledger.example' });
    const refused = await production.call(introspection);
    expect(refused.status).toBe(400);
    expect(errorCodes(refused)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(refused.errors![0]!.message).toMatch(/introspection/i);
    expect(refused.data).toBeUndefined();

    const typo = await production.call(misspelled);
    expect(errorCodes(typo)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(typo.errors)).not.toContain('Did you mean');
    expect(JSON.stringify(typo.errors)).not.toContain('viewer');
  });

  it('allows introspection again with GRAPHQL_INTROSPECTION=true', async () => {
    const production = await env.startInstance({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://keyledger.example',
      GRAPHQL_INTROSPECTION: 'true',
    });
    const result = await production.call(introspection);
    expect(result.errors).toBeUndefined();
    const names = (result.data as { __schema: { types: { name: string }[] } }).__schema.types.map((type) => type.name);
    expect(names).toEqual(expect.arrayContaining(['ApiKey', 'AuditEvent', 'Query']));
  });
});
