import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLI_JS, runNode, startService, stopServices, type ProcessOutput } from '../support/processes';

/**
 * The README's promise, run as a user would: `npm start` and the CLI against
 * the same embedded data directory, with and without the service running.
 */
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'keyledger-cli-'));
});
afterAll(async () => {
  await stopServices();
  await rm(dataDir, { recursive: true, force: true });
});

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.SESSION_SECRET;
  return env;
}

function cli(...args: string[]): Promise<ProcessOutput> {
  return runNode(CLI_JS, args, { env: childEnv() });
}

const LOGIN_LINK = /^(.+)\/app\/login#code=([A-Za-z0-9_-]{43})$/;

/** Signs in on `url` with a login link's code; returns the `Set-Cookie` answer and the signed-in email. */
async function signIn(url: string, code: string): Promise<{ cookie: string | null; body: unknown }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($code: String!) { signInWithLoginLink(input: { code: $code }) { viewer { user { email } } } }',
      variables: { code },
    }),
  });
  return { cookie: response.headers.get('set-cookie'), body: await response.json() };
}

async function viewerEmail(url: string, token: string): Promise<unknown> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { role user { email } account { plan } } }' }),
  });
  return response.json();
}

describe('CLI and service on one embedded data directory', () => {
  it('bootstraps through a running service’s embedded database, and its token works on the service', async () => {
    const service = await startService(childEnv());
    const url = service.url;
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(true);

    const bootstrap = await cli('bootstrap', '--account', 'Acme', '--email', 'Owner@Acme.test', '--plan', 'PREMIUM');
    expect(bootstrap.code).toBe(0);
    const lines = bootstrap.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0]!) as { accountId: string; userId: string; token: string; consoleUrl: string };
    expect(await viewerEmail(url, created.token)).toEqual({
      data: { viewer: { role: 'OWNER', user: { email: 'owner@acme.test' }, account: { plan: 'PREMIUM' } } },
    });

    const token = await cli('token', '--account', created.accountId, '--email', 'owner@acme.test', '--ttl', '10m');
    expect(token.code).toBe(0);
    expect(await viewerEmail(url, token.stdout.trim())).toMatchObject({ data: { viewer: { role: 'OWNER' } } });

    // bootstrap's consoleUrl and `login-link` both sign in once on the running service.
    const consoleUrl = LOGIN_LINK.exec(created.consoleUrl);
    expect(consoleUrl?.[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const link = await runNode(CLI_JS, ['login-link', '--account', created.accountId, '--email', 'owner@acme.test'], {
      env: { ...childEnv(), PUBLIC_URL: 'https://keys.example.test' },
    });
    expect(link.code).toBe(0);
    const linked = LOGIN_LINK.exec(link.stdout.trim());
    expect(linked?.[1]).toBe('https://keys.example.test');
    for (const code of [consoleUrl![2]!, linked![2]!]) {
      const first = await signIn(url, code);
      expect(first.cookie).toMatch(/^kl_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
      expect(first.body).toEqual({ data: { signInWithLoginLink: { viewer: { user: { email: 'owner@acme.test' } } } } });
      const again = await signIn(url, code);
      expect(again.cookie).toBeNull();
      expect(again.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    const outsider = await cli('login-link', '--account', created.accountId, '--email', 'nobody@acme.test');
    expect(outsider.code).toBe(2);
    expect(outsider.stderr).toMatch(/nobody@acme\.test is not a member/);
    expect(outsider.stdout).toBe('');

    const stranger = await cli('token', '--account', created.accountId, '--email', 'nobody@acme.test');
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/not a member/);
    expect(stranger.stdout).toBe('');

    // The CLI reused the service's server: it is still up and answering after the CLI exited.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    service.process.kill('SIGTERM');
    const code = await service.exited;
    expect(code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('works without the service: starts the embedded database itself and stops it afterwards', async () => {
    const bootstrap = await cli('bootstrap', '--account', 'Solo', '--email', 'solo@example.test');
    expect(bootstrap.code).toBe(0);
    expect(JSON.parse(bootstrap.stdout)).toEqual({
      accountId: expect.any(String),
      userId: expect.any(String),
      token: expect.any(String),
      consoleUrl: expect.stringMatching(LOGIN_LINK),
    });
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('explains bad usage on stderr with exit code 2', async () => {
    const missing = await cli('bootstrap', '--account', 'X');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--email is required/);
    const plan = await cli('bootstrap', '--account', 'X', '--email', 'x@example.test', '--plan', 'GOLD');
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/--plan must be one of/);
  });

  it('refuses bootstrap before writing anything when it could not print a token (production without SESSION_SECRET)', async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'keyledger-cli-prod-'));
    try {
      const result = await runNode(CLI_JS, ['bootstrap', '--account', 'Prod', '--email', 'prod@example.test'], {
        env: {
          ...childEnv(),
          DATA_DIR: fresh,
          NODE_ENV: 'production',
          JWKS_URL: 'https://idp.example.test/.well-known/jwks.json',
          JWT_ISSUER: 'https://idp.example.test/',
          JWT_AUDIENCE: 'keyledger',
          PUBLIC_URL: 'https://keyledger.example.test',
        },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/SESSION_SECRET is required to issue session tokens/);
      expect(result.stdout).toBe('');
      // No database was opened, so no account was made.
      expect(existsSync(path.join(fresh, 'pg'))).toBe(false);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
