'use strict';
// 9. Ingestion: recordAuditEvents in calls of 100 host-product events at 8 concurrent clients,
//    each an AUDIT_WRITE key of its own account; committed events/s (counted from the accounts'
//    chain heads). Baseline: pgbench -n -c 8 -j 2 inserting the same rows (the ingested row's
//    shape, reported_at and submitted_by included) one per transaction into a same-shaped table
//    (same columns, CHECKs, indexes and foreign key; no append-only trigger).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DOCS, createApiKey } = require('../lib/seed.cjs');
const { writerAccounts } = require('../lib/datasets.cjs');
const { cannon } = require('../lib/load.cjs');
const { resultRow } = require('../lib/report.cjs');
const { run } = require('../lib/procs.cjs');
const { sleep } = require('../lib/util.cjs');

const CLIENTS = 8;
const BATCH = 100;

/** One call's events: what a billing backend would send. */
function batchBody() {
  const occurredAt = new Date(Date.now() - 60_000).toISOString();
  const events = Array.from({ length: BATCH }, (_, i) => ({
    action: 'invoice.paid',
    actor: { type: 'USER', id: `usr_${1000 + i}`, display: `customer${i}@host.example` },
    target: { type: 'invoice', id: `inv_${50000 + i}`, display: `Invoice ${50000 + i}` },
    occurredAt,
    changes: [{ field: 'status', before: 'open', after: 'paid' }],
    metadata: { amount: 1200 + i, currency: 'EUR' },
  }));
  return JSON.stringify({
    query: DOCS.RecordAuditEvents,
    variables: { input: { events } },
    operationName: 'RecordAuditEvents',
  });
}

function pgbenchScript(accountIds) {
  const account = `CASE :client_id ${accountIds.map((id, i) => `WHEN ${i} THEN '${id}'::uuid`).join(' ')} END`;
  const hash = 'a'.repeat(64);
  const submitter = `'{"type": "API_KEY", "id": "5b0c6f0e-4a9e-4f8e-9d3e-1c2b3a4d5e6f", "display": "kl_live_Ab12…wxyz", "scopes": ["audit:write"]}'::jsonb`;
  return `INSERT INTO bench_ingest_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display, actor_scopes, target_type, target_id, target_display, changes, metadata, ip, user_agent, request_id, prev_hash, hash, via, reported_at, submitted_by) VALUES (gen_random_uuid(), ${account}, nextval('bench_ingest_events_seq'), now(), 'invoice.paid', 'SUCCESS', 'USER', 'usr_1042', 'customer42@host.example', NULL, 'invoice', 'inv_50042', 'Invoice 50042', '[{"field": "status", "before": "open", "after": "paid"}]'::jsonb, '{"amount": 1242, "currency": "EUR"}'::jsonb, '127.0.0.1', 'autocannon', 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', '${hash}', '${hash}', 'GRAPHQL', now() - interval '1 minute', ${submitter});\n`;
}

module.exports = {
  name: 'ingest',
  aliases: ['record-audit-events'],
  title: 'recordAuditEvents in calls of 100 events at 8 clients (own account each): events/s vs pgbench inserts',
  async run(ctx) {
    const { db } = ctx;
    const writers = await writerAccounts(ctx, CLIENTS);
    const keyledger = await ctx.keyledger('keyledger');
    const ids = writers.map((w) => w.accountId);
    const keys = [];
    for (const writer of writers) {
      const key = await createApiKey(keyledger.graphqlUrl, writer.token, {
        name: `ingest bench ${keys.length}`,
        purpose: 'LONG_RUNNING_WORKFLOW',
        scopes: ['AUDIT_WRITE'],
        expiresAt: null,
      });
      keys.push(key.secret);
    }

    await db.sql('DROP TABLE IF EXISTS bench_ingest_events');
    await db.sql(
      'CREATE TABLE bench_ingest_events (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)',
    );
    await db.sql('ALTER TABLE bench_ingest_events ADD FOREIGN KEY (account_id) REFERENCES accounts (id)');
    await db.sql('CREATE SEQUENCE IF NOT EXISTS bench_ingest_events_seq');
    const scriptFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyledger-pgbench-')), 'ingest.sql');
    fs.writeFileSync(scriptFile, pgbenchScript(ids));

    const eventCount = async () =>
      Number((await db.sql('SELECT sum(last_seq) AS n FROM audit_chain_heads WHERE account_id = ANY($1)', [ids]))[0].n);

    const body = batchBody();
    const ingestRun = async (duration) => {
      let next = 0;
      const setupClient = (client) => {
        const key = keys[next++ % CLIENTS];
        client.setRequests([
          { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body },
        ]);
      };
      const start = await eventCount();
      const result = await cannon({ url: keyledger.graphqlUrl, connections: CLIENTS, duration, body, setupClient });
      await sleep(100);
      const events = (await eventCount()) - start;
      if (result.non2xx + result.errors + result.graphqlErrors > 0) {
        ctx.log(`  warning: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.graphqlErrors} GraphQL errors`);
      }
      return { eventsPerSecond: events / result.durationSeconds, callsPerSecond: result.rps, events };
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
      return Number(match[1]);
    };

    let samples;
    try {
      samples = await ctx.alternate(
        [
          { name: 'keyledger', warm: () => ingestRun(2 * ctx.opts.warmup), measure: (_r, d) => ingestRun(d) },
          { name: 'pgbench', measure: (_r, d) => pgbench(d) },
        ],
        { value: (sample) => (typeof sample === 'number' ? sample : sample.eventsPerSecond) },
      );
    } finally {
      fs.rmSync(path.dirname(scriptFile), { recursive: true, force: true });
      await db.sql('DROP TABLE IF EXISTS bench_ingest_events').catch(() => undefined);
    }

    ctx.record(
      resultRow({
        scenario: '9 ingestion',
        metric: 'events/s recorded in calls of 100 vs pgbench inserting the same rows (8 clients)',
        keyledger: ctx.median(samples.keyledger.map((s) => s.eventsPerSecond)),
        baseline: ctx.median(samples.pgbench),
        target: 0.5,
      }),
    );
  },
};
