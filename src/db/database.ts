import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres';
import { migrate, openOrm } from './orm';

/** Name of the service database inside the embedded cluster. */
export const EMBEDDED_DATABASE = 'keyledger';

/** The service's database, migrated and ready. */
export interface Database {
  url: string;
  orm: MikroORM;
  /** Set when the database runs in an embedded PostgreSQL. */
  embedded: EmbeddedServer | undefined;
  /** Closes the pool, and stops the embedded server if this process started it. */
  close(): Promise<void>;
}

/** Where the database lives, for the startup line (credentials removed). */
export function describeDatabase(url: string, embedded: EmbeddedServer | undefined): string {
  const parsed = new URL(url);
  const where = `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  if (!embedded) return `PostgreSQL at ${where}`;
  return `embedded PostgreSQL at ${where} (${embedded.owned ? 'started by this process' : 'already running, reused'})`;
}

/**
 * One code path for every PostgreSQL: `DATABASE_URL` when set, otherwise an
 * embedded server under `DATA_DIR` (started, or reused if already running).
 * Migrations are applied before it returns.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    const { clusterDir, binariesDir, user, relocated } = embedded.location;
    logger.info(
      { clusterDir, binariesDir, user, log: path.join(path.dirname(clusterDir), 'postgres.log') },
      relocated
        ? `embedded PostgreSQL runs as user ${user} from ${clusterDir} (binaries in ${binariesDir}): that user cannot reach the checkout`
        : `embedded PostgreSQL cluster in ${clusterDir}`,
    );
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
    url = embedded.urlFor(EMBEDDED_DATABASE);
  }
  try {
    const orm = await openOrm(url, config.dbPoolMax, logger);
    const applied = await migrate(orm, url);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    return {
      url,
      orm,
      embedded,
      async close() {
        await orm.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
