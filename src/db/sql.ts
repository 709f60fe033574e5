import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient, QueryResultRow } from 'pg';

/**
 * A named statement: PostgreSQL parses and plans it once per pooled connection,
 * then each call sends only its parameters. `$1…$n` placeholders.
 */
export interface Statement {
  name: string;
  text: string;
}

/**
 * Runs one statement on a connection of the ORM's pool, without the query
 * builder or entity hydration: for the reads on every request's path
 * (authentication, the plan, the key list). Rows come back as plain objects
 * with the same types as the ORM's raw results. Not for use inside a
 * transaction: it takes its own connection.
 */
export async function queryRows<T extends QueryResultRow>(
  em: EntityManager,
  statement: Statement,
  values: readonly unknown[],
): Promise<T[]> {
  const client = em.getConnection().getKnex().client;
  const connection = (await client.acquireConnection()) as PoolClient;
  try {
    const result = await connection.query<T>({ name: statement.name, text: statement.text, values: [...values] });
    return result.rows;
  } finally {
    await client.releaseConnection(connection);
  }
}
