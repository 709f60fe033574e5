'use strict';
// 4. Live fan-out: 1,000 graphql-ws subscribers on one account (100 connections × 10
//    subscriptions; the server runs with WS_MAX_SUBSCRIPTIONS_PER_ACCOUNT=5000), events
//    written through updateAccountSettings at a steady rate and in a burst. Measures
//    delivered messages/s and commit-to-delivery latency (receive time − the event's
//    occurredAt, stamped in the writing transaction; same machine clock).
//    Baseline: bench/baselines/raw-ws-broadcast.cjs, 1,000 plain sockets, the same
//    payload (a captured keyledger `next` message), the same write schedule
//    (POST /publish instead of the mutation).
//
//    Then 10,000 sockets, one subscription each, 200 on each of 50 accounts (fresh
//    servers; the sockets live in two worker processes, `lib/socket-worker.cjs`, one
//    per side, as one process may hold only `ulimit -n` of them). Measures the
//    server's RSS growth per socket (VmRSS before the first socket and once all are
//    subscribed; and again after the bursts) and the burst rate: every account
//    records BURST_10K events in one recordAuditEvents call (an AUDIT_WRITE key of
//    its own; 8 calls at a time), each delivered to its 200 subscribers. Baseline:
//    the raw broadcast with its sockets in 50 rooms, `POST /publish?room=&count=`.
//
//    BENCH_FANOUT_PART=1k or 10k runs one part only.

const fs = require('node:fs');
const path = require('node:path');
const seed = require('../lib/seed.cjs');
const { DOCS, createApiKey } = seed;
const { ROOT } = require('../lib/procs.cjs');
const { fanoutAccount } = require('../lib/datasets.cjs');
const { startSocketWorker } = require('../lib/socket-worker.cjs');
const { gql } = require('../lib/load.cjs');
const { openSubscribers, waitForSubscriptions } = require('../lib/subscribers.cjs');
const { Sink, connectRaw } = require('../lib/wsclient.cjs');
const { resultRow } = require('../lib/report.cjs');
const { cpuMs, mapLimit, nowMs, percentile, sleep, round } = require('../lib/util.cjs');

const SUBSCRIBERS = 1000;
const CONNECTIONS = 100;
const STEADY_RATE = Number(process.env.BENCH_FANOUT_RATE || 10); // events/s
const BURST = Number(process.env.BENCH_FANOUT_BURST || 100); // events
const BURST_CONCURRENCY = 8;
const SOCKETS_10K = Number(process.env.BENCH_FANOUT_SOCKETS || 10_000);
const ACCOUNTS_10K = 50;
const BURST_10K = Number(process.env.BENCH_FANOUT_BURST_10K || 10); // events per account per burst

/**
 * Runs a write schedule and waits until every subscriber has every event.
 * `write(i)` performs the i-th write. Returns msgs/s and latency percentiles.
 *
 * @param {any} sink
 * @param {(i: number) => Promise<unknown>} write
 * @param {{ events: number, rate?: number, concurrency?: number, pid: number }} schedule
 */
