'use strict';
// Baseline (c) of scenario 1: PostGraphile 5 (Grafast; library mode, `postgraphile/grafserv/node`)
// on node:http serving the same `api_keys` table of the bench database. Needs Node >= 22: the
// bench starts it with bench/node22's binary. Installed under the alias `postgraphile5` beside
// PostGraphile 4; its peers (grafast, @dataplan/pg, graphile-build 5, …) sit at the top of
// node_modules, PostGraphile 4's own copies under node_modules/postgraphile/.
// The V4 preset (the Amber preset plus V4 naming: `id`, not `rowId`; every column orderable and
// filterable) keeps the query word for word the one the PostGraphile 4 row sends:
// `allApiKeys(first: 20, condition: {accountId}, orderBy: [CREATED_AT_DESC, ID_DESC])` with
// totalCount, cursors, pageInfo, the same columns, both user relations and the `status`
// computed column (the SQL function below, created at start).
// Same settings as the PostGraphile 4 row: no GraphiQL, no watch mode, no mutations, no query
// batching (v5 has none). It does no API-key authentication (the account is a variable), so it
// does strictly less work than keyledger.
//
// env: DATABASE_URL, PORT (0 = any), DB_POOL_MAX (default 10)

const http = require('node:http');
const pg = require('pg');
const { postgraphile } = require('postgraphile5');
const { makePgService } = require('postgraphile5/adaptors/pg');
const { grafserv } = require('postgraphile5/grafserv/node');
const { makeV4Preset } = require('postgraphile5/presets/v4');

const STATUS_FUNCTION = `
  CREATE OR REPLACE FUNCTION public.api_keys_status(k public.api_keys) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN k.revoked_at IS NOT NULL THEN 'REVOKED'
                WHEN k.expires_at IS NOT NULL AND k.expires_at <= now() THEN 'EXPIRED'
                ELSE 'ACTIVE' END
  $$`;

async function main() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX || 10) });
  pool.on('error', () => undefined);
  await pool.query(STATUS_FUNCTION);
  // The self-reference rotated_from_id → id needs a distinct name for its backward relation.
  await pool.query(
    `COMMENT ON CONSTRAINT api_keys_rotated_from_id_fkey ON public.api_keys IS E'@foreignSingleFieldName apiKeyRotatedTo'`,
  );
  const pgl = postgraphile({
    extends: [
      makeV4Preset({
        graphqlRoute: '/graphql',
        graphiql: false,
        watchPg: false,
        retryOnInitFail: false,
        dynamicJson: true,
        setofFunctionsContainNulls: false,
        disableDefaultMutations: true,
        extendedErrors: [],
      }),
    ],
    // No LISTEN connection: nothing here subscribes.
    pgServices: [makePgService({ pool, schemas: ['public'], pubsub: false })],
  });
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  server.keepAliveTimeout = 65_000;
  await serv.addTo(server);
  // Build the schema before announcing the port: the first measured request must not wait for it.
  await pgl.getSchema();
  server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
    process.stdout.write(
      `postgraphile5 listening on http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/graphql\n`,
    );
  });
  const stop = () => {
    server.close(() =>
      Promise.resolve(pgl.release())
        .then(() => pool.end())
        .finally(() => process.exit(0)),
    );
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`postgraphile5 baseline failed: ${error.stack}\n`);
  process.exit(1);
});
