import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, requireAuditSigningKey } from './config';
import { createLogger } from './shared/logger';
import { describeStartFailure, type ListenTarget } from './startup-failure';

/** Set once the configuration is read: a failed start prints a stack trace only at LOG_LEVEL=debug. */
let debug = false;
/** Where the service listens, for the sentence about a taken port. */
let listenTarget: ListenTarget | undefined;

/** Starts the service: config → database (embedded unless DATABASE_URL) → HTTP. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    requireAuditSigningKey(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keyledger: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  listenTarget = { host: config.host, port: config.port };
  // Loaded once the configuration holds, so a bad value is reported at once, before the ORM, Apollo and the faces.
  const [
    { loadSessionSecret },
    { loadAuditSigningKeys },
    { purgeExpiredAuditEvents },
    { purgeStaleSessions },
    { describeDatabase, openDatabase },
    { createApp },
  ] = await Promise.all([
    import('./auth/session-tokens.js'),
    import('./audit/audit-digest.keys.js'),
    import('./audit/audit-retention.js'),
    import('./sessions/session.service.js'),
    import('./db/database.js'),
    import('./server/app.js'),
  ]);
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  // In production without SESSION_SECRET no HS256 token is accepted; a per-process key then only signs export links.
  const sessionSecret = (await loadSessionSecret(config)) ?? randomBytes(32);
  const auditSigningKeys = await loadAuditSigningKeys(config);
  const app = await (
    await createApp({ config, orm: database.orm, logger, sessionSecret, auditSigningKeys })
  ).listen(config.port, config.host);
  logger.info({ url: app.url, database: describeDatabase(database.url, database.embedded) }, 'keyledger listening');
  process.stdout.write(
    `keyledger listening on ${app.url}/graphql (${describeDatabase(database.url, database.embedded)})\n`,
  );

  // The hourly audit job: digests first, so events about to be purged are still signed for.
  const auditJob = async () => {
    try {
      const { accounts, created, failed } = await app.services.digests.createDue(database.orm.em.fork());
      if (created > 0) logger.info({ accounts, created }, 'signed audit digests');
      for (const { accountId, error } of failed) logger.error({ err: error, accountId }, 'audit digest failed');
    } catch (error) {
      logger.error({ err: error }, 'audit digests failed');
    }
    try {
      const result = await purgeExpiredAuditEvents(database.orm.em.fork());
      if (result.deleted > 0) logger.info(result, 'purged expired audit events');
    } catch (error) {
      logger.error({ err: error }, 'audit purge failed');
    }
    try {
      const result = await purgeStaleSessions(database.orm.em.fork());
      if (result.loginLinks + result.sessions > 0) logger.info(result, 'purged stale sign-in records');
    } catch (error) {
      logger.error({ err: error }, 'session purge failed');
    }
  };
  const purge =
    config.auditPurgeIntervalMinutes > 0
      ? setInterval(() => void auditJob(), config.auditPurgeIntervalMinutes * 60_000)
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

/** Ends a failed start: exit code 1 and one sentence naming the cause and the remedy. */
function fail(error: unknown): never {
  process.stderr.write(`keyledger: failed to start: ${describeStartFailure(error, listenTarget)}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

// Until the service listens, anything thrown or rejected anywhere is a failed start, not a stack trace.
const onStartupFault = (error: unknown) => fail(error);
process.on('uncaughtException', onStartupFault);
process.on('unhandledRejection', onStartupFault);
main().then(() => {
  process.removeListener('uncaughtException', onStartupFault);
  process.removeListener('unhandledRejection', onStartupFault);
}, fail);
