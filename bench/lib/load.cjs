'use strict';
// HTTP load: one-off GraphQL calls (setup, sanity checks) and autocannon runs.

const autocannon = require('autocannon');
const { median, percentile } = require('./util.cjs');

/** One GraphQL call over HTTP; throws on transport errors, returns { status, body }. */
async function gql(url, query, variables, token, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: response.status, body };
}

/** Like gql, but throws unless the response has data and no errors. */
async function gqlOk(url, query, variables, token) {
  const { status, body } = await gql(url, query, variables, token);
  if (status !== 200 || body.errors || !body.data) {
    throw new Error(`GraphQL call failed (${status}): ${JSON.stringify(body).slice(0, 800)}`);
  }
  return body.data;
}

/**
 * One autocannon run. `requests` (autocannon's request sequence) or `body`/`headers`;
 * `setupClient` customises each connection. Counts responses whose body carries
 * GraphQL `errors` as failures. Returns requests/s of successful responses and latencies.
 *
 * @param {{ url: string, connections: number, duration: number, body?: string, headers?: Record<string, string>,
 *   requests?: object[], setupClient?: (client: any) => void, method?: string, keepLatencies?: boolean }} options
 */
function cannon({
  url,
  connections,
  duration,
  body,
  headers = {},
  requests,
  setupClient,
  method = 'POST',
  keepLatencies = false,
}) {
  return new Promise((resolve, reject) => {
    let graphqlErrors = 0;
    const latencies = [];
    const checkBody = (status, responseBody) => {
      if (status === 200 && responseBody.includes('"errors"')) graphqlErrors += 1;
    };
    const sequence = (requests ?? [{ method, body, headers }]).map((request) => ({
      method,
      ...request,
      headers: { 'content-type': 'application/json', ...headers, ...(request.headers ?? {}) },
      onResponse: checkBody,
    }));
    const instance = autocannon(
      { url, connections, duration, requests: sequence, setupClient, timeout: 30 },
      (error, result) => {
        if (error) return reject(error);
        const ok = result['2xx'] - graphqlErrors;
        resolve({
          rps: ok / result.duration,
          ok,
          durationSeconds: result.duration,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          graphqlErrors,
          p50: keepLatencies ? percentile(latencies, 50) : result.latency.p50,
          p99: keepLatencies ? percentile(latencies, 99) : result.latency.p99,
          latencies: keepLatencies ? latencies : undefined,
        });
      },
    );
    if (keepLatencies) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode === 200) latencies.push(responseTime);
      });
    }
  });
}

/** Fails loudly when a run had transport or GraphQL errors (a broken run measures nothing). */
function assertClean(label, result, tolerance = 0) {
  const bad = result.non2xx + result.errors + result.graphqlErrors;
  if (bad > tolerance) {
    throw new Error(
      `${label}: ${result.non2xx} non-2xx, ${result.errors} errors/timeouts, ${result.graphqlErrors} GraphQL errors in ${result.ok} requests`,
    );
  }
}

module.exports = { gql, gqlOk, cannon, assertClean, median };
