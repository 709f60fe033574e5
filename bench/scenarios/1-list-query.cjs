'use strict';
// 1. Authenticated list query: apiKeys(first: 20) with an API key, 50 connections,
//    keyledger (rate limiter on) vs (a) raw node:http + graphql-js + pg, (b) PostGraphile 4
//    (reported, no target), both on the bench's Node 20; and (c) PostGraphile 5, which needs
//    Node 22: a second keyledger runs on the same Node 22 binary for that pair. All five
//    servers alternate in one sequence (A B C D E, A B C D E, …).

const { LIST_QUERY } = require('../lib/seed.cjs');
const { keysAccount } = require('../lib/datasets.cjs');
const { cannon, assertClean, gqlOk } = require('../lib/load.cjs');
const { resultRow } = require('../lib/report.cjs');
const { cpuMs } = require('../lib/util.cjs');

const CONNECTIONS = 50;
/** Per target: 4 rounds after a 2 s warm-up keeps five targets near the three-target run's length. */
const ROUNDS = 4;
const WARMUP_SECONDS = 2;

const POSTGRAPHILE_QUERY = `query ApiKeys($accountId: UUID!, $first: Int) {
  allApiKeys(first: $first, condition: {accountId: $accountId}, orderBy: [CREATED_AT_DESC, ID_DESC]) {
    totalCount
    edges {
      cursor
      node {
        id name purpose description scopes displayKey status createdAt
        userByCreatedById { id email }
        expiresAt lastUsedAt lastUsedIp revokedAt
        userByRevokedById { id email }
        revokeReason rotatedAt
      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** The rows of a keyledger-shaped page without the fields that move under load. */
function comparable(connection) {
  return JSON.stringify({
    totalCount: connection.totalCount,
    edges: connection.edges.map(({ cursor, node }) => ({
      cursor,
      node: { ...node, lastUsedAt: undefined, lastUsedIp: undefined },
    })),
    pageInfo: connection.pageInfo,
  });
}

/**
 * A throughput target: autocannon at `connections` against `server` with a fixed body
 * and token. Returns { rps, cpuMsPerRequest } (the server process's own CPU time per
 * successful request, from /proc; PostgreSQL's is not included).
 */
function throughputTarget(name, server, body, token, connections = CONNECTIONS) {
  return {
    name,
    async measure(_round, duration) {
      const cpuBefore = cpuMs(server.pid);
      const clientBefore = process.cpuUsage();
      const result = await cannon({
        url: server.graphqlUrl,
        connections,
        duration,
        body,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const client = process.cpuUsage(clientBefore);
      const cpuAfter = cpuMs(server.pid);
      assertClean(name, result);
      return {
        rps: result.rps,
        cpuMsPerRequest: cpuBefore == null || cpuAfter == null ? null : (cpuAfter - cpuBefore) / result.ok,
        // The load generator's own CPU share: near 1 core would mean the client, not the server, is the limit.
        clientCores: (client.user + client.system) / 1e6 / result.durationSeconds,
      };
    },
  };
}

/**
 * A PostGraphile page without the fields that move under load, and without what differs only in
 * form between versions: cursors, and timestamps' digits (v5 prints `…46.624000+00:00`, v4 `…46.624+00:00`).
 */
function comparablePostGraphile(connection) {
  const instant = (value) => (value == null ? value : new Date(value).toISOString());
  return JSON.stringify({
    totalCount: connection.totalCount,
    nodes: connection.edges.map(({ node }) => ({
      ...node,
      createdAt: instant(node.createdAt),
      expiresAt: instant(node.expiresAt),
      revokedAt: instant(node.revokedAt),
      rotatedAt: instant(node.rotatedAt),
      lastUsedAt: undefined,
      lastUsedIp: undefined,
    })),
    hasNextPage: connection.pageInfo.hasNextPage,
  });
}

module.exports = {
  name: 'list',
  aliases: ['list-query'],
  title:
    'apiKeys(first: 20) with an API key, 50 connections: keyledger vs raw graphql-js+pg and vs PostGraphile 4 (Node 20), vs PostGraphile 5 (both on Node 22)',
  rounds: ROUNDS,
  warmup: WARMUP_SECONDS,
  throughputTarget,
  async run(ctx) {
    const node22 = await ctx.node22();
    const keyledger = await ctx.keyledger('keyledger');
    // The other four start while the first seeds its account: five cold starts one after another
    // were the longest part of the scenario. The two PostGraphiles one after the other: both
    // create the same SQL function, and two concurrent CREATE OR REPLACE of it can fail.
    const [data, raw, [postgraphile, postgraphile5], keyledger22] = await Promise.all([
      keysAccount(ctx, keyledger.graphqlUrl),
      ctx.baseline('raw-graphql', 'raw-graphql.cjs'),
      ctx.baseline('postgraphile', 'postgraphile.cjs').then(async (v4) => [
        v4,
        await ctx.baseline(
          'postgraphile5',
          'postgraphile5.cjs',
          // Grafast's production mode (NODE_ENV=production already gives it; a developer's GRAPHILE_ENV must not).
          { GRAPHILE_ENV: 'production' },
          { node: node22 },
        ),
      ]),
      ctx.keyledger('keyledger-node22', {}, { node: node22 }),
    ]);

    const variables = { first: 20 };
    const body = JSON.stringify({ query: LIST_QUERY, variables, operationName: 'ApiKeys' });
    const pgBody = JSON.stringify({
      query: POSTGRAPHILE_QUERY,
      variables: { accountId: data.account.accountId, first: 20 },
    });

    // Same rows: keyledger and the raw baseline must answer identically; PostGraphile the same ids.
    const ours = (await gqlOk(keyledger.graphqlUrl, LIST_QUERY, variables, data.apiKey)).apiKeys;
    const theirs = (await gqlOk(raw.graphqlUrl, LIST_QUERY, variables, data.apiKey)).apiKeys;
    if (comparable(ours) !== comparable(theirs)) {
      throw new Error(`raw baseline answers differently:\n${comparable(ours)}\n${comparable(theirs)}`);
    }
    const ours22 = (await gqlOk(keyledger22.graphqlUrl, LIST_QUERY, variables, data.apiKey)).apiKeys;
    if (comparable(ours22) !== comparable(ours)) {
      throw new Error(`keyledger on Node 22 answers differently:\n${comparable(ours)}\n${comparable(ours22)}`);
    }
    const pgVariables = { accountId: data.account.accountId, first: 20 };
    const pg = (await gqlOk(postgraphile.graphqlUrl, POSTGRAPHILE_QUERY, pgVariables)).allApiKeys;
    const ids = (edges) => edges.map((edge) => edge.node.id).join();
    if (ids(pg.edges) !== ids(ours.edges) || pg.totalCount !== ours.totalCount) {
      throw new Error('PostGraphile baseline returns different rows');
    }
    // PostGraphile 5 runs the same query on the same schema (its V4 preset): the same page as PostGraphile 4's.
    const pg5 = (await gqlOk(postgraphile5.graphqlUrl, POSTGRAPHILE_QUERY, pgVariables)).allApiKeys;
    if (comparablePostGraphile(pg5) !== comparablePostGraphile(pg)) {
      throw new Error(
        `PostGraphile 5 answers differently from PostGraphile 4:\n${comparablePostGraphile(pg)}\n${comparablePostGraphile(pg5)}`,
      );
    }
    ctx.log(
      `  same rows: ${ours.edges.length} of ${ours.totalCount} keys, ${body.length} B request, ${JSON.stringify({ data: { apiKeys: ours } }).length} B response`,
    );

    const samples = await ctx.alternate(
      [
        throughputTarget('keyledger', keyledger, body, data.apiKey),
        throughputTarget('raw-graphql', raw, body, data.apiKey),
        throughputTarget('postgraphile', postgraphile, pgBody, null),
        throughputTarget('keyledger-node22', keyledger22, body, data.apiKey),
        throughputTarget('postgraphile5', postgraphile5, pgBody, null),
      ],
      { value: (s) => s.rps },
    );
    const rps = (name) => ctx.median(samples[name].map((s) => s.rps));
    const cpu = (name) => ctx.median(samples[name].map((s) => s.cpuMsPerRequest));
    for (const name of Object.keys(samples)) {
      ctx.log(
        `  ${name}: load generator used ${ctx.median(samples[name].map((s) => s.clientCores)).toFixed(2)} cores (median)`,
      );
    }
    // Not a row: how much of the PostGraphile 5 pair's ratio is the runtime rather than the peer.
    ctx.log(
      `  keyledger on Node 22 ÷ on Node 20: ${(rps('keyledger-node22') / rps('keyledger')).toFixed(3)} (req/s, medians)`,
    );
    ctx.record(
      resultRow({
        scenario: '1 list query',
        metric: 'req/s vs raw graphql-js+pg (50 conns)',
        keyledger: rps('keyledger'),
        baseline: rps('raw-graphql'),
        target: 0.9,
      }),
    );
    ctx.record(
      resultRow({
        scenario: '1 list query',
        metric: 'req/s vs PostGraphile 5 (50 conns), both on Node 22',
        keyledger: rps('keyledger-node22'),
        baseline: rps('postgraphile5'),
        target: 1,
      }),
    );
    // Replaced by PostGraphile 5 as the peer to beat: still reported, for the history.
    ctx.record(
      resultRow({
        scenario: '1 list query',
        metric: 'req/s vs PostGraphile 4 (50 conns)',
        keyledger: rps('keyledger'),
        baseline: rps('postgraphile'),
        target: null,
      }),
    );
    for (const [ours, name, metric] of [
      ['keyledger', 'raw-graphql', 'server CPU ms per request vs raw-graphql'],
      ['keyledger', 'postgraphile', 'server CPU ms per request vs postgraphile'],
      ['keyledger-node22', 'postgraphile5', 'server CPU ms per request vs postgraphile5, both on Node 22'],
    ]) {
      ctx.record(
        resultRow({
          scenario: '1 list query',
          metric,
          keyledger: cpu(ours),
          baseline: cpu(name),
          target: null,
          direction: 'lower',
        }),
      );
    }
  },
};
