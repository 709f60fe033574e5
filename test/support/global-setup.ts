import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded-postgres';
import { databaseUrl } from './database';

declare global {
  var __KL_EMBEDDED__: EmbeddedServer | undefined;
  var __KL_EMBEDDED_DIR__: string | undefined;
}

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL / DATABASE_URL when
 * given, else an embedded server in a temporary directory. A migrated template
 * database is made once; each test file copies it.
 */
export default async function globalSetup(): Promise<void> {
  const external = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  let admin: string;
  if (external) {
    admin = external;
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'keyledger-test-'));
    const embedded = await startEmbeddedPostgres({ dataDir: dir });
    globalThis.__KL_EMBEDDED__ = embedded;
    globalThis.__KL_EMBEDDED_DIR__ = dir;
    admin = embedded.adminUrl;
  }
  const template = `kl_template_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`);
  await client.end();
  const url = databaseUrl(admin, template);
  // Migrate from a child process: MikroORM's global metadata must not leak into jest's in-band realm.
  const tool = path.resolve('dist/src/tools/migrate.js');
  if (!existsSync(tool)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  execFileSync(process.execPath, [tool, url], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.env.KL_TEST_ADMIN_URL = admin;
  process.env.KL_TEST_TEMPLATE = template;
  // Test workers must not start their own database from these.
  delete process.env.DATABASE_URL;
}
