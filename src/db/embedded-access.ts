import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedStartError } from './embedded-errors';

/**
 * Who runs the PostgreSQL server and where it may keep its files.
 *
 * PostgreSQL refuses to run as root, so a root caller hands the server to the
 * unprivileged `postgres` user; that user must be able to execute the binaries
 * and traverse to the cluster. When the checkout sits where it cannot (a 0700
 * home), the binaries are copied and the cluster kept under {@link RUNTIME_ROOT}.
 */

const run = promisify(execFile);

/** Where a root caller keeps what the `postgres` user must reach: binaries and clusters, one folder each. */
export const RUNTIME_ROOT = '/var/lib/keyledger';

/** The OS user a root caller runs PostgreSQL as. */
export const SERVER_USER = 'postgres';

/** The identity the server's processes get: nothing for a non-root caller (they run as the caller). */
export interface RunAs {
  uid?: number;
  gid?: number;
  /** The user's name, for messages. */
  name: string;
}

/** True when this process runs as root (PostgreSQL must then run as another user). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function idOf(user: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * The identity to run the server as: the caller itself, or for root the
 * `postgres` system user, created (no home, no login shell) when missing.
 */
export async function serverIdentity(): Promise<RunAs> {
  if (!isRoot()) return { name: 'the current user' };
  let ids = await idOf(SERVER_USER);
  if (!ids) {
    const groupExists = await run('getent', ['group', SERVER_USER]).then(
      () => true,
      () => false,
    );
    const common = ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin'];
    const args = groupExists ? [...common, '-g', SERVER_USER] : [...common, '--user-group'];
    try {
      await run('useradd', [...args, SERVER_USER]);
    } catch {
      // Lost a race with another process creating it, or no useradd on this system.
    }
    ids = await idOf(SERVER_USER);
    if (!ids) {
      throw new EmbeddedStartError(
        `running as root, the embedded PostgreSQL needs an unprivileged "${SERVER_USER}" user and creating it failed; ` +
          `create it (useradd --system ${SERVER_USER}), run keyledger as an ordinary user, or set DATABASE_URL=… to use another PostgreSQL`,
      );
    }
  }
  return { ...ids, name: SERVER_USER };
}

/** Runs `test <flag> <file>` as `runAs`: true when that user has that access (every parent traversed). */
export function userCan(runAs: RunAs, flag: '-x' | '-w' | '-r', file: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', `test ${flag} "$1"`, 'sh', file], {
    uid: runAs.uid,
    gid: runAs.gid,
    cwd: '/',
    stdio: 'ignore',
  });
  return result.status === 0;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Creates {@link RUNTIME_ROOT} (or a folder under it) owned by root and not
 * writable by anyone else, and refuses one that another user could have planted.
 */
async function ensureRootOwnedDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const info = await lstat(dir);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new EmbeddedStartError(
      `refusing to keep the embedded PostgreSQL under ${dir}: it is not a directory owned by root and writable only by root; ` +
        `remove it, or set DATABASE_URL=… to use another PostgreSQL`,
    );
  }
}

/** The runtime folder for a cluster whose data directory the server user cannot reach. */
export async function relocatedClusterParent(dataDir: string): Promise<string> {
  await ensureRootOwnedDir(RUNTIME_ROOT);
  const dir = path.join(RUNTIME_ROOT, `data-${shortHash(dataDir)}`);
  await ensureRootOwnedDir(dir);
  // The cluster's source: kept beside it so an operator can tell which checkout it belongs to.
  await writeFile(path.join(dir, 'DATA_DIR'), `${dataDir}\n`, { mode: 0o644 });
  return dir;
}

/** Gives every file of a copied tree the modes a package needs: 0755 directories and executables, 0644 the rest. */
async function normaliseModes(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await normaliseModes(file);
    else if (entry.isFile()) await chmod(file, ((await stat(file)).mode & 0o111) !== 0 ? 0o755 : 0o644);
  }
}

/**
 * A copy of the server's `native/` folder (bin, lib, share) that the server
 * user can execute, made once per source folder and reused while the source
 * binary is unchanged.
 */
export async function copiedBinaries(nativeDir: string): Promise<string> {
  await ensureRootOwnedDir(RUNTIME_ROOT);
  const source = await stat(path.join(nativeDir, 'bin', 'postgres'));
  const stamp = `${nativeDir}\n${source.size}\n${source.mtimeMs}\n`;
  const dest = path.join(RUNTIME_ROOT, `postgres-${shortHash(nativeDir)}`);
  const stampFile = path.join(dest, '.source');
  if (existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === stamp) return dest;
  const staging = `${dest}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  await normaliseModes(staging);
  await writeFile(path.join(staging, '.source'), stamp, { mode: 0o644 });
  await rm(dest, { recursive: true, force: true });
  await rename(staging, dest).catch(async (error: NodeJS.ErrnoException) => {
    // Another process put an equal copy in place first.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(stampFile)) throw error;
  });
  return dest;
}
