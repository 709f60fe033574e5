import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema } from 'graphql';
import { buildAppSchema } from '../server/schema';

const HEADER = '# Generated from the type-graphql code by `npm run schema`. Do not edit by hand.\n\n';

/** The SDL the code defines, applied directives included. */
export async function renderSchema(): Promise<string> {
  const schema = lexicographicSortSchema(await buildAppSchema());
  return `${HEADER}${printSchemaWithDirectives(schema)}\n`;
}

async function main(): Promise<void> {
  const file = path.resolve('schema/schema.graphql');
  const rendered = await renderSchema();
  if (process.argv.includes('--check')) {
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed !== rendered) {
      process.stderr.write('schema/schema.graphql is stale: run `npm run schema` and commit the result\n');
      process.exit(1);
    }
    process.stdout.write('schema/schema.graphql is up to date\n');
    return;
  }
  await writeFile(file, rendered);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
