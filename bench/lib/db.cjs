'use strict';
// PostgreSQL for the bench, started the way the service starts it: embedded in a
// temporary data directory, or a fresh database on DATABASE_URL's server.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const pg = require('pg');
const { ROOT, run } = require('./procs.cjs');
const { log } = require('./util.cjs');

const { startEmbeddedPostgres, ensureDatabase } = require(path.join(ROOT, 'dist/src/db/embedded-postgres.js'));

/**
 * Starts (or connects to) PostgreSQL, creates the bench database and migrates it.
 * Returns { url, adminUrl, pool, sql(text, params), psqlEnv, version, describe, stop() }.
 */
async function openBenchDatabase() {
  let embedded;
  let dataDir;
  let adminUrl;
  let url;
  const database = `keyledger_bench_${process.pid}`;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    const parsed = new URL(adminUrl);
    parsed.pathname = `/${database}`;
    url = parsed.toString();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    } finally {
      await admin.end();
    }
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyledger-bench-'));
    embedded = await startEmbeddedPostgres({ dataDir });
    adminUrl = embedded.adminUrl;
    await ensureDatabase(adminUrl, database);
    url = embedded.urlFor(database);
  }
  const db = {
    url,
    adminUrl,
    database,
    dataDir,
    embedded: Boolean(embedded),
    pool: undefined,
    version: undefined,
    describe: undefined,
    psqlEnv: psqlEnvOf(url),
    async sql(text, params) {
      return (await db.pool.query(text, params)).rows;
    },
    async stop() {
      await db.pool?.end().catch(() => undefined);
      db.pool = undefined;
      if (embedded) {
        await embedded.stop();
        embedded = undefined;
        fs.rmSync(dataDir, { recursive: true, force: true });
      } else if (adminUrl) {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        try {
          await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
        } finally {
          await admin.end();
        }
        adminUrl = undefined;
      }
    },
    /** Synchronous last-resort cleanup (process 'exit'): the data directory only. */
    cleanupSync() {
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    const migrated = await run(process.execPath, [path.join(ROOT, 'dist/src/tools/migrate.js'), url]);
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    log(
      `database ${database} ${embedded ? `(embedded PostgreSQL, data in ${dataDir})` : '(on DATABASE_URL server)'}: ${migrated.stdout.trim()}`,
    );
    db.pool = new pg.Pool({ connectionString: url, max: 4 });
    db.pool.on('error', () => undefined);
    db.version = (await db.sql('SHOW server_version'))[0].server_version;
    db.describe = `PostgreSQL ${db.version} (${embedded ? 'embedded-postgres, temp data dir' : 'DATABASE_URL server'})`;
  } catch (error) {
    await db.stop().catch(() => undefined);
    throw error;
  }
  return db;
}

/** libpq environment for psql / pgbench from a connection URL. */
function psqlEnvOf(url) {
  const parsed = new URL(url);
  return {
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || '5432',
    PGUSER: decodeURIComponent(parsed.username || 'postgres'),
    PGPASSWORD: decodeURIComponent(parsed.password || ''),
    PGDATABASE: parsed.pathname.slice(1),
  };
}

module.exports = { openBenchDatabase };
