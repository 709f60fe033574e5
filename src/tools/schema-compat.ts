import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';

/**
 * `npm run schema:compat`: what `schema/schema.graphql` breaks for partners
 * built against `schema/released.graphql` (the last release), with graphql's
 * own `findBreakingChanges`; dangerous changes are listed without failing.
 * Exit 1 when anything breaks.
 */
async function main(): Promise<void> {
  const [released, current] = await Promise.all(
    ['schema/released.graphql', 'schema/schema.graphql'].map(async (file) =>
      buildSchema(await readFile(path.resolve(file), 'utf8'), { assumeValidSDL: true }),
    ),
  );
  const breaking = findBreakingChanges(released!, current!);
  const dangerous = findDangerousChanges(released!, current!);
  for (const change of dangerous) process.stdout.write(`dangerous ${change.type}: ${change.description}\n`);
  for (const change of breaking) process.stdout.write(`BREAKING ${change.type}: ${change.description}\n`);
  process.stdout.write(
    `schema/schema.graphql against schema/released.graphql: ${breaking.length} breaking, ${dangerous.length} dangerous\n`,
  );
  if (breaking.length > 0) process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
