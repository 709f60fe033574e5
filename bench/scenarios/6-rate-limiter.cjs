'use strict';
// 6. Rate limiter cost: scenario 1's query (apiKeys(first: 20), API key, 50 connections)
//    against a keyledger child with RATE_LIMIT_ENABLED=true (PostgreSQL store) vs one
//    with RATE_LIMIT_ENABLED=false; ratio on ÷ off.

const { LIST_QUERY } = require('../lib/seed.cjs');
const { keysAccount } = require('../lib/datasets.cjs');
const { resultRow } = require('../lib/report.cjs');
const { throughputTarget } = require('./1-list-query.cjs');

module.exports = {
  name: 'ratelimit',
  aliases: ['rate-limiter'],
  title: 'apiKeys(first: 20), 50 connections: rate limiter on (PostgreSQL store) vs off',
  async run(ctx) {
    const on = await ctx.keyledger('keyledger-limiter-on', { RATE_LIMIT_ENABLED: 'true' });
    const off = await ctx.keyledger('keyledger-limiter-off', { RATE_LIMIT_ENABLED: 'false' });
    const data = await keysAccount(ctx, on.graphqlUrl);
    const body = JSON.stringify({ query: LIST_QUERY, variables: { first: 20 }, operationName: 'ApiKeys' });
    const samples = await ctx.alternate(
      [throughputTarget('limiter-on', on, body, data.apiKey), throughputTarget('limiter-off', off, body, data.apiKey)],
      { value: (s) => s.rps },
    );
    const med = (name, field) => ctx.median(samples[name].map((s) => s[field]));
    ctx.record(
      resultRow({
        scenario: '6 rate limiter',
        metric: 'req/s limiter on ÷ off',
        keyledger: med('limiter-on', 'rps'),
        baseline: med('limiter-off', 'rps'),
        target: 0.95,
      }),
    );
    ctx.record(
      resultRow({
        scenario: '6 rate limiter',
        metric: 'server CPU ms per request, limiter on vs off',
        keyledger: med('limiter-on', 'cpuMsPerRequest'),
        baseline: med('limiter-off', 'cpuMsPerRequest'),
        target: null,
        direction: 'lower',
      }),
    );
  },
};
