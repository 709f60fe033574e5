'use strict';
// 4. Live fan-out: 1,000 graphql-ws subscribers on one account (100 connections × 10
//    subscriptions; the server runs with WS_MAX_SUBSCRIPTIONS_PER_ACCOUNT=5000), events
//    written through updateAccountSettings at a steady rate and in a burst. Measures
//    delivered messages/s and commit-to-delivery latency (receive time − the event's
//    occurredAt, stamped in the writing transaction; same machine clock).
//    Baseline: bench/baselines/raw-ws-broadcast.cjs, 1,000 plain sockets, the same
//    payload (a captured keyledger `next` message), the same write schedule
//    (POST /publish instead of the mutation).

const { DOCS } = require('../lib/seed.cjs');
const { fanoutAccount } = require('../lib/datasets.cjs');
const { gql } = require('../lib/load.cjs');
const { openSubscribers } = require('../lib/subscribers.cjs');
const { Sink, connectRaw } = require('../lib/wsclient.cjs');
const { resultRow } = require('../lib/report.cjs');
const { cpuMs, mapLimit, nowMs, percentile, sleep, round } = require('../lib/util.cjs');

const SUBSCRIBERS = 1000;
const CONNECTIONS = 100;
const STEADY_RATE = Number(process.env.BENCH_FANOUT_RATE || 10); // events/s
const BURST = Number(process.env.BENCH_FANOUT_BURST || 100); // events
const BURST_CONCURRENCY = 8;

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

module.exports = {
  rounds: 3, // a round is long (a 100-event burst to 1,000 subscribers; a 1M-row export)
  name: 'fanout',
  title:
    '1,000 graphql-ws subscribers on one account: steady and burst writes; msgs/s and commit-to-delivery latency vs raw ws broadcast',
  async run(ctx) {
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
        ['burst: delivered msgs/s', 'burst', 'msgsPerSecond', 0.6, 'higher'],
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
  },
};
