import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { print } from 'graphql';
import { AuditChannel } from '../../src/audit/audit-event.entity';
import {
  ApiKeyDocument,
  AuditEventsDocument,
  CreateApiKeyDocument,
  VerifyAuditChainDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRecords, lastAuditSeq, tamperAuditEvents } from '../support/audit';
import { createApiKey, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type SeededAccount, type TestEnv } from '../support/harness';
import { LIST_TOOLS, callTool, connectMcp, postMcp, toolError, toolNames } from './support';

/**
 * The MCP face over Streamable HTTP, driven by the SDK's own client against a
 * real server and database: what each caller is offered, that every call goes
 * through the same rules (roles, scopes, plans, quotas, validation, tenant
 * isolation) and leaves the same audit events as GraphQL, marked `via: MCP`.
 */
let env: TestEnv;
const clients: Client[] = [];

beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await env.close();
});

async function mcp(token: string, options: { readOnly?: boolean; headers?: Record<string, string> } = {}) {
  const client = await connectMcp(env.api.url, { token, ...options });
  clients.push(client);
  return client;
}

const READ_ONLY_TOOLS = [
  'get_account',
  'get_api_key',
  'get_entitlements',
  'list_api_keys',
  'search_audit_events',
  'verify_audit_chain',
];
const ALL_TOOLS = [
  ...READ_ONLY_TOOLS,
  'create_api_key',
  'create_audit_export',
  'revoke_api_key',
  'rotate_api_key',
  'update_api_key',
].sort();

interface KeyJson {
  id: string;
  name: string;
  displayKey: string;
  status: string;
  scopes: string[];
}

/** Creates a key through MCP as `client` and returns the answer's JSON. */
async function createThroughMcp(client: Client, args: Record<string, unknown> = {}) {
  const answer = await callTool<{ apiKey: KeyJson; secret: string; replayed: boolean }>(client, 'create_api_key', {
    name: 'agent key',
    purpose: 'TEMPORARY_INTEGRATION',
    scopes: ['KEYS_READ'],
    ...args,
  });
  expect(answer.isError).toBe(false);
  return answer;
}

describe('tools offered', () => {
  let owner: SeededAccount;
  beforeAll(async () => {
    owner = await env.seedAccount({ plan: Plan.PREMIUM });
  });

  it('lists every tool to an OWNER, with the contract’s annotations', async () => {
    const client = await mcp(owner.token);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(ALL_TOOLS);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of READ_ONLY_TOOLS) expect(byName.get(name)!.annotations?.readOnlyHint).toBe(true);
    expect(byName.get('revoke_api_key')!.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(byName.get('rotate_api_key')!.annotations).toMatchObject({ destructiveHint: true });
    expect(byName.get('update_api_key')!.annotations).toMatchObject({ idempotentHint: true });
    expect(byName.get('create_api_key')!.inputSchema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['name', 'purpose', 'scopes']),
    });
    expect(byName.get('revoke_api_key')!.inputSchema.required).toEqual(
      expect.arrayContaining(['id', 'expectedDisplayKey']),
    );
  });

  it('lists only what a MEMBER’s role allows', async () => {
    const member = await inviteMember(env, owner, 'MEMBER');
    expect(await toolNames(await mcp(member.token))).toEqual([
      'get_account',
      'get_api_key',
      'get_entitlements',
      'list_api_keys',
    ]);
  });

  it('lists only what a keys:read API key’s scopes allow', async () => {
    const key = await createApiKey(env.api, owner.token, { name: 'reader', scopes: ['KEYS_READ'] });
    expect(await toolNames(await mcp(key.secret))).toEqual([
      'get_account',
      'get_api_key',
      'get_entitlements',
      'list_api_keys',
    ]);
  });

  it('offers and serves only read-only tools at /mcp/readonly', async () => {
    const client = await mcp(owner.token, { readOnly: true });
    expect(await toolNames(client)).toEqual(READ_ONLY_TOOLS);
    await expect(
      client.callTool({
        name: 'create_api_key',
        arguments: { name: 'x', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] },
      }),
    ).rejects.toThrow(/Unknown tool: create_api_key/);
    const listed = await callTool<{ keys: unknown[] }>(client, 'list_api_keys');
    expect(listed.isError).toBe(false);
  });
});

