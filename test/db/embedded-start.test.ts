import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../support/database';
import { MAIN_JS, runNode, startService, stopServices, type ProcessOutput } from '../support/processes';

/**
 * A failed start of the service, as a newcomer meets it: exit code 1 and one
 * sentence on stderr naming the cause and what to set, no stack trace.
 */
let scratch: string;
const asRoot = process.getuid?.() === 0;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'keyledger-start-'));
  // Reachable for the postgres user when root runs this, so the clusters below are the ones the service uses.
  await chmod(scratch, 0o755);
});
afterAll(async () => {
  await stopServices();
  await rm(scratch, { recursive: true, force: true });
});

function embeddedEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', ...extra };
  delete env.DATABASE_URL;
  return env;
}

function start(env: NodeJS.ProcessEnv): Promise<ProcessOutput> {
  return runNode(MAIN_JS, [], { env, killAfterMs: 90_000 });
}

/** The one stderr line of a failed start, checked for its shape. */
function sentenceOf(result: ProcessOutput): string {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(lines[0]).toMatch(/^keyledger: failed to start: /);
  return lines[0]!;
}

/** A cluster directory that looks made by `major`, without running initdb. */
async function fakeCluster(name: string, major: string): Promise<{ dataDir: string; clusterDir: string }> {
  const dataDir = path.join(scratch, name);
  const clusterDir = path.join(dataDir, 'pg');
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(clusterDir, 'PG_VERSION'), `${major}\n`);
  return { dataDir, clusterDir };
}

describe('a start that cannot work ends with exit code 1 and one sentence', () => {
  it('names an unusable data directory and the variables that avoid it', async () => {
    const file = path.join(scratch, 'a-file');
    await writeFile(file, 'not a directory');
    const sentence = sentenceOf(await start(embeddedEnv(path.join(file, 'data'))));
    expect(sentence).toContain(path.join(file, 'data'));
    expect(sentence).toContain('not a directory');
    expect(sentence).toContain('DATA_DIR=');
    expect(sentence).toContain('DATABASE_URL=');
  });

  it('names a stale postmaster.pid whose process is alive but is no PostgreSQL of the cluster', async () => {
    const { dataDir, clusterDir } = await fakeCluster('stale-pid', '18');
    // This test process is alive and is not a PostgreSQL serving that directory.
    await writeFile(
      path.join(clusterDir, 'postmaster.pid'),
      `${process.pid}\n${clusterDir}\n1700000000\n45678\n\n127.0.0.1\n  1234  5678\nready\n`,
    );
    const sentence = sentenceOf(await start(embeddedEnv(dataDir)));
    expect(sentence).toContain(path.join(clusterDir, 'postmaster.pid'));
    expect(sentence).toContain(`process ${process.pid}`);
    expect(sentence).toMatch(/delete that stale postmaster\.pid/);
    expect(sentence).toContain('DATA_DIR=');
  });

  it('names a cluster made by another PostgreSQL major version', async () => {
    const { dataDir, clusterDir } = await fakeCluster('old-major', '16');
    const sentence = sentenceOf(await start(embeddedEnv(dataDir)));
    expect(sentence).toContain(clusterDir);
    expect(sentence).toMatch(/made by PostgreSQL 16 but keyledger bundles PostgreSQL 18/);
    expect(sentence).toContain('pg_upgrade');
    expect(sentence).toContain('DATA_DIR=');
  });

  it('names a taken HTTP port and PORT=', async () => {
    const database = await createTestDatabase();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const env = { ...embeddedEnv(scratch), DATABASE_URL: database.url, PORT: String(port) };
      const sentence = sentenceOf(await start(env));
      expect(sentence).toContain(`127.0.0.1:${port} is already in use`);
      expect(sentence).toContain('PORT=');
    } finally {
      blocker.close();
      await database.drop();
    }
  });

  it('names an unreachable DATABASE_URL', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    blocker.close();
    const env = { ...embeddedEnv(scratch), DATABASE_URL: `postgresql://nobody@127.0.0.1:${port}/none` };
    const sentence = sentenceOf(await start(env));
    expect(sentence).toMatch(/cannot reach the PostgreSQL in DATABASE_URL/);
    expect(sentence).toContain('ECONNREFUSED');
  });

  it('adds the stack trace only with LOG_LEVEL=debug', async () => {
    const { dataDir } = await fakeCluster('old-major-debug', '16');
    const result = await start(embeddedEnv(dataDir, { LOG_LEVEL: 'debug' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^keyledger: failed to start: the cluster in /);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  (asRoot ? it : it.skip)('names a full disk (root only: needs a small tmpfs)', async () => {
    const mountPoint = path.join(scratch, 'tiny');
    await mkdir(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      // A sandbox without mount: nothing to measure here.
      return;
    }
    try {
      const sentence = sentenceOf(await start(embeddedEnv(path.join(mountPoint, 'data'))));
      expect(sentence).toMatch(/the disk holding .* is full/);
      expect(sentence).toContain('DATA_DIR=');
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});

(asRoot ? describe : describe.skip)('root with the data directory where the postgres user cannot go', () => {
  let privateDir: string;
  let relocated: string;

  beforeAll(async () => {
    privateDir = await mkdtemp(path.join(os.tmpdir(), 'keyledger-private-'));
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);
    const dataDir = path.join(privateDir, 'data');
    relocated = path.join(
      '/var/lib/keyledger',
      `data-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`,
    );
  });
  afterAll(async () => {
    await stopServices();
    await rm(privateDir, { recursive: true, force: true });
    await rm(relocated, { recursive: true, force: true });
  });

  it('starts, keeps the cluster under /var/lib/keyledger owned by postgres, never world-writable', async () => {
    const dataDir = path.join(privateDir, 'data');
    const service = await startService(embeddedEnv(dataDir, { LOG_LEVEL: 'info' }));
    const health = await fetch(`${service.url}/readyz`);
    expect(health.status).toBe(200);

    const cluster = statSync(path.join(relocated, 'pg'));
    expect(cluster.uid).toBe(Number(execFileSync('id', ['-u', 'postgres']).toString()));
    expect(cluster.mode & 0o777).toBe(0o700);
    for (const dir of ['/var/lib/keyledger', relocated]) expect(statSync(dir).mode & 0o022).toBe(0);
    // The superuser password stays in DATA_DIR, readable by root alone; no copy of it is left in a temp file.
    expect(statSync(path.join(dataDir, 'embedded-postgres.json')).mode & 0o077).toBe(0);
    expect((await readdir(os.tmpdir())).filter((name) => name.startsWith('pg-password'))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);

    service.process.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('reuses the same cluster on the next start', async () => {
    const dataDir = path.join(privateDir, 'data');
    const marker = statSync(path.join(relocated, 'pg', 'PG_VERSION')).mtimeMs;
    const service = await startService(embeddedEnv(dataDir));
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    expect(statSync(path.join(relocated, 'pg', 'PG_VERSION')).mtimeMs).toBe(marker);
    service.process.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });
});
