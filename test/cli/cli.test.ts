import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The README's promise, run as a user would: `npm start` and the CLI against
 * the same embedded data directory, with and without the service running.
 */
const root = path.resolve(__dirname, '../..');
let dataDir: string;
let service: ChildProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'keyledger-cli-'));
});
afterAll(async () => {
  if (service && service.exitCode === null) service.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.SESSION_SECRET;
  return env;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, 'dist/src/cli.js'), ...args], { env: childEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (exit) => resolve(exit ?? -1)));
  return { code, stdout, stderr };
}

async function startService(): Promise<string> {
  service = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], { env: childEnv() });
  let output = '';
  return new Promise((resolve, reject) => {
    service!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^/\s]+)\/graphql/.exec(output);
      if (match) resolve(match[1]!);
    });
    service!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service!.on('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
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
    const url = await startService();
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(true);

    const bootstrap = await cli('bootstrap', '--account', 'Acme', '--email', 'Owner@Acme.test', '--plan', 'PREMIUM');
    expect(bootstrap.code).toBe(0);
    const lines = bootstrap.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0]!) as { accountId: string; userId: string; token: string };
    expect(await viewerEmail(url, created.token)).toEqual({
      data: { viewer: { role: 'OWNER', user: { email: 'owner@acme.test' }, account: { plan: 'PREMIUM' } } },
    });

    const token = await cli('token', '--account', created.accountId, '--email', 'owner@acme.test', '--ttl', '10m');
    expect(token.code).toBe(0);
    expect(await viewerEmail(url, token.stdout.trim())).toMatchObject({ data: { viewer: { role: 'OWNER' } } });

    const stranger = await cli('token', '--account', created.accountId, '--email', 'nobody@acme.test');
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/not a member/);
    expect(stranger.stdout).toBe('');

    // The CLI reused the service's server: it is still up and answering after the CLI exited.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    service!.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => service!.on('exit', resolve));
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
});