describe('key lifecycle through MCP', () => {
  let owner: SeededAccount;
  let client: Client;
  beforeAll(async () => {
    owner = await env.seedAccount({ plan: Plan.PREMIUM });
    client = await mcp(owner.token);
  });

  it('creates a key with a shown-once warning, records api_key.created via MCP, and GraphQL sees the key', async () => {
    const created = await createThroughMcp(client, { name: 'deploy bot', expiresInDays: 7 });
    const { apiKey, secret } = created.json;
    expect(secret).toMatch(/^kl_/);
    expect(created.texts[0]).toMatch(/shown once/i);
    expect(apiKey).toMatchObject({ name: 'deploy bot', status: 'ACTIVE', scopes: ['KEYS_READ'] });

    const events = (await auditRecords(env, owner.accountId)).filter((event) => event.action === 'api_key.created');
    expect(events.at(-1)).toMatchObject({ targetId: apiKey.id, via: AuditChannel.MCP, actorType: 'USER' });

    const overGraphql = await env.api.call(ApiKeyDocument, { id: apiKey.id }, { token: owner.token });
    expect(overGraphql.data?.apiKey).toMatchObject({ id: apiKey.id, name: 'deploy bot', status: 'ACTIVE' });
    const mcpEvents = await env.api.call(
      AuditEventsDocument,
      { filter: { via: 'MCP', actions: ['api_key.created'] } },
      { token: owner.token },
    );
    expect(mcpEvents.errors).toBeUndefined();
    expect(mcpEvents.data!.auditEvents!.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({ via: 'MCP', target: expect.objectContaining({ id: apiKey.id }) }),
    ]);
    // The key itself works: it authenticates on the MCP face too.
    expect(await toolNames(await mcp(secret))).toContain('list_api_keys');
  });

  it('never writes a created or rotated secret into an audit event or a log line', async () => {
    const { apiKey, secret } = (await createThroughMcp(client, { name: 'secret keeper' })).json;
    const rotated = await callTool<{ secret: string; apiKey: KeyJson }>(client, 'rotate_api_key', {
      id: apiKey.id,
      expectedDisplayKey: apiKey.displayKey,
      gracePeriodSeconds: 60,
    });
    expect(rotated.isError).toBe(false);
    expect(rotated.texts[0]).toMatch(/shown once/i);
    const rows = JSON.stringify(await env.sql('SELECT * FROM audit_events WHERE account_id = $1', [owner.accountId]));
    const logs = env.api.logs.join('');
    for (const shown of [secret, rotated.json.secret]) {
      expect(rows).not.toContain(shown);
      expect(logs).not.toContain(shown);
    }
    // Each request is logged with what was asked, never with its arguments or answer.
    expect(logs).toContain('"rpc":["tools/call rotate_api_key"]');
    expect(logs).not.toContain(apiKey.displayKey);
  });

  it('updates and revokes with the key’s display key, each recorded via MCP', async () => {
    const { apiKey } = (await createThroughMcp(client, { name: 'short lived' })).json;
    const updated = await callTool<{ apiKey: KeyJson }>(client, 'update_api_key', { id: apiKey.id, name: 'renamed' });
    expect(updated.json.apiKey.name).toBe('renamed');
    const revoked = await callTool<{ apiKey: KeyJson }>(client, 'revoke_api_key', {
      id: apiKey.id,
      reason: 'agent cleanup',
      expectedDisplayKey: apiKey.displayKey,
    });
    expect(revoked.isError).toBe(false);
    expect(revoked.json.apiKey.status).toBe('REVOKED');
    const events = (await auditRecords(env, owner.accountId)).filter((event) => event.targetId === apiKey.id);
    expect(events.map((event) => [event.action, event.via])).toEqual([
      ['api_key.created', 'MCP'],
      ['api_key.updated', 'MCP'],
      ['api_key.revoked', 'MCP'],
    ]);
  });

  it('refuses a revoke or rotate with a wrong expectedDisplayKey or id, changing and recording nothing', async () => {
    const { apiKey } = (await createThroughMcp(client, { name: 'keep me' })).json;
    const seqBefore = await lastAuditSeq(env, owner.accountId);
    const wrongKey = await toolError(client, 'revoke_api_key', { id: apiKey.id, expectedDisplayKey: 'kl_live_xx…yy' });
    expect(wrongKey).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expectedDisplayKey' });
    const wrongRotate = await toolError(client, 'rotate_api_key', { id: apiKey.id, expectedDisplayKey: 'nope' });
    expect(wrongRotate.code).toBe('BAD_USER_INPUT');
    const wrongId = await toolError(client, 'revoke_api_key', {
      id: '00000000-0000-4000-8000-000000000000',
      expectedDisplayKey: apiKey.displayKey,
    });
    expect(wrongId).toEqual({ code: 'NOT_FOUND', message: 'API key not found' });
    const missing = await toolError(client, 'revoke_api_key', { id: apiKey.id });
    expect(missing).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expectedDisplayKey' });

    expect(await lastAuditSeq(env, owner.accountId)).toBe(seqBefore);
    const still = await callTool<{ apiKey: KeyJson }>(client, 'get_api_key', { id: apiKey.id });
    expect(still.json.apiKey.status).toBe('ACTIVE');
  });

  it('validates arguments with the GraphQL API’s rules and codes', async () => {
    const tooLong = await toolError(client, 'create_api_key', {
      name: 'x'.repeat(101),
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: ['KEYS_READ'],
    });
    const overGraphql = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'x'.repeat(101), purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    expect(tooLong).toEqual({
      code: 'BAD_USER_INPUT',
      message: overGraphql.errors![0]!.message,
      field: 'name',
    });
    const loneSurrogate = await toolError(client, 'create_api_key', {
      name: 'bad \ud800 name',
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: ['KEYS_READ'],
    });
    expect(loneSurrogate).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const bidi = await toolError(client, 'update_api_key', {
      id: '00000000-0000-4000-8000-000000000000',
      name: 'evil\u202ename',
    });
    expect(bidi.code).toBe('BAD_USER_INPUT');
    const wrongType = await toolError(client, 'create_api_key', {
      name: 5,
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: [],
    });
    expect(wrongType).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const badScope = await toolError(client, 'create_api_key', {
      name: 'a',
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: ['ROOT'],
    });
    expect(badScope).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scopes.0' });
    const badDate = await toolError(client, 'create_api_key', {
      name: 'a',
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: ['KEYS_READ'],
      expiresAt: 'tomorrow',
    });
    expect(badDate).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
    const page = await toolError(client, 'list_api_keys', { first: 1000 });
    expect(page.code).toBe('BAD_USER_INPUT');
  });
});

