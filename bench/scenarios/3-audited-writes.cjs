'use strict';
// 3. Audited writes: updateAccountSettings toggling defaultKeyLifetimeDays between
//    30 and 60 (each call changes the setting, so each writes one audit event) at 8
//    concurrent clients, each on its own account; committed events/s (counted from
//    the accounts' chain heads). Baseline: pgbench -n -c 8 -j 2 single-row inserts of
//    the audit row shape into a same-shaped table (same columns, CHECKs, indexes and
//    foreign key; no append-only trigger). Second row: the same writes with 100 live
//    graphql-ws subscribers on those accounts ÷ without, measured in an alternation of
//    their own (keyledger without, keyledger with, …) so pgbench's aftermath does not
//    land on one side more than the other.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DOCS } = require('../lib/seed.cjs');
const { writerAccounts } = require('../lib/datasets.cjs');
const { cannon, gqlOk } = require('../lib/load.cjs');
const { openSubscribers } = require('../lib/subscribers.cjs');
const { resultRow } = require('../lib/report.cjs');
const { run } = require('../lib/procs.cjs');
const { cpuMs, sleep } = require('../lib/util.cjs');

const CLIENTS = 8;
const SUBSCRIBERS = 100;
const VALUES = [30, 60];

function pgbenchScript(accountIds) {
  const account = `CASE :client_id ${accountIds.map((id, i) => `WHEN ${i} THEN '${id}'::uuid`).join(' ')} END`;
  const hash = 'a'.repeat(64);
  return `INSERT INTO bench_audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display, actor_scopes, target_type, target_id, target_display, changes, metadata, ip, user_agent, request_id, prev_hash, hash) VALUES (gen_random_uuid(), ${account}, nextval('bench_audit_events_seq'), now(), 'settings.updated', 'SUCCESS', 'USER', '5b0c6f0e-4a9e-4f8e-9d3e-1c2b3a4d5e6f', 'owner@bench.test', NULL, 'account', '7d1f2e3c-5b6a-4c8d-9e0f-1a2b3c4d5e6f', 'Writer', '[{"field": "defaultKeyLifetimeDays", "before": 30, "after": 60}]'::jsonb, NULL, '127.0.0.1', 'autocannon', 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', '${hash}', '${hash}');\n`;
}

