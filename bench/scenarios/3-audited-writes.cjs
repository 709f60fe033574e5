'use strict';
// 3. Audited writes: createApiKey by an API key (keys:write) at 8 concurrent clients, each on its own
//    ENTERPRISE account; committed creates/s, counted from the accounts' chain heads (one event per create).
//    Baselines, in the same alternation:
//    (a) the raw baseline (baselines/raw-graphql.cjs: node:http + graphql-js + pg) answering the same mutation
//        with the same transaction in one statement after authenticating the key: under the account's lock,
//        count the active keys against the plan's limit, insert the key, lock the chain head, insert the
//        hashed event, move the head;
//    (b) pgbench running that statement as a custom script (the database's own limit; reported, no target).
//    Then the same creates with 100 live graphql-ws subscribers on those accounts ÷ without, in an
//    alternation of its own; and database round trips per create and per updateAccountSettings (a counting
//    proxy in front of a lone keyledger).
//    Between runs the created keys are deleted, so every run starts below the plan's 1,000 active keys;
//    the table also holds 20,000 keys of 500 other tenants (datasets.cjs otherTenants), so it never
//    shrinks to a few rows that PostgreSQL would plan sequential scans for.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { CREATE_QUERY, DOCS } = require('../lib/seed.cjs');
const { INPUT, createLoad, withWriterKeys } = require('../lib/create-load.cjs');
const { writerAccounts } = require('../lib/datasets.cjs');
const { gqlOk } = require('../lib/load.cjs');
const { startCountingProxy } = require('../lib/pgproxy.cjs');
const { openSubscribers } = require('../lib/subscribers.cjs');
const { resultRow } = require('../lib/report.cjs');
const { run } = require('../lib/procs.cjs');
const { cpuMs, sleep } = require('../lib/util.cjs');

const CLIENTS = 8;
const SUBSCRIBERS = 100;
const TRIPS_SAMPLE = 100;

/** The raw baseline's statement with constants, one account (and creating key) per pgbench client. */
function pgbenchScript(writers) {
  const pick = (values) =>
    `CASE :client_id ${values.map((value, i) => `WHEN ${i} THEN '${value}'::uuid`).join(' ')} END`;
  const account = pick(writers.map((w) => w.accountId));
  const creator = pick(writers.map((w) => w.keyId));
  const owner = pick(writers.map((w) => w.userId));
  return `WITH account AS (SELECT id FROM accounts WHERE id = ${account} FOR UPDATE), active AS (SELECT count(*) AS n FROM api_keys WHERE account_id = ${account} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())), created AS (INSERT INTO api_keys (id, account_id, name, purpose, scopes, digest, display_key, created_at, created_by_id, owner_id, created_by_key_id, expires_at) SELECT gen_random_uuid(), account.id, 'bench key', 'TEMPORARY_INTEGRATION', '{keys:read}', encode(sha256(gen_random_uuid()::text::bytea), 'hex'), 'kl_live_xxxx…xxxx', now(), ${owner}, ${owner}, ${creator}, now() + interval '90 days' FROM account, active WHERE active.n < 100000 RETURNING id, account_id), head AS (SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = ${account} FOR UPDATE), event AS (INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display, actor_scopes, target_type, target_id, target_display, metadata, ip, user_agent, request_id, prev_hash, hash) SELECT gen_random_uuid(), created.account_id, head.last_seq + 1, now(), 'api_key.created', 'SUCCESS', 'API_KEY', ${creator}, 'kl_live_xxxx…xxxx', '{keys:read,keys:write}', 'api_key', created.id, 'bench key (kl_live_xxxx…xxxx)', '{"name": "bench key", "purpose": "TEMPORARY_INTEGRATION", "scopes": ["keys:read"]}'::jsonb, '127.0.0.1', 'pgbench', gen_random_uuid()::text, head.last_hash, encode(sha256(convert_to(head.last_hash || '{"accountId":"…","seq":' || (head.last_seq + 1)::text || ',"target":{}}', 'UTF8')), 'hex') FROM head, created RETURNING seq, hash) UPDATE audit_chain_heads h SET last_seq = event.seq, last_hash = event.hash FROM event WHERE h.account_id = ${account};\n`;
}

