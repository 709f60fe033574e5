import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Plan } from '../../src/entitlements/plans';
import { auditRecords } from '../support/audit';
import { createApiKey } from '../support/fixtures';
import { TEST_SESSION_SECRET, startTestEnv, type TestEnv } from '../support/harness';
import { CLI_JS, runNode } from '../support/processes';
import { callTool, toolNames } from './support';

/**
 * `keyledger mcp`: the same tools over stdio, as a desktop MCP host launches
 * it, against the test database (DATABASE_URL), as the caller of
 * KEYLEDGER_API_KEY or KEYLEDGER_TOKEN.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

function cliEnv(credentials: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: env.databaseUrl,
    SESSION_SECRET: TEST_SESSION_SECRET,
    LOG_LEVEL: 'warn',
    ...credentials,
  };
}

describe('keyledger mcp (stdio)', () => {
  it('serves the tools for an API key, writes only MCP frames on stdout, and records changes via MCP', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await createApiKey(env.api, owner.token, {
      name: 'desktop agent',
      scopes: ['KEYS_READ', 'KEYS_WRITE'],
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_JS, 'mcp'],
      env: cliEnv({ KEYLEDGER_API_KEY: key.secret }),
      stderr: 'pipe',
    });
    const transportErrors: Error[] = [];
    const client = new Client({ name: 'keyledger-stdio-test', version: '1.0.0' });
    await client.connect(transport);
    // A line on stdout that is not an MCP frame would surface here.
    transport.onerror = (error) => transportErrors.push(error);
    try {
      expect(await toolNames(client)).toEqual([
        'create_api_key',
        'get_account',
        'get_api_key',
        'get_entitlements',
        'list_api_keys',
        'revoke_api_key',
        'rotate_api_key',
        'update_api_key',
      ]);
      const account = await callTool<{ caller: { kind: string; displayKey: string } }>(client, 'get_account');
      expect(account.json.caller).toEqual(
        expect.objectContaining({ kind: 'API_KEY', displayKey: key.apiKey.displayKey }),
      );
      const created = await callTool<{ apiKey: { id: string }; secret: string }>(client, 'create_api_key', {
        name: 'made over stdio',
        purpose: 'LONG_RUNNING_WORKFLOW',
        scopes: ['KEYS_READ'],
        expiresInDays: 1,
      });
      expect(created.isError).toBe(false);
      const event = (await auditRecords(env, owner.accountId)).find(
        (candidate) => candidate.targetId === created.json.apiKey.id,
      );
      expect(event).toMatchObject({ action: 'api_key.created', via: 'MCP', actorType: 'API_KEY', actorId: key.id });
    } finally {
      await client.close();
    }
    expect(transportErrors).toEqual([]);
  });

  it('serves a session token from KEYLEDGER_TOKEN with its role’s tools', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_JS, 'mcp'],
      env: cliEnv({ KEYLEDGER_TOKEN: owner.token }),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'keyledger-stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(await toolNames(client)).toHaveLength(11);
      const refused = await callTool<{ error: { code: string; requiredPlan: string } }>(client, 'search_audit_events');
      expect(refused.isError).toBe(true);
      expect(refused.json.error).toMatchObject({ code: 'ENTITLEMENT_REQUIRED', requiredPlan: 'PREMIUM' });
    } finally {
      await client.close();
    }
  });

  it('records the CLI’s own changes via CLI', async () => {
    const bootstrap = await runNode(CLI_JS, ['bootstrap', '--account', 'Via CLI', '--email', 'cli@example.test'], {
      env: cliEnv({}),
      killAfterMs: 30_000,
    });
    expect(bootstrap.code).toBe(0);
    const { accountId } = JSON.parse(bootstrap.stdout) as { accountId: string };
    expect((await auditRecords(env, accountId)).map((event) => [event.action, event.via])).toEqual([
      ['account.created', 'CLI'],
    ]);
  });

  it('exits with a message on stderr and nothing on stdout for a missing or refused credential', async () => {
    const missing = await runNode(CLI_JS, ['mcp'], { env: cliEnv({}), killAfterMs: 30_000 });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/KEYLEDGER_API_KEY/);

    const refused = await runNode(CLI_JS, ['mcp'], {
      env: cliEnv({ KEYLEDGER_API_KEY: 'kl_live_not-a-real-key' }),
      killAfterMs: 30_000,
    });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/Invalid API key/);
  });
});
