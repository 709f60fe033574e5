'use strict';
// 7. Log scaling: auditEvents(first: 50) page latency (p50, 2 connections) in an
//    account with 10,000 events vs one with 1,000,000, unfiltered and filtered by one
//    action (1/10 of the rows); ratio 1M ÷ 10k. Prints the EXPLAIN (ANALYZE) of the
//    page query for the 1M account, built by the product's own SQL builder
//    (dist/src/audit/audit.records.js auditWhere, as AuditService.list does).

require('reflect-metadata');
const path = require('node:path');
const { ROOT } = require('../lib/procs.cjs');
const { DOCS } = require('../lib/seed.cjs');
const { logAccounts } = require('../lib/datasets.cjs');
const { cannon, assertClean, gqlOk } = require('../lib/load.cjs');
const { resultRow } = require('../lib/report.cjs');

const { AUDIT_COLUMNS, auditWhere, numbered } = require(path.join(ROOT, 'dist/src/audit/audit.records.js'));
const { retentionCutoff } = require(path.join(ROOT, 'dist/src/audit/audit.service.js'));

const CONNECTIONS = 2;
const PAGE = 50;
const FILTER = { actions: ['api_key.rotated'] };

/** The SQL of AuditService.list for a first page, newest first. */
function pageQuery(accountId, filter) {
  const where = auditWhere(accountId, filter, retentionCutoff('ENTERPRISE'));
  return {
    text: numbered(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${where.sql} ORDER BY seq DESC LIMIT ?`),
    values: [...where.params, PAGE + 1],
  };
}

module.exports = {
  rounds: 3, // four targets per round: 10k/1M × unfiltered/filtered
  name: 'log',
  aliases: ['log-scaling'],
  title: 'auditEvents(first: 50) p50 latency, 10k vs 1M events, unfiltered and filtered by action',
  pageQuery,
  async run(ctx) {
    const { small, large } = await logAccounts(ctx);
    const keyledger = await ctx.keyledger('keyledger');

    /** @type {Array<[string, object | null]>} */
    const filters = [
      ['unfiltered', null],
      ['filtered by action', FILTER],
    ];
    for (const [label, filter] of filters) {
      const { text, values } = pageQuery(large.accountId, filter);
      const plan = (await ctx.db.sql(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, values))
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      ctx.log(`  EXPLAIN of the page query, 1M account, ${label}:\n${text}\n${plan}`);
      ((ctx.detail.log ??= {}).explain ??= {})[label] = { sql: text, plan };
    }

    const target = (name, account, filter) => {
      const body = JSON.stringify({
        query: DOCS.AuditEvents,
        variables: { first: PAGE, filter },
        operationName: 'AuditEvents',
      });
      return {
        name,
        async measure(_round, duration) {
          const result = await cannon({
            url: keyledger.graphqlUrl,
            connections: CONNECTIONS,
            duration,
            body,
            headers: { authorization: `Bearer ${account.token}` },
            keepLatencies: true,
          });
          assertClean(name, result);
          return result.p50;
        },
      };
    };
    // Sanity: full pages, newest first.
    for (const account of [small, large]) {
      const page = await gqlOk(keyledger.graphqlUrl, DOCS.AuditEvents, { first: PAGE, filter: FILTER }, account.token);
      if (page.auditEvents.edges.length !== PAGE) throw new Error('filtered page is not full');
    }
    const samples = await ctx.alternate([
      target('10k', small, null),
      target('1M', large, null),
      target('10k filtered', small, FILTER),
      target('1M filtered', large, FILTER),
    ]);
    ctx.record(
      resultRow({
        scenario: '7 log scaling',
        metric: 'p50 ms auditEvents(first: 50), 1M ÷ 10k events',
        keyledger: ctx.median(samples['1M']),
        baseline: ctx.median(samples['10k']),
        target: 1.2,
        direction: 'lower',
      }),
    );
    ctx.record(
      resultRow({
        scenario: '7 log scaling',
        metric: 'p50 ms, filtered by action, 1M ÷ 10k events',
        keyledger: ctx.median(samples['1M filtered']),
        baseline: ctx.median(samples['10k filtered']),
        target: 1.2,
        direction: 'lower',
      }),
    );
  },
};