module.exports = {
  name: 'writes',
  aliases: ['audited-writes'],
  title:
    'createApiKey at 8 clients (own account each): creates/s vs the raw baseline’s same transaction; round trips; with 100 subscribers ÷ without',
  async run(ctx) {
    const { db } = ctx;
    const accounts = await writerAccounts(ctx, CLIENTS);
    const keyledger = await ctx.keyledger('keyledger');
    const raw = await ctx.baseline('raw-graphql', 'raw-graphql.cjs');
    // Each writer creates keys with an API key of its own (keys:write).
    const writers = await withWriterKeys(keyledger.graphqlUrl, accounts);
    const created = await gqlOk(keyledger.graphqlUrl, CREATE_QUERY, { input: INPUT }, writers[0].secret);
    const rawCreated = await gqlOk(raw.graphqlUrl, CREATE_QUERY, { input: INPUT }, writers[0].secret);
    if (created.createApiKey.apiKey.status !== 'ACTIVE' || rawCreated.createApiKey.apiKey.status !== 'ACTIVE') {
      throw new Error('createApiKey did not create an active key');
    }

    const { run: loadRun, eventCount, clearCreated } = createLoad(db, writers);
    /** One run against `server`, with its CPU per committed create. */
    const createRun = (server, duration) =>
      loadRun(server, duration, () => {
        const cpuBefore = cpuMs(server.pid);
        return (events) => ({ cpuMsPerEvent: (cpuMs(server.pid) - cpuBefore) / events });
      });

    const scriptFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyledger-pgbench-')), 'create.sql');
    fs.writeFileSync(scriptFile, pgbenchScript(writers));
    const pgbench = async (duration) => {
      await clearCreated();
      const start = await eventCount();
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
      const events = (await eventCount()) - start;
      const transactions = /number of transactions actually processed: (\d+)/.exec(out.stdout);
      if (transactions && Number(transactions[1]) !== events) {
        throw new Error(`pgbench: ${transactions[1]} transactions but ${events} events appended`);
      }
      return Number(match[1]);
    };

    const groups = writers.map((writer, i) => ({
      token: writer.token,
      subscriptions: Math.floor(SUBSCRIBERS / CLIENTS) + (i < SUBSCRIBERS % CLIENTS ? 1 : 0),
    }));
    const withSubscribers = async (duration) => {
      const subs = await openSubscribers(keyledger, groups, { perConnection: 10 });
      try {
        const result = await createRun(keyledger, duration);
        await sleep(300);
        return { ...result, delivered: subs.sink.count, subscriberErrors: subs.sink.errors.length };
      } finally {
        await subs.close();
      }
    };

    let samples;
    let feed;
    try {
      samples = await ctx.alternate(
        [
          {
            name: 'keyledger',
            warm: () => createRun(keyledger, ctx.opts.warmup),
            measure: (_r, d) => createRun(keyledger, d),
          },
          { name: 'raw-graphql', measure: (_r, d) => createRun(raw, d) },
          { name: 'pgbench', measure: (_r, d) => pgbench(d) },
        ],
        { value: (sample) => (typeof sample === 'number' ? sample : sample.eventsPerSecond) },
      );
      feed = await ctx.alternate(
        [
          { name: 'keyledger without subscribers', warm: async () => {}, measure: (_r, d) => createRun(keyledger, d) },
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
    }

    const creates = ctx.median(samples.keyledger.map((s) => s.eventsPerSecond));
    ctx.record(
      resultRow({
        scenario: '3 audited writes',
        metric: 'createApiKey commits/s vs raw graphql-js+pg, same transaction (8 clients)',
        keyledger: creates,
        baseline: ctx.median(samples['raw-graphql'].map((s) => s.eventsPerSecond)),
        target: 0.8,
      }),
    );
    ctx.record(
      resultRow({
        scenario: '3 audited writes',
        metric: 'createApiKey commits/s vs pgbench running the same transaction (8 clients)',
        keyledger: creates,
        baseline: ctx.median(samples.pgbench),
        target: null,
      }),
    );
    ctx.record(
      resultRow({
        scenario: '3 audited writes',
        metric: 'server CPU ms per committed create vs raw graphql-js+pg',
        keyledger: ctx.median(samples.keyledger.map((s) => s.cpuMsPerEvent)),
        baseline: ctx.median(samples['raw-graphql'].map((s) => s.cpuMsPerEvent)),
        target: null,
        direction: 'lower',
      }),
    );
    ctx.record(
      resultRow({
        scenario: '3 audited writes',
        metric: 'server CPU ms per committed create, with 100 subscribers vs without',
        keyledger: ctx.median(feed['keyledger+100 subscribers'].map((s) => s.cpuMsPerEvent)),
        baseline: ctx.median(feed['keyledger without subscribers'].map((s) => s.cpuMsPerEvent)),
        target: null,
        direction: 'lower',
      }),
    );
    ctx.record(
      resultRow({
        scenario: '3 audited writes',
        metric: 'creates/s with 100 subscribers ÷ without',
        keyledger: ctx.median(feed['keyledger+100 subscribers'].map((s) => s.eventsPerSecond)),
        baseline: ctx.median(feed['keyledger without subscribers'].map((s) => s.eventsPerSecond)),
        target: 0.9,
      }),
    );

    // Round trips per audited mutation, counted between a keyledger child and PostgreSQL, with no other
    // keyledger running (a lone instance sends no NOTIFY: with others listening, each ≤ 5 ms of commits
    // adds one coalesced NOTIFY).
    await ctx.endScenario();
    const proxy = await startCountingProxy(db.url);
    try {
      const proxied = await ctx.keyledger('keyledger-proxied', { DATABASE_URL: proxy.url });
      const rawProxied = await ctx.baseline('raw-graphql-proxied', 'raw-graphql.cjs', { DATABASE_URL: proxy.url });
      const perRequest = async (call) => {
        await clearCreated();
        for (let i = 0; i < 10; i++) await call(i);
        await sleep(200);
        const before = proxy.roundTrips();
        for (let i = 0; i < TRIPS_SAMPLE; i++) await call(i);
        return (proxy.roundTrips() - before) / TRIPS_SAMPLE;
      };
      const creating = (server) => () => gqlOk(server.graphqlUrl, CREATE_QUERY, { input: INPUT }, writers[1].secret);
      const createTrips = await perRequest(creating(proxied));
      ctx.record(
        resultRow({
          scenario: '3 audited writes',
          metric: 'DB round trips per audited mutation: createApiKey (API key)',
          keyledger: createTrips,
          baseline: null,
          target: 3,
          direction: 'lower',
          absolute: true,
        }),
      );
      ctx.record(
        resultRow({
          scenario: '3 audited writes',
          metric: 'DB round trips per audited mutation: updateAccountSettings (session)',
          keyledger: await perRequest((i) =>
            gqlOk(
              proxied.graphqlUrl,
              DOCS.UpdateAccountSettings,
              { input: { defaultKeyLifetimeDays: 30 + (i % 2) } },
              writers[1].token,
            ),
          ),
          baseline: null,
          target: 3,
          direction: 'lower',
          absolute: true,
        }),
      );
      ctx.record(
        resultRow({
          scenario: '3 audited writes',
          metric: 'DB round trips per createApiKey vs the raw baseline',
          keyledger: createTrips,
          baseline: await perRequest(creating(rawProxied)),
          target: null,
          direction: 'lower',
        }),
      );
    } finally {
      await ctx.endScenario();
      await proxy.close();
      await clearCreated().catch(() => undefined);
    }
  },
};
