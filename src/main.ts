import 'reflect-metadata';
import { loadSessionSecret } from './auth/session-tokens';
import { purgeExpiredAuditEvents } from './audit/audit-retention';
import { ConfigError, loadConfig } from './config';
import { describeDatabase, openDatabase } from './db/database';
import { createApp } from './server/app';
import { createLogger } from './server/logger';

/** Starts the service: config → database (embedded unless DATABASE_URL) → HTTP. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keyledger: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  const sessionSecret = await loadSessionSecret(config);
  const app = await (
    await createApp({ config, orm: database.orm, logger, sessionSecret })
  ).listen(config.port, config.host);
  logger.info({ url: app.url, database: describeDatabase(database.url, database.embedded) }, 'keyledger listening');
  process.stdout.write(
    `keyledger listening on ${app.url}/graphql (${describeDatabase(database.url, database.embedded)})\n`,
  );

  const purge =
    config.auditPurgeIntervalMinutes > 0
      ? setInterval(() => {
          purgeExpiredAuditEvents(database.orm.em.fork()).then(
            (result) => result.deleted > 0 && logger.info(result, 'purged expired audit events'),
            (error: unknown) => logger.error({ err: error }, 'audit purge failed'),
          );
        }, config.auditPurgeIntervalMinutes * 60_000)
      : undefined;
  purge?.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    clearInterval(purge);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`keyledger: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
