'use strict';
// 2. Authentication cost: the same keyledger server and query (apiKeys(first: 20),
//    50 connections), API key vs session token (JWT from the CLI); ratio key ÷ session.
//    Also shows what a key lookup costs in the database: the plan of the
//    authenticator's query (one unique-index lookup on api_keys.digest).

const crypto = require('node:crypto');
const { LIST_QUERY } = require('../lib/seed.cjs');
const { keysAccount } = require('../lib/datasets.cjs');
const { gqlOk } = require('../lib/load.cjs');
const { resultRow } = require('../lib/report.cjs');
const { throughputTarget } = require('./1-list-query.cjs');

/** The query of src/auth/authenticator.ts (fromApiKey), with $1 for the digest. */
const KEY_LOOKUP_SQL = `SELECT k.id, k.account_id, k.display_key, k.scopes, k.expires_at, k.revoked_at, k.last_used_at,
              k.created_by_id, m.role
         FROM api_keys k
         LEFT JOIN memberships m ON m.account_id = k.account_id AND m.user_id = k.created_by_id
        WHERE k.digest = $1`;

module.exports = {
  name: 'auth',
  aliases: ['auth-cost'],
  title: 'apiKeys(first: 20) on one keyledger server: API key vs session token (key ÷ session)',
  KEY_LOOKUP_SQL,
  async run(ctx) {
    const keyledger = await ctx.keyledger('keyledger');
    const data = await keysAccount(ctx, keyledger.graphqlUrl);
    const body = JSON.stringify({ query: LIST_QUERY, variables: { first: 20 }, operationName: 'ApiKeys' });
    // The session (OWNER) sees the same page as the KEYS_READ key.
    const viaKey = await gqlOk(keyledger.graphqlUrl, LIST_QUERY, { first: 20 }, data.apiKey);
    const viaSession = await gqlOk(keyledger.graphqlUrl, LIST_QUERY, { first: 20 }, data.sessionToken);
    if (viaKey.apiKeys.edges.map((e) => e.node.id).join() !== viaSession.apiKeys.edges.map((e) => e.node.id).join()) {
      throw new Error('API key and session see different pages');
    }

    const digest = crypto.createHash('sha256').update(data.apiKey).digest('hex');
    const plan = await ctx.db.sql(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${KEY_LOOKUP_SQL}`, [digest]);
    const explain = plan.map((row) => row['QUERY PLAN']).join('\n');
    ctx.log(`  key lookup on a cache miss (authenticator query):\n${explain}`);
    (ctx.detail.auth ??= {}).keyLookupPlan = explain;

    const samples = await ctx.alternate(
      [
        throughputTarget('api-key', keyledger, body, data.apiKey),
        throughputTarget('session', keyledger, body, data.sessionToken),
      ],
      { value: (s) => s.rps },
    );
    const med = (name, field) => ctx.median(samples[name].map((s) => s[field]));
    ctx.record(
      resultRow({
        scenario: '2 auth cost',
        metric: 'req/s API key ÷ session token (same server)',
        keyledger: med('api-key', 'rps'),
        baseline: med('session', 'rps'),
        target: 0.95,
      }),
    );
    ctx.record(
      resultRow({
        scenario: '2 auth cost',
        metric: 'server CPU ms per request, API key vs session',
        keyledger: med('api-key', 'cpuMsPerRequest'),
        baseline: med('session', 'cpuMsPerRequest'),
        target: null,
        direction: 'lower',
      }),
    );
  },
};