async function phase(sink, write, { events, rate, concurrency, pid }) {
  sink.reset();
  const cpuBefore = cpuMs(pid);
  const started = nowMs();
  let failed = 0;
  if (rate) {
    const inFlight = new Set();
    for (let i = 0; i < events; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      const p = write(i)
        .catch(() => (failed += 1))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } else {
    await mapLimit([...Array(events).keys()], concurrency, (i) => write(i).catch(() => (failed += 1)));
  }
  const writesDone = nowMs();
  const expected = (events - failed) * SUBSCRIBERS;
  // Wait for delivery: done when everything arrived, or nothing moved for 3 s.
  let last = -1;
  let still = nowMs();
  while (sink.count < expected) {
    if (sink.count !== last) {
      last = sink.count;
      still = nowMs();
    } else if (nowMs() - still > 3000) break;
    await sleep(20);
  }
  const elapsed = (sink.lastAt - started) / 1000;
  const cpu = cpuMs(pid) - cpuBefore;
  return {
    cpuUsPerMessage: (1000 * cpu) / sink.count,
    events,
    failedWrites: failed,
    expected,
    delivered: sink.count,
    msgsPerSecond: sink.count / elapsed,
    p50: percentile(sink.latencies, 50),
    p99: percentile(sink.latencies, 99),
    writeSeconds: round((writesDone - started) / 1000, 3),
    seconds: round(elapsed, 3),
  };
}

/** A process's resident set size in kB (/proc/<pid>/status VmRSS). */
function rssKb(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

/** 50 ENTERPRISE accounts, each with an AUDIT_WRITE key (created once per run). */
function tenThousandAccounts(ctx, graphqlUrl) {
  return ctx.data('fanout-10k', async () => {
    ctx.log(`  seeding: ${ACCOUNTS_10K} fan-out accounts with an AUDIT_WRITE key each`);
    // `keyledger bootstrap` in this process: fifty CLI processes take minutes on two cores.
    const { runCli } = require(path.join(ROOT, 'dist/src/cli.js'));
    const env = { ...process.env, DATABASE_URL: ctx.db.url, SESSION_SECRET: seed.SESSION_SECRET, LOG_LEVEL: 'warn' };
    const accounts = await mapLimit([...Array(ACCOUNTS_10K).keys()], 4, async (i) => {
      const email = `fanout-${i + 1}-${process.pid}@bench.test`;
      const args = [
        'bootstrap',
        '--account',
        `Fanout ${i + 1}`,
        '--email',
        email,
        '--plan',
        'ENTERPRISE',
        '--ttl',
        '8h',
      ];
      return { ...JSON.parse(await runCli(args, env)), email };
    });
    return mapLimit(accounts, 4, async (account) => {
      const key = await createApiKey(graphqlUrl, account.token, {
        name: 'fan-out bench writer',
        purpose: 'LONG_RUNNING_WORKFLOW',
        scopes: ['AUDIT_WRITE'],
        expiresAt: null,
      });
      return { ...account, writeKey: key.secret };
    });
  });
}

/** One recordAuditEvents call's body: `count` host-product events, occurred now. */
function ingestBody(count) {
  const occurredAt = new Date().toISOString();
  const events = Array.from({ length: count }, (_, i) => ({
    action: 'invoice.paid',
    actor: { type: 'USER', id: `usr_${1000 + i}`, display: `customer${i}@host.example` },
    target: { type: 'invoice', id: `inv_${50000 + i}`, display: `Invoice ${50000 + i}` },
    occurredAt,
    metadata: { amount: 1200 + i, currency: 'EUR' },
  }));
  return { input: { events } };
}

/**
 * Runs a burst (`write(i)` for every account, BURST_CONCURRENCY at a time) and waits
 * until the worker's sockets received every message (or nothing moved for 3 s).
 */
async function burst10k(worker, write, pid, perAccount) {
  await worker.call('reset');
  const cpuBefore = cpuMs(pid);
  const started = nowMs();
  let failed = 0;
  await mapLimit([...Array(ACCOUNTS_10K).keys()], BURST_CONCURRENCY, (i) => write(i).catch(() => (failed += 1)));
  const expected = (ACCOUNTS_10K - failed) * (SOCKETS_10K / ACCOUNTS_10K) * perAccount;
  let stats = await worker.call('stats');
  let last = -1;
  let still = nowMs();
  while (stats.count < expected) {
    if (stats.count !== last) {
      last = stats.count;
      still = nowMs();
    } else if (nowMs() - still > 3000) break;
    await sleep(25);
    stats = await worker.call('stats');
  }
  const cpu = cpuMs(pid) - cpuBefore;
  return {
    expected,
    delivered: stats.count,
    failedWrites: failed,
    msgsPerSecond: stats.count / ((stats.lastAt - started) / 1000),
    cpuUsPerMessage: (1000 * cpu) / stats.count,
    seconds: round((stats.lastAt - started) / 1000, 3),
    errors: stats.errors,
  };
}

/** The 10,000-socket part of the scenario (see the header). */
async function tenThousand(ctx) {
  const perAccount = SOCKETS_10K / ACCOUNTS_10K;
  const keyledger = await ctx.keyledger('keyledger-fanout-10k', { WS_MAX_SUBSCRIPTIONS_PER_ACCOUNT: '5000' });
  const raw = await ctx.baseline('raw-ws-broadcast-10k', 'raw-ws-broadcast.cjs');
  const accounts = await tenThousandAccounts(ctx, keyledger.graphqlUrl);
  const kWorker = startSocketWorker();
  const bWorker = startSocketWorker();
  try {
    const kBase = rssKb(keyledger.pid);
    ctx.log(`  opening ${SOCKETS_10K} keyledger sockets (one subscription each, ${perAccount} per account)`);
    let t0 = nowMs();
    await kWorker.call('graphql-ws', {
      url: keyledger.graphqlUrl.replace(/^http/, 'ws'),
      query: DOCS.AuditEventStream,
      groups: accounts.map((account) => ({ token: account.token, sockets: perAccount })),
    });
    await waitForSubscriptions(keyledger, SOCKETS_10K, { errors: [] }, 60_000);
    const kConnected = rssKb(keyledger.pid);
    ctx.log(`  ... in ${((nowMs() - t0) / 1000).toFixed(1)} s; keyledger RSS ${kBase} → ${kConnected} kB`);

    const bBase = rssKb(raw.pid);
    t0 = nowMs();
    ctx.log(`  opening ${SOCKETS_10K} raw sockets in ${ACCOUNTS_10K} rooms`);
    await bWorker.call('raw', { url: `${raw.url.replace(/^http/, 'ws')}/`, rooms: ACCOUNTS_10K, sockets: SOCKETS_10K });
    const bConnected = rssKb(raw.pid);
    ctx.log(`  ... in ${((nowMs() - t0) / 1000).toFixed(1)} s; raw RSS ${bBase} → ${bConnected} kB`);

    const kWrite = async (i, count = BURST_10K) => {
      const { status, body } = await gql(
        keyledger.graphqlUrl,
        DOCS.RecordAuditEvents,
        ingestBody(count),
        accounts[i].writeKey,
      );
      if (status !== 200 || body.errors) throw new Error(JSON.stringify(body.errors ?? body));
    };
    // The baseline broadcasts the very message keyledger delivers.
    await kWorker.call('reset');
    await kWrite(0, 1);
    let sample;
    for (let tries = 0; tries < 200 && !sample; tries++) {
      await sleep(25);
      sample = (await kWorker.call('sample')).sample;
    }
    if (!sample) throw new Error('no keyledger message captured');
    const template = sample.replace(/"occurredAt":"[^"]+"/, '"occurredAt":"__OCCURRED_AT__"');
    const bWrite = async (i) => {
      const response = await fetch(`${raw.url}/publish?room=${i}&count=${BURST_10K}`, {
        method: 'POST',
        body: template,
      });
      if (!response.ok) throw new Error(`publish ${response.status}`);
      await response.text();
    };

    const samples = await ctx.alternate(
      [
        { name: 'keyledger-10k', measure: () => burst10k(kWorker, kWrite, keyledger.pid, BURST_10K) },
        { name: 'raw-ws-10k', measure: () => burst10k(bWorker, bWrite, raw.pid, BURST_10K) },
      ],
      { value: (s) => s.msgsPerSecond },
    );
    for (const [name, list] of Object.entries(samples)) {
      for (const s of list) {
        ctx.log(
          `  ${name}: burst ${s.delivered}/${s.expected} msgs in ${s.seconds} s, ${Math.round(s.msgsPerSecond)}/s`,
        );
        if (s.delivered < s.expected) ctx.log(`  warning: ${name} lost messages (${s.errors.join('; ')})`);
      }
    }
    const kAfter = rssKb(keyledger.pid);
    const bAfter = rssKb(raw.pid);
    ctx.log(`  RSS after the bursts: keyledger ${kAfter} kB, raw ${bAfter} kB`);
    (ctx.detail[ctx.scenario.name] ??= {}).rss10k = { kBase, kConnected, kAfter, bBase, bConnected, bAfter };
    const med = (name, field) => ctx.median(samples[name].map((s) => s[field]));
    const scenario = '4 live fan-out';
    const sockets = `${SOCKETS_10K.toLocaleString('en-US')} sockets, ${ACCOUNTS_10K} accounts`;
    ctx.record(
      resultRow({
        scenario,
        metric: `server RSS growth per socket, kB, subscribed and idle (${sockets})`,
        keyledger: (kConnected - kBase) / SOCKETS_10K,
        baseline: (bConnected - bBase) / SOCKETS_10K,
        target: 30,
        direction: 'lower',
        absolute: true,
        unit: 'kB',
      }),
    );
    ctx.record(
      resultRow({
        scenario,
        metric: `server RSS growth per socket, kB, after the bursts (${sockets})`,
        keyledger: (kAfter - kBase) / SOCKETS_10K,
        baseline: (bAfter - bBase) / SOCKETS_10K,
        target: null,
        direction: 'lower',
      }),
    );
    ctx.record(
      resultRow({
        scenario,
        metric: `burst: delivered msgs/s (${sockets})`,
        keyledger: med('keyledger-10k', 'msgsPerSecond'),
        baseline: med('raw-ws-10k', 'msgsPerSecond'),
        target: 0.8,
        direction: 'higher',
      }),
    );
    ctx.record(
      resultRow({
        scenario,
        metric: `burst: server CPU µs per delivered message (${sockets})`,
        keyledger: med('keyledger-10k', 'cpuUsPerMessage'),
        baseline: med('raw-ws-10k', 'cpuUsPerMessage'),
        target: null,
        direction: 'lower',
      }),
    );
  } finally {
    await Promise.all([kWorker.call('close').catch(() => undefined), bWorker.call('close').catch(() => undefined)]);
    await Promise.all([kWorker.stop(), bWorker.stop()]);
  }
}

module.exports = {
  rounds: 3, // a round is long (a 100-event burst to 1,000 subscribers; a 1M-row export)
  name: 'fanout',
  title:
    '1,000 graphql-ws subscribers on one account: steady and burst writes; msgs/s and commit-to-delivery latency vs raw ws broadcast; then 10,000 sockets over 50 accounts: RSS per socket and burst msgs/s',
  async run(ctx) {
    const part = process.env.BENCH_FANOUT_PART;
    if (part !== '10k') await thousand(ctx);
    if (part !== '1k') await tenThousand(ctx);
  },
};

/** The 1,000-subscriber part of the scenario (see the header). */
async function thousand(ctx) {
  const account = await fanoutAccount(ctx);
  const keyledger = await ctx.keyledger('keyledger-fanout', { WS_MAX_SUBSCRIPTIONS_PER_ACCOUNT: '5000' });
  const raw = await ctx.baseline('raw-ws-broadcast', 'raw-ws-broadcast.cjs');

  const kSink = new Sink();
  const perConnection = SUBSCRIBERS / CONNECTIONS;
  ctx.log(`  opening ${SUBSCRIBERS} keyledger subscriptions over ${CONNECTIONS} connections`);
  const kSubs = await openSubscribers(keyledger, [{ token: account.token, subscriptions: SUBSCRIBERS }], {
    perConnection,
    sink: kSink,
  });

  ctx.log(`  opening ${SUBSCRIBERS} raw sockets`);
  const bSink = new Sink();
  const wsUrl = `${raw.url.replace(/^http/, 'ws')}/`;
  const bSockets = await mapLimit([...Array(SUBSCRIBERS).keys()], 50, () => connectRaw(wsUrl, bSink));

  try {
    let value = 0;
    // A distinct value per write: concurrent writes on one account never no-op.
    const kWrite = async () => {
      value = (value % 365) + 1;
      const { status, body } = await gql(
        keyledger.graphqlUrl,
        DOCS.UpdateAccountSettings,
        { input: { defaultKeyLifetimeDays: value } },
        account.token,
      );
      if (status !== 200 || body.errors) throw new Error(JSON.stringify(body.errors ?? body));
    };

    // The baseline broadcasts the very message keyledger delivers.
    await phase(kSink, kWrite, { events: 1, concurrency: 1, pid: keyledger.pid });
    if (!kSink.sample) throw new Error('no keyledger message captured');
    const template = kSink.sample.replace(/"occurredAt":"[^"]+"/, '"occurredAt":"__OCCURRED_AT__"');
    ctx.log(`  payload: ${template.length} B per message`);
    const bWrite = async () => {
      const response = await fetch(`${raw.url}/publish`, { method: 'POST', body: template });
      if (!response.ok) throw new Error(`publish ${response.status}`);
      await response.text();
    };

    const steadyEvents = Math.max(1, Math.round(STEADY_RATE * ctx.opts.duration));
    const run = (sink, write, pid) => async (roundIndex) => {
      if (roundIndex < 0) {
        return phase(sink, write, {
          events: Math.max(5, Math.round(STEADY_RATE * ctx.opts.warmup)),
          rate: STEADY_RATE,
          pid,
        });
      }
      const steady = await phase(sink, write, { events: steadyEvents, rate: STEADY_RATE, pid });
      await sleep(200);
      const burst = await phase(sink, write, { events: BURST, concurrency: BURST_CONCURRENCY, pid });
      return { steady, burst, errors: sink.errors.slice(0, 3) };
    };
    const samples = await ctx.alternate(
      [
        { name: 'keyledger', measure: run(kSink, kWrite, keyledger.pid) },
        { name: 'raw-ws', measure: run(bSink, bWrite, raw.pid) },
      ],
      { value: (s) => s.burst?.msgsPerSecond ?? s.msgsPerSecond },
    );
    for (const [name, list] of Object.entries(samples)) {
      for (const s of list) {
        ctx.log(
          `  ${name}: steady ${s.steady.delivered}/${s.steady.expected} msgs, ${Math.round(s.steady.msgsPerSecond)}/s, p50 ${s.steady.p50?.toFixed(1)} ms, p99 ${s.steady.p99?.toFixed(1)} ms; burst ${s.burst.delivered}/${s.burst.expected} msgs, ${Math.round(s.burst.msgsPerSecond)}/s, p50 ${s.burst.p50?.toFixed(1)} ms, p99 ${s.burst.p99?.toFixed(1)} ms (writes ${s.burst.writeSeconds} s)`,
        );
        if (s.steady.delivered < s.steady.expected || s.burst.delivered < s.burst.expected) {
          ctx.log(`  warning: ${name} lost messages (${s.errors.join('; ')})`);
        }
      }
    }
    const med = (name, phaseName, field) => ctx.median(samples[name].map((s) => s[phaseName][field]));
    /** @type {Array<[string, string, string, number | null, string]>} */
    const rows = [
      ['burst: delivered msgs/s', 'burst', 'msgsPerSecond', 0.9, 'higher'],
      [`steady ${STEADY_RATE} ev/s: p99 commit→delivery ms`, 'steady', 'p99', 4, 'lower'],
      [`steady ${STEADY_RATE} ev/s: p50 commit→delivery ms`, 'steady', 'p50', null, 'lower'],
      [`steady ${STEADY_RATE} ev/s: delivered msgs/s`, 'steady', 'msgsPerSecond', null, 'higher'],
      ['burst: p99 commit→delivery ms', 'burst', 'p99', null, 'lower'],
      ['burst: server CPU µs per delivered message', 'burst', 'cpuUsPerMessage', null, 'lower'],
    ];
    for (const [metric, phaseName, field, target, direction] of rows) {
      ctx.record(
        resultRow({
          scenario: '4 live fan-out',
          metric: `${metric} (1,000 subs)`,
          keyledger: med('keyledger', phaseName, field),
          baseline: med('raw-ws', phaseName, field),
          target,
          direction,
        }),
      );
    }
  } finally {
    await kSubs.close();
    await Promise.all(bSockets.map((socket) => socket.close()));
  }
}
