import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import {
  AccountNameDocument,
  AccountWithAuditEventsDocument,
  ApiKeysDocument,
  AuditEventsDocument,
  ChangePlanDocument,
  CreateApiKeyDocument,
  FilteredApiKeysDocument,
  RevokeApiKeyDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { createApiKey } from '../support/fixtures';
import { errorCodes, startTestEnv, type GraphQLResult, type TestEnv } from '../support/harness';

/**
 * A query or mutation document that comes back runs compiled (graphql-jit, from its second use on;
 * src/server/graphql/executor.ts). Each test sends the same document several times, so the
 * first answer comes from graphql-js and the later ones from the compiled path, and expects
 * every answer to be the one a user is owed: gated fields gated, permissions and input
 * checks applied, errors masked, nothing cached across requests.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

/** Calls made per document: the first interpreted, the rest compiled. */
const CALLS = 3;

/** `CALLS` answers of `call`, one after the other. */
async function repeated<T>(call: () => Promise<GraphQLResult<T>>): Promise<GraphQLResult<T>[]> {
  const results: GraphQLResult<T>[] = [];
  for (let i = 0; i < CALLS; i++) results.push(await call());
  return results;
}

/** A raw document, for the shapes the service's own operations do not have. */
function raw(source: string): TypedDocumentNode<Record<string, unknown>, Record<string, unknown>> {
  return parse(source) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
}

describe('a query sent again (compiled)', () => {
  it('answers a page of keys exactly as the first time', async () => {
    const owner = await env.seedAccount();
    for (const name of ['alpha', 'beta', 'gamma']) {
      await createApiKey(env.api, owner.token, { name, description: `${name} key`, scopes: ['KEYS_READ'] });
    }
    const answers = await repeated(() => env.api.call(ApiKeysDocument, { first: 2 }, { token: owner.token }));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(answers[0]!.data);
    }
    const page = answers[0]!.data!.apiKeys;
    expect(page.totalCount).toBe(3);
    expect(page.edges.map((edge) => edge.node.name)).toEqual(['gamma', 'beta']);
    expect(page.edges[0]!.node.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses a FREE account’s key a gated field with ENTITLEMENT_REQUIRED every time, the rest answered', async () => {
    const free = await env.seedAccount({ plan: Plan.FREE });
    const key = await createApiKey(env.api, free.token, { name: 'auditor', scopes: ['AUDIT_READ', 'KEYS_READ'] });
    for (const answer of await repeated(() =>
      env.api.call(AccountWithAuditEventsDocument, { first: 5 }, { token: key.secret }),
    )) {
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ account: { id: free.accountId, name: expect.any(String) }, auditEvents: null });
      expect(errorCodes(answer)).toEqual(['ENTITLEMENT_REQUIRED']);
      expect(answer.errors![0]!.path).toEqual(['auditEvents']);
      expect(answer.errors![0]!.extensions).toMatchObject({ feature: 'AUDIT_LOG', plan: 'FREE' });
    }
  });

  it('applies a plan downgrade on the next request', async () => {
    const account = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await createApiKey(env.api, account.token, { name: 'auditor', scopes: ['AUDIT_READ'] });
    const events = () => env.api.call(AuditEventsDocument, { first: 5 }, { token: key.secret });
    for (const answer of await repeated(events)) expect(answer.errors).toBeUndefined();

    const changed = await env.api.call(ChangePlanDocument, { input: { plan: 'FREE' } }, { token: account.token });
    expect(changed.errors).toBeUndefined();
    const after = await events();
    expect(after.data).toEqual({ auditEvents: null });
    expect(errorCodes(after)).toEqual(['ENTITLEMENT_REQUIRED']);
  });

  it('refuses a key without keys:read with FORBIDDEN every time', async () => {
    const owner = await env.seedAccount();
    const key = await createApiKey(env.api, owner.token, { name: 'auditor', scopes: ['AUDIT_READ'] });
    for (const answer of await repeated(() => env.api.call(ApiKeysDocument, { first: 20 }, { token: key.secret }))) {
      expect(answer.data).toBeNull();
      expect(errorCodes(answer)).toEqual(['FORBIDDEN']);
    }
  });

  it('refuses a key revoked between two requests with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const key = await createApiKey(env.api, owner.token, { name: 'reader', scopes: ['KEYS_READ'] });
    const list = () => env.api.call(ApiKeysDocument, { first: 20 }, { token: key.secret });
    for (const answer of await repeated(list)) expect(answer.errors).toBeUndefined();

    await env.api.call(RevokeApiKeyDocument, { input: { id: key.id } }, { token: owner.token });
    const after = await list();
    expect(after.status).toBe(401);
    expect(errorCodes(after)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['a NUL', 'a\u0000b'],
    ['a lone surrogate', 'x\ud800'],
  ])('refuses %s in a filter with BAD_USER_INPUT every time', async (_name, search) => {
    const owner = await env.seedAccount();
    for (const answer of await repeated(() =>
      env.api.call(FilteredApiKeysDocument, { first: 20, filter: { search } }, { token: owner.token }),
    )) {
      expect(answer.data).toBeNull();
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors![0]!.extensions?.field).toBe('filter.search');
    }
  });

  it('refuses a variable of the wrong type with 400 BAD_USER_INPUT every time', async () => {
    const owner = await env.seedAccount();
    for (const answer of await repeated(() =>
      env.api.call(ApiKeysDocument, { first: 'twenty' as unknown as number }, { token: owner.token }),
    )) {
      expect(answer.status).toBe(400);
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors![0]!.message).toMatch(/^Variable "\$first" got invalid value "twenty"/);
    }
  });

  it('refuses an out-of-range page size with BAD_USER_INPUT every time', async () => {
    const owner = await env.seedAccount();
    for (const answer of await repeated(() => env.api.call(ApiKeysDocument, { first: 0 }, { token: owner.token }))) {
      expect(answer.data).toBeNull();
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('keeps the query limits: a page size that multiplies past the cost limit is refused every time', async () => {
    const owner = await env.seedAccount();
    const costly = raw(`query Costly($first: Int) {
      apiKeys(first: $first) { edges { node { usage(last: 168) { hour requests } } } }
    }`);
    const small = await repeated(() => env.api.call(costly, { first: 1 }, { token: owner.token }));
    for (const answer of small) expect(answer.errors).toBeUndefined();
    const large = await repeated(() => env.api.call(costly, { first: 100 }, { token: owner.token }));
    for (const answer of large) {
      expect(answer.status).toBe(400);
      expect(errorCodes(answer)).toEqual(['QUERY_TOO_COMPLEX']);
    }
  });

  it('masks an unexpected error with the request id, as on the first request', async () => {
    const owner = await env.seedAccount();
    const name = () =>
      env.api.call(AccountNameDocument, {}, { token: owner.token, headers: { 'x-request-id': 'compiled-trace' } });
    for (const answer of await repeated(name)) expect(answer.errors).toBeUndefined();

    await env.sql('ALTER TABLE accounts RENAME TO accounts_moved');
    try {
      const broken = await name();
      expect(errorCodes(broken)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(JSON.stringify(broken.errors)).not.toMatch(/accounts|select|relation|stack/i);
      expect(broken.errors![0]!.extensions!.requestId).toBe('compiled-trace');
    } finally {
      await env.sql('ALTER TABLE accounts_moved RENAME TO accounts');
    }
  });
});

describe('a mutation sent again (compiled)', () => {
  /** The account's API keys, whatever their state. */
  const keyCount = async (accountId: string) => {
    const [row] = await env.sql<{ n: string }>('SELECT count(*) AS n FROM api_keys WHERE account_id = $1', [accountId]);
    return Number(row!.n);
  };
  /** The account's audit events (action and outcome), in chain order. */
  const events = (accountId: string) =>
    env.sql<{ action: string; outcome: string; target_id: string | null }>(
      "SELECT action, outcome, target_id FROM audit_events WHERE account_id = $1 AND action = 'api_key.created' ORDER BY seq",
      [accountId],
    );

  it('creates a new key every time, each with its own audit event', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const writer = await createApiKey(env.api, owner.token, { name: 'writer', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
    const answers = await repeated(() =>
      env.api.call(
        CreateApiKeyDocument,
        { input: { name: 'integration', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] } },
        { token: writer.secret },
      ),
    );
    const created = answers.map((answer) => {
      expect(answer.errors).toBeUndefined();
      return answer.data!.createApiKey;
    });
    expect(new Set(created.map((payload) => payload.apiKey.id)).size).toBe(CALLS);
    expect(new Set(created.map((payload) => payload.secret)).size).toBe(CALLS);
    for (const payload of created) {
      expect(payload.apiKey).toMatchObject({ name: 'integration', status: 'ACTIVE', scopes: ['KEYS_READ'] });
      expect(payload.replayed).toBe(false);
      expect(payload.apiKey.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const recorded = await events(owner.accountId);
    expect(recorded.slice(-CALLS).map((event) => event.target_id)).toEqual(created.map((payload) => payload.apiKey.id));
  });

  it('refuses a key without keys:write with FORBIDDEN every time, records each refusal and creates nothing', async () => {
    const owner = await env.seedAccount();
    const reader = await createApiKey(env.api, owner.token, { name: 'reader', scopes: ['KEYS_READ'] });
    const before = await events(owner.accountId);
    for (const answer of await repeated(() =>
      env.api.call(
        CreateApiKeyDocument,
        { input: { name: 'sneaky', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] } },
        { token: reader.secret },
      ),
    )) {
      expect(answer.data).toBeNull();
      expect(errorCodes(answer)).toEqual(['FORBIDDEN']);
    }
    const after = (await events(owner.accountId)).slice(before.length);
    expect(after).toEqual(
      Array.from({ length: CALLS }, () => expect.objectContaining({ action: 'api_key.created', outcome: 'DENIED' })),
    );
    expect(await keyCount(owner.accountId)).toBe(1);
  });

  it.each([
    ['an array for the input object', []],
    ['a number for the name', { name: 5, purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] }],
    ['an unknown field', { name: 'x', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'], admin: true }],
    ['an unknown purpose', { name: 'x', purpose: 'FOREVER', scopes: ['KEYS_READ'] }],
    ['no name', { purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] }],
  ])('refuses %s with 400 BAD_USER_INPUT every time and creates nothing', async (_name, input) => {
    const owner = await env.seedAccount();
    for (const answer of await repeated(() =>
      env.api.call(CreateApiKeyDocument, { input } as never, { token: owner.token }),
    )) {
      expect(answer.status).toBe(400);
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors![0]!.message).toMatch(/^Variable "\$input" got invalid value/);
    }
    expect(await keyCount(owner.accountId)).toBe(0);
  });

  it('runs the mutations of one document one after another, in document order', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const pair = raw(`mutation Pair {
      first: createApiKey(input: { name: "first", purpose: LONG_RUNNING_WORKFLOW, scopes: [KEYS_READ] }) { apiKey { id } }
      second: createApiKey(input: { name: "second", purpose: LONG_RUNNING_WORKFLOW, scopes: [KEYS_READ] }) { apiKey { id } }
    }`);
    for (let call = 0; call < CALLS; call++) {
      const answer = await env.api.call(pair, {}, { token: owner.token });
      expect(answer.errors).toBeUndefined();
      const data = answer.data as { first: { apiKey: { id: string } }; second: { apiKey: { id: string } } };
      const created = await events(owner.accountId);
      expect(created.slice(-2).map((event) => event.target_id)).toEqual([data.first.apiKey.id, data.second.apiKey.id]);
    }
  });
});
