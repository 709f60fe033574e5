/**
 * Why the embedded PostgreSQL could not start, as one plain sentence that
 * names the cause and the remedy; `main` prints it and exits with code 1.
 */
export class EmbeddedStartError extends Error {
  override name = 'EmbeddedStartError';
}

const ELSEWHERE = 'set DATA_DIR=… to another directory, or DATABASE_URL=… to use a PostgreSQL you run yourself';

/** A file-system failure on `target` (the data directory or a file in it) as an {@link EmbeddedStartError}. */
export function fileSystemFailure(error: unknown, target: string): EmbeddedStartError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new EmbeddedStartError(`cannot write ${target} (permission denied); ${ELSEWHERE}`);
    case 'EROFS':
      return new EmbeddedStartError(`cannot write ${target}: the file system is read-only; ${ELSEWHERE}`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new EmbeddedStartError(`the disk holding ${target} is full; free some space, or ${ELSEWHERE}`);
    case 'ENOTDIR':
    case 'EEXIST':
      return new EmbeddedStartError(
        `cannot use ${target}: a part of that path is a file, not a directory; ${ELSEWHERE}`,
      );
    case 'ENOENT':
      return new EmbeddedStartError(`cannot create ${target}: its parent directory cannot be created; ${ELSEWHERE}`);
    default:
      return new EmbeddedStartError(`cannot prepare ${target} (${code ?? (error as Error).message}); ${ELSEWHERE}`);
  }
}

/** What the server said, for a start that failed: the sentence for the first cause it recognises. */
export function serverFailure(output: string, clusterDir: string, logFile: string | undefined): EmbeddedStartError {
  const see = logFile ? ` (details in ${logFile})` : '';
  if (/No space left on device|could not extend file|disk quota exceeded/i.test(output)) {
    return new EmbeddedStartError(`the disk holding ${clusterDir} is full${see}; free some space, or ${ELSEWHERE}`);
  }
  if (/Permission denied/i.test(output)) {
    return new EmbeddedStartError(
      `the embedded PostgreSQL cannot use ${clusterDir} (permission denied)${see}; ${ELSEWHERE}`,
    );
  }
  if (/lock file "postmaster.pid" already exists/i.test(output)) {
    return stalePidFile(clusterDir, undefined);
  }
  if (/database files are incompatible with server/i.test(output)) {
    return new EmbeddedStartError(
      `the cluster in ${clusterDir} was made by another PostgreSQL version${see}; ${ELSEWHERE}`,
    );
  }
  if (/could not create shared memory|could not map anonymous shared memory/i.test(output)) {
    return new EmbeddedStartError(
      `the embedded PostgreSQL could not get shared memory from the system${see}; raise the limit or set DATABASE_URL=… to use another PostgreSQL`,
    );
  }
  const fatal = /(?:FATAL|PANIC|ERROR|initdb: error):\s*(.+)/.exec(output)?.[1]?.trim();
  return new EmbeddedStartError(
    `the embedded PostgreSQL did not start${fatal ? `: ${fatal}` : ''}${see}; ${ELSEWHERE}`,
  );
}

/** The sentence for a `postmaster.pid` whose process is alive but is not this cluster's answering server. */
export function stalePidFile(clusterDir: string, pid: number | undefined): EmbeddedStartError {
  const who = pid
    ? `process ${pid}, which is running but is not a PostgreSQL answering for this cluster`
    : 'a running process';
  return new EmbeddedStartError(
    `${clusterDir}/postmaster.pid names ${who}; if no PostgreSQL uses that directory, delete that stale postmaster.pid, or ${ELSEWHERE}`,
  );
}

/** The sentence for a cluster made by another major version than the bundled server. */
export function otherMajorVersion(clusterDir: string, found: string, bundled: string): EmbeddedStartError {
  return new EmbeddedStartError(
    `the cluster in ${clusterDir} was made by PostgreSQL ${found} but keyledger bundles PostgreSQL ${bundled}; ` +
      `upgrade it with pg_upgrade, ${ELSEWHERE} (a PostgreSQL ${found} server can keep serving this cluster)`,
  );
}
