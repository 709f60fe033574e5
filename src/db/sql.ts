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
 * Runs `work` with a connection of the ORM's pool (outside any transaction),
 * released afterwards: for what the query builder cannot do or should not
 * pay for (named statements, COPY streams).
 */
export async function withPooledConnection<T>(
  em: EntityManager,
  work: (connection: PoolClient) => Promise<T>,
): Promise<T> {
  const client = em.getConnection().getKnex().client;
  const connection = (await client.acquireConnection()) as PoolClient;
  try {
    return await work(connection);
  } finally {
    await client.releaseConnection(connection);
  }
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
  return withPooledConnection(em, async (connection) => {
    const result = await connection.query<T>({ name: statement.name, text: statement.text, values: [...values] });
    return result.rows;
  });
}
