import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import type { Logger } from 'pino';
import { Account } from '../accounts/account.entity';
import { Membership } from '../accounts/membership.entity';
import { User } from '../accounts/user.entity';
import { AuditChainHead, AuditEvent } from '../audit/audit-event.entity';
import { ApiKey } from '../keys/api-key.entity';
import { migrationsList } from '../../migrations';

/** Every entity of the service; features own them, the ORM needs the list. */
export const ENTITIES = [Account, User, Membership, ApiKey, AuditEvent, AuditChainHead];

/** Session-level advisory lock key held while migrating, so parallel starts migrate once. */
const MIGRATION_LOCK = 0x6b6c6467;

/**
 * knex's own messages (say, a pooled connection found closed, as after an aborted
 * export) as JSON log lines of the service instead of console output.
 */
function knexLog(logger: Logger | undefined) {
  const to = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
    logger?.[level]({ source: 'knex' }, String(message));
  return { warn: to('warn'), error: to('error'), deprecate: to('debug'), debug: to('debug') };
}

/** The ORM options for a database URL; tests and the CLI use the same. */
export function ormOptions(url: string, poolMax = 10, logger?: Logger): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: { min: 0, max: poolMax },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    discovery: { disableDynamicFileAccess: true },
    debug: false,
    driverOptions: { log: knexLog(logger) },
  };
}

/** Opens the ORM on `url`. */
export async function openOrm(url: string, poolMax?: number, logger?: Logger): Promise<MikroORM> {
  return MikroORM.init(ormOptions(url, poolMax, logger));
}

/** Applies pending migrations under an advisory lock; returns the names applied. */
export async function migrate(orm: MikroORM, url: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await orm.getMigrator().up();
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}
