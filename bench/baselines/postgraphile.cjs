'use strict';
// Baseline (b) of scenario 1: PostGraphile 4 (library mode) on node:http serving
// the same `api_keys` table of the bench database. The equivalent query is
// `allApiKeys(first: 20, condition: {accountId}, orderBy: [CREATED_AT_DESC, ID_DESC])`
// with totalCount, cursors, pageInfo, the same columns, both user relations and
// a `status` computed column (the SQL function below, created at start).
// PostGraphile runs as it is usually deployed in production: no query log, no
// GraphiQL, no watch mode, no mutations. It does no API-key authentication (the
// account is a variable), so it does strictly less work than keyledger.
//
// env: DATABASE_URL, PORT (0 = any), DB_POOL_MAX (default 10)

const http = require('node:http');
const Module = require('node:module');
const path = require('node:path');
const pg = require('pg');

// npm may install two copies of graphql@15 (and of graphile-build 4): one under
// postgraphile/ and one under graphile-build-pg/ (the lock did before PostGraphile 5's
// graphile-build 5 and graphql 16 took the top of node_modules). Two graphql instances
// break instanceof checks ("Unexpected input type"), so every require of them is
// resolved to postgraphile's copy — what a deduplicated install gives.
const POSTGRAPHILE_DIR = path.dirname(require.resolve('postgraphile/package.json'));
const DEDUPED = /^(graphql|graphile-build)(\/|$)/;
/** Node's module internals (not in its typings). */
const internals = /** @type {any} */ (Module);
const resolveFilename = internals._resolveFilename;
internals._resolveFilename = function (request, parent, ...rest) {
  if (DEDUPED.test(request))
    return resolveFilename.call(
      this,
      request,
      { ...parent, paths: internals._nodeModulePaths(POSTGRAPHILE_DIR) },
      ...rest,
    );
  return resolveFilename.call(this, request, parent, ...rest);
};
const { postgraphile } = require('postgraphile');

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
  const middleware = postgraphile(pool, 'public', {
    graphqlRoute: '/graphql',
    graphiql: false,
    disableQueryLog: true,
    watchPg: false,
    retryOnInitFail: false,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    disableDefaultMutations: true,
    enableQueryBatching: false,
    extendedErrors: [],
  });
  const server = http.createServer(middleware);
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
    process.stdout.write(
      `postgraphile listening on http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/graphql\n`,
    );
  });
  const stop = () => {
    server.close(() => pool.end().finally(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`postgraphile baseline failed: ${error.stack}\n`);
  process.exit(1);
});
