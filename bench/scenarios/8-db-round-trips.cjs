'use strict';
// Diagnostic (not in the default run; `npm run bench -- dbtrips`): database round
// trips per request, counted by a TCP proxy between the server and PostgreSQL
// (bench/lib/pgproxy.cjs) over 100 sequential requests of each kind. Explains
// where scenarios 1, 2, 3 and 6 spend their time: every round trip is a
// PostgreSQL statement and two context switches on the same two cores.

const { DOCS, LIST_QUERY } = require('../lib/seed.cjs');
const { keysAccount } = require('../lib/datasets.cjs');
const { gqlOk } = require('../lib/load.cjs');
const { startCountingProxy } = require('../lib/pgproxy.cjs');
const { resultRow } = require('../lib/report.cjs');
const { sleep } = require('../lib/util.cjs');

const N = 100;

module.exports = {
  name: 'dbtrips',
  optional: true,
  title: 'diagnostic: database round trips per request (counting proxy), keyledger vs the raw baseline',
  async run(ctx) {
    const proxy = await startCountingProxy(ctx.db.url);
    try {
      const keyledger = await ctx.keyledger('keyledger-proxied', { DATABASE_URL: proxy.url });
      const limiterOff = await ctx.keyledger('keyledger-proxied-limiter-off', {
        DATABASE_URL: proxy.url,
        RATE_LIMIT_ENABLED: 'false',
      });
      const raw = await ctx.baseline('raw-graphql-proxied', 'raw-graphql.cjs', { DATABASE_URL: proxy.url });
      const data = await keysAccount(ctx, keyledger.graphqlUrl);

      let toggle = 0;
      const operations = [
        [
          'apiKeys(first: 20), API key',
          keyledger,
          () => gqlOk(keyledger.graphqlUrl, LIST_QUERY, { first: 20 }, data.apiKey),
          raw,
          () => gqlOk(raw.graphqlUrl, LIST_QUERY, { first: 20 }, data.apiKey),
        ],
        [
          'apiKeys(first: 20), API key, limiter off',
          limiterOff,
          () => gqlOk(limiterOff.graphqlUrl, LIST_QUERY, { first: 20 }, data.apiKey),
        ],
        [
          'apiKeys(first: 20), session token',
          keyledger,
          () => gqlOk(keyledger.graphqlUrl, LIST_QUERY, { first: 20 }, data.sessionToken),
        ],
        [
          'updateAccountSettings (one audit event)',
          keyledger,
          () =>
            gqlOk(
              keyledger.graphqlUrl,
              DOCS.UpdateAccountSettings,
              { input: { defaultKeyLifetimeDays: 30 + (toggle++ % 2) } },
              data.sessionToken,
            ),
        ],
        [
          'auditEvents(first: 50), first page',
          keyledger,
          () => gqlOk(keyledger.graphqlUrl, DOCS.AuditEvents, { first: 50 }, data.sessionToken),
        ],
      ];
      const perRequest = async (call) => {
        for (let i = 0; i < 10; i++) await call();
        await sleep(200);
        const before = proxy.roundTrips();
        for (let i = 0; i < N; i++) await call();
        return (proxy.roundTrips() - before) / N;
      };
      for (const [label, , call, , baselineCall] of operations) {
        const ours = await perRequest(call);
        const theirs = baselineCall ? await perRequest(baselineCall) : null;
        ctx.record(
          resultRow({
            scenario: 'diagnostic',
            metric: `DB round trips per request: ${label}`,
            keyledger: ours,
            baseline: theirs,
            target: null,
          }),
        );
      }
    } finally {
      await ctx.endScenario();
      await proxy.close();
    }
  },
};
