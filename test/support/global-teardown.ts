import { rm } from 'node:fs/promises';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const admin = process.env.KL_TEST_ADMIN_URL;
  const template = process.env.KL_TEST_TEMPLATE;
  if (admin && template) {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(template)} WITH (FORCE)`);
    await client.end();
  }
  await globalThis.__KL_EMBEDDED__?.stop();
  if (globalThis.__KL_EMBEDDED_DIR__) await rm(globalThis.__KL_EMBEDDED_DIR__, { recursive: true, force: true });
}
