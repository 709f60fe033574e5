import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import {
  AccountNameDocument,
  AccountWithAuditEventsDocument,
  ApiKeysDocument,
  AuditEventsDocument,
  ChangePlanDocument,
  FilteredApiKeysDocument,
  RevokeApiKeyDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { createApiKey } from '../support/fixtures';
import { errorCodes, startTestEnv, type GraphQLResult, type TestEnv } from '../support/harness';

/**
 * A query document that comes back runs compiled (graphql-jit, from its second use on;
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