module.exports = {
  name: 'writes',
  aliases: ['audited-writes'],
  title:
    'updateAccountSettings at 8 clients (own account each): events/s vs pgbench inserts; with 100 subscribers ÷ without',
  async run(ctx) {
    const { db } = ctx;
    const writers = await writerAccounts(ctx, CLIENTS);
    const keyledger = await ctx.keyledger('keyledger');
    const ids = writers.map((w) => w.accountId);

    // The pgbench table: the audit row's shape without the append-only trigger.
    await db.sql('DROP TABLE IF EXISTS bench_audit_events');
    await db.sql(
      'CREATE TABLE bench_audit_events (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)',
    );
    await db.sql('ALTER TABLE bench_audit_events ADD FOREIGN KEY (account_id) REFERENCES accounts (id)');
    await db.sql('CREATE SEQUENCE IF NOT EXISTS bench_audit_events_seq');
    const scriptFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyledger-pgbench-')), 'insert.sql');
    fs.writeFileSync(scriptFile, pgbenchScript(ids));

    const body = (days) =>
      JSON.stringify({
        query: DOCS.UpdateAccountSettings,
        variables: { input: { defaultKeyLifetimeDays: days } },
        operationName: 'UpdateAccountSettings',
      });
    // A toggle really writes: one event per call.
    const before = await gqlOk(
      keyledger.graphqlUrl,
      DOCS.UpdateAccountSettings,
      { input: { defaultKeyLifetimeDays: 30 } },
      writers[0].token,
    );
    if (before.updateAccountSettings.defaultKeyLifetimeDays !== 30) throw new Error('settings toggle did not apply');

    const eventCount = async () =>
      Number((await db.sql('SELECT sum(last_seq) AS n FROM audit_chain_heads WHERE account_id = ANY($1)', [ids]))[0].n);

    /** One autocannon run: connection i writes to account i, starting with the value it does not hold yet. */
    const writeRun = async (duration) => {
      const current = new Map(
        (await db.sql('SELECT id, default_key_lifetime_days AS d FROM accounts WHERE id = ANY($1)', [ids])).map((r) => [
          r.id,
          r.d,
        ]),
      );
      let next = 0;
      const setupClient = (client) => {
        const writer = writers[next++ % CLIENTS];
        const first = current.get(writer.accountId) === VALUES[0] ? 1 : 0;
        const headers = { 'content-type': 'application/json', authorization: `Bearer ${writer.token}` };
        client.setRequests([
          { method: 'POST', headers, body: body(VALUES[first]) },
          { method: 'POST', headers, body: body(VALUES[1 - first]) },
        ]);
      };
      const start = await eventCount();
      const cpuBefore = cpuMs(keyledger.pid);
      const result = await cannon({
        url: keyledger.graphqlUrl,
        connections: CLIENTS,
        duration,
        body: body(30),
        setupClient,
      });
      await sleep(100);
      const cpu = cpuMs(keyledger.pid) - cpuBefore;
      const events = (await eventCount()) - start;
      if (result.non2xx + result.errors + result.graphqlErrors > 0) {
        ctx.log(`  warning: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.graphqlErrors} GraphQL errors`);
      }
      return {
        eventsPerSecond: events / result.durationSeconds,
        requestsPerSecond: result.rps,
        events,
        cpuMsPerEvent: cpu / events,
      };
    };

    const pgbench = async (duration) => {
      const seconds = Math.max(1, Math.round(duration));
      const out = await run(
        'pgbench',
        ['-n', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds), '-f', scriptFile],
        { env: db.psqlEnv },
      );
      const match = /tps = ([\d.]+) \(without initial connection time\)/.exec(out.stdout);
      if (out.code !== 0 || !match) throw new Error(`pgbench failed (${out.code}): ${out.stderr}${out.stdout}`);
      const failed = /number of failed transactions: (\d+)/.exec(out.stdout);
      if (failed && Number(failed[1]) > 0) throw new Error(`pgbench: ${failed[1]} failed transactions`);
      return Number(match[1]);
    };

    const groups = writers.map((writer, i) => ({
      token: writer.token,
      subscriptions: Math.floor(SUBSCRIBERS / CLIENTS) + (i < SUBSCRIBERS % CLIENTS ? 1 : 0),
    }));
    const withSubscribers = async (duration) => {
      const subs = await openSubscribers(keyledger, groups, { perConnection: 10 });
      try {
        const result = await writeRun(duration);
        await sleep(300);
        result.delivered = subs.sink.count;
        result.subscriberErrors = subs.sink.errors.length;
        return result;
      } finally {
        await subs.close();
      }
    };

    // Two alternations, so that neither keyledger run follows pgbench more often than the other: pgbench's
    // ~20k inserts per round leave WAL, checkpoints and autovacuum work behind for whatever runs next.
    let samples;
    let feed;
    try {
      samples = await ctx.alternate(
        [
          // At a few hundred writes/s the ORM's paths need a longer warm-up than reads to reach steady state.
          { name: 'keyledger', warm: () => writeRun(2 * ctx.opts.warmup), measure: (_r, d) => writeRun(d) },
          { name: 'pgbench', measure: (_r, d) => pgbench(d) },
        ],
        { value: (sample) => (typeof sample === 'number' ? sample : sample.eventsPerSecond) },
      );
      feed = await ctx.alternate(
        [
          { name: 'keyledger without subscribers', warm: async () => {}, measure: (_r, d) => writeRun(d) },
          {
            name: 'keyledger+100 subscribers',
            warm: () => withSubscribers(ctx.opts.warmup),
            measure: (_r, d) => withSubscribers(d),
          },
        ],
        { value: (sample) => sample.eventsPerSecond },
      );
    } finally {
      fs.rmSync(path.dirname(scriptFile), { recursive: true, force: true });
      await db.sql('DROP TABLE IF EXISTS bench_audit_events').catch(() => undefined);
    }

    const plain = ctx.median(samples.keyledger.map((s) => s.eventsPerSecond));
    ctx.record(
      resultRow({
        scenario: '3 audited writes',
        metric: 'committed events/s vs pgbench inserts (8 clients)',
        keyledger: plain,
        baseline: ctx.median(samples.pgbench),
        target: 0.5,
      }),
    );
    ctx.record(
      resultRow({
        scenario: '3 audited writes',
        metric: 'server CPU ms per committed event, with 100 subscribers vs without',
        keyledger: ctx.median(feed['keyledger+100 subscribers'].map((s) => s.cpuMsPerEvent)),
        baseline: ctx.median(feed['keyledger without subscribers'].map((s) => s.cpuMsPerEvent)),
        target: null,
        direction: 'lower',
      }),
    );
    ctx.record(
      resultRow({
        scenario: '3 audited writes',
        metric: 'events/s with 100 subscribers ÷ without',
        keyledger: ctx.median(feed['keyledger+100 subscribers'].map((s) => s.eventsPerSecond)),
        baseline: ctx.median(feed['keyledger without subscribers'].map((s) => s.eventsPerSecond)),
        target: 0.9,
      }),
    );
  },
};
