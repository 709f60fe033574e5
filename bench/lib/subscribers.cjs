'use strict';
// Many graphql-ws subscribers to keyledger's audit feed, and waiting until the
// server has registered them (its /metrics gauge keyledger_ws_subscriptions).

const { DOCS } = require('./seed.cjs');
const { Sink, connectGraphqlWs } = require('./wsclient.cjs');
const { mapLimit, sleep } = require('./util.cjs');

/**
 * `groups` = [{ token, subscriptions }]: each group's subscriptions are spread over
 * connections of at most `perConnection`. Returns { sink, connections, count, close() }.
 */
async function openSubscribers(server, groups, { perConnection = 10, sink = new Sink() } = {}) {
  const wsUrl = server.graphqlUrl.replace(/^http/, 'ws');
  const plan = [];
  for (const { token, subscriptions } of groups) {
    for (let left = subscriptions; left > 0; left -= perConnection)
      plan.push({ token, n: Math.min(perConnection, left) });
  }
  const connections = await mapLimit(plan, 20, async ({ token, n }) => {
    const connection = await connectGraphqlWs(wsUrl, token, sink);
    for (let i = 0; i < n; i++) connection.subscribe(DOCS.AuditEventStream, {});
    return connection;
  });
  const count = plan.reduce((sum, { n }) => sum + n, 0);
  await waitForSubscriptions(server, count, sink);
  return {
    sink,
    connections,
    count,
    close: () => Promise.all(connections.map((connection) => connection.close())),
  };
}

/** The bearer token bench servers read /metrics with (the service serves it only with one). */
const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';

async function subscriptionGauge(server) {
  const response = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` },
  });
  const text = await response.text();
  const match = /^keyledger_ws_subscriptions (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

async function waitForSubscriptions(server, count, sink, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await subscriptionGauge(server);
    if (live >= count) return;
    if (sink.errors.length > 0) throw new Error(`subscribe refused: ${sink.errors.slice(0, 3).join('; ')}`);
    if (Date.now() > deadline)
      throw new Error(`only ${live} of ${count} subscriptions registered after ${timeoutMs} ms`);
    await sleep(100);
  }
}

module.exports = { BENCH_METRICS_TOKEN, openSubscribers, subscriptionGauge, waitForSubscriptions };
