import { EmbeddedStartError } from './db/embedded-errors';

/** Where the service was asked to listen, for the sentence about a taken port. */
export interface ListenTarget {
  host: string;
  port: number;
}

/**
 * One plain sentence for a failed start: its cause and the remedy (the
 * variable to set). Stack traces are for `LOG_LEVEL=debug` only.
 */
export function describeStartFailure(error: unknown, listen: ListenTarget | undefined): string {
  if (error instanceof EmbeddedStartError) return error.message;
  const { code, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = listen ? `${listen.host}:${listen.port}` : `${address ?? ''}:${port ?? ''}`;
  switch (code) {
    case 'EADDRINUSE':
      return `${where} is already in use; stop the process that listens there, or set PORT=… (PORT=0 picks a free port)`;
    case 'EACCES':
      if (listen) return `listening on ${where} needs privileges this user lacks; set PORT=… to a port above 1023`;
      break;
    case 'EADDRNOTAVAIL':
      return `HOST=${listen?.host ?? address} is not an address of this machine; set HOST=… (127.0.0.1 or 0.0.0.0)`;
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `cannot reach the PostgreSQL in DATABASE_URL (${address ?? ''}${port ? `:${port}` : ''}: ${code}); start it, fix DATABASE_URL=…, or unset DATABASE_URL to use the embedded PostgreSQL`;
    case '28P01':
    case '28000':
      return 'the PostgreSQL in DATABASE_URL refused its user name or password; fix DATABASE_URL=…';
    case '3D000':
      return 'the database named in DATABASE_URL does not exist; create it (createdb …) or fix DATABASE_URL=…';
  }
  return error instanceof Error ? error.message : String(error);
}
