import 'reflect-metadata';
import { migrate, openOrm } from '../db/orm';

/**
 * Applies pending migrations to the database at `argv[2]` (or DATABASE_URL).
 * The service migrates on start by itself; this is for operators and the test setup.
 */
async function main(): Promise<void> {
  const url = process.argv[2] ?? process.env.DATABASE_URL;
  if (!url) throw new Error('usage: node dist/src/tools/migrate.js <postgres-url> (or set DATABASE_URL)');
  const orm = await openOrm(url, 2);
  try {
    const applied = await migrate(orm, url);
    process.stdout.write(applied.length > 0 ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await orm.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