describe('the same rules as GraphQL', () => {
  it('answers ENTITLEMENT_REQUIRED with the lowest plan to a FREE account, keeping the tool listed', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const client = await mcp(owner.token);
    expect(await toolNames(client)).toContain('search_audit_events');
    const refused = await toolError(client, 'search_audit_events');
    const overGraphql = await env.api.call(AuditEventsDocument, {}, { token: owner.token });
    expect(refused).toEqual({
      code: 'ENTITLEMENT_REQUIRED',
      message: overGraphql.errors![0]!.message,
      feature: 'AUDIT_LOG',
      requiredPlan: 'PREMIUM',
      plan: 'FREE',
    });
    expect(await toolError(client, 'create_audit_export', { format: 'CSV' })).toMatchObject({
      code: 'ENTITLEMENT_REQUIRED',
      feature: 'AUDIT_EXPORT',
      requiredPlan: 'PREMIUM',
    });
  });

  it('answers QUOTA_EXCEEDED with the GraphQL message past the plan’s active keys', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const client = await mcp(owner.token);
    for (let i = 0; i < 3; i++) await createThroughMcp(client, { name: `key ${i}` });
    const refused = await toolError(client, 'create_api_key', {
      name: 'one too many',
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: ['KEYS_READ'],
    });
    const overGraphql = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'again', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    expect(errorCodes(overGraphql)).toEqual(['QUOTA_EXCEEDED']);
    expect(refused).toEqual({
      code: 'QUOTA_EXCEEDED',
      message: overGraphql.errors![0]!.message,
      quota: 'maxActiveApiKeys',
      limit: 3,
    });
  });

  it('refuses a MEMBER’s unlisted write with FORBIDDEN and records the DENIED attempt via MCP', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const member = await inviteMember(env, owner, 'MEMBER');
    const refused = await toolError(await mcp(member.token), 'create_api_key', {
      name: 'sneaky',
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: ['KEYS_READ'],
    });
    expect(refused.code).toBe('FORBIDDEN');
    const last = (await auditRecords(env, owner.accountId)).at(-1)!;
    expect(last).toMatchObject({ action: 'api_key.created', outcome: 'DENIED', via: 'MCP', actorId: member.userId });
  });

  it('keeps accounts apart: B cannot read or revoke A’s key through MCP', async () => {
    const a = await env.seedAccount({ plan: Plan.PREMIUM });
    const b = await env.seedAccount({ plan: Plan.PREMIUM });
    const { apiKey } = (await createThroughMcp(await mcp(a.token), { name: 'a’s key' })).json;
    const asB = await mcp(b.token);
    expect(await toolError(asB, 'get_api_key', { id: apiKey.id })).toEqual({
      code: 'NOT_FOUND',
      message: 'API key not found',
    });
    expect(
      await toolError(asB, 'revoke_api_key', { id: apiKey.id, expectedDisplayKey: apiKey.displayKey }),
    ).toMatchObject({ code: 'NOT_FOUND' });
    const listed = await callTool<{ keys: KeyJson[] }>(asB, 'list_api_keys');
    expect(listed.json.keys.map((key) => key.id)).not.toContain(apiKey.id);
    const overGraphql = await env.api.call(ApiKeyDocument, { id: apiKey.id }, { token: a.token });
    expect(overGraphql.data?.apiKey?.status).toBe('ACTIVE');
  });

  it('searches, verifies and exports the audit log on a PREMIUM plan', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const client = await mcp(owner.token);
    await createThroughMcp(client);
    const page = await callTool<{ events: { action: string; via: string }[] }>(client, 'search_audit_events', {
      filter: { via: 'MCP' },
      order: 'OLDEST_FIRST',
    });
    expect(page.isError).toBe(false);
    expect(page.json.events.map((event) => [event.action, event.via])).toEqual([['api_key.created', 'MCP']]);
    const verified = await callTool<{ ok: boolean; checkedCount: number }>(client, 'verify_audit_chain');
    expect(verified.json).toMatchObject({ ok: true });
    const exported = await callTool<{ downloadUrl: string; format: string }>(client, 'create_audit_export', {
      format: 'NDJSON',
    });
    expect(exported.json.format).toBe('NDJSON');
    const lines = (await (await fetch(exported.json.downloadUrl)).text()).trim().split('\n');
    const vias = lines.map((line) => (JSON.parse(line) as { via: string }).via);
    expect(vias).toContain('MCP');
    expect(vias[0]).toBe('GRAPHQL');
  });

  it('keeps the chain verifying over GraphQL and MCP events, and catches a channel changed afterwards', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKey(env.api, owner.token, { name: 'over graphql' });
    await createThroughMcp(await mcp(owner.token), { name: 'over mcp' });
    const ok = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
    expect(ok.data?.verifyAuditChain).toMatchObject({ ok: true, checkedCount: 3 });

    const mcpEvent = (await auditRecords(env, owner.accountId)).find((event) => event.via === 'MCP')!;
    await tamperAuditEvents(env, ['UPDATE audit_events SET via = $1 WHERE id = $2', ['GRAPHQL', mcpEvent.id]]);
    const broken = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
    expect(broken.data?.verifyAuditChain).toMatchObject({ ok: false, firstBrokenSeq: mcpEvent.seq });
  });
});

describe('the HTTP endpoint', () => {
  let owner: SeededAccount;
  beforeAll(async () => {
    owner = await env.seedAccount({ plan: Plan.PREMIUM });
  });

  it('answers a bad or missing token with 401 and a WWW-Authenticate challenge', async () => {
    const bad = await postMcp(env.api.url, LIST_TOOLS, { authorization: 'Bearer kl_live_not-a-real-key' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="keyledger", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(await bad.json()).toMatchObject({ jsonrpc: '2.0', error: { data: { code: 'UNAUTHENTICATED' } } });

    const missing = await postMcp(env.api.url, LIST_TOOLS);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="keyledger", error_description=/);
    await expect(connectMcp(env.api.url, { token: 'not-a-session' })).rejects.toThrow();
  });

  it('refuses a foreign Origin with 403 and serves the service’s own', async () => {
    const foreign = await postMcp(env.api.url, LIST_TOOLS, {
      authorization: `Bearer ${owner.token}`,
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { data: { code: 'FORBIDDEN' } } });
    const own = await mcp(owner.token, { headers: { origin: new URL(env.api.url).origin } });
    expect(await toolNames(own)).toEqual(ALL_TOOLS);
  });

  it('answers GET and DELETE with 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(new URL('/mcp', env.api.url), {
        method,
        headers: { authorization: `Bearer ${owner.token}`, accept: 'text/event-stream' },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      await response.arrayBuffer();
    }
  });

  it('spends the same per-IP budget as /graphql', async () => {
    const limited = await env.startInstance({
      RATE_LIMIT_POINTS: '4',
      RATE_LIMIT_WINDOW_SECONDS: '60',
      TRUST_PROXY: '1',
    });
    const headers = { authorization: `Bearer ${owner.token}`, 'x-forwarded-for': '198.18.77.1' };
    const graphql = () =>
      fetch(`${limited.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          query: print(ApiKeyDocument),
          variables: { id: '00000000-0000-4000-8000-000000000000' },
        }),
      });
    const statuses: number[] = [];
    for (const call of [graphql, () => postMcp(limited.url, LIST_TOOLS, headers), graphql]) {
      const response = await call();
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    const fourth = await postMcp(limited.url, LIST_TOOLS, headers);
    expect(fourth.headers.get('ratelimit')).toMatch(/^"ip";r=0;/);
    const fifth = await postMcp(limited.url, LIST_TOOLS, headers);
    const sixth = await graphql();
    expect([...statuses, fourth.status, fifth.status, sixth.status]).toEqual([200, 200, 200, 200, 429, 429]);
    expect(fifth.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await fifth.json()).toMatchObject({ error: { data: { code: 'RATE_LIMITED' } } });
    expect(errorCodes((await sixth.json()) as { errors: never })).toEqual(['RATE_LIMITED']);
  });
});
