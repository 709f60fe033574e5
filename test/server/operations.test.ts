import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditEventStreamDocument, RevokeApiKeyDocument, ViewerDocument } from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { createApiKey } from '../support/fixtures';
import { errorCodes, startTestEnv, type Instance, type TestEnv } from '../support/harness';
import { MAIN_JS, runNode, stopServices, type ProcessOutput } from '../support/processes';
import { eventually, sleep } from '../support/wait';
import { connectWs } from '../support/ws';

/**
 * Running the service: Prometheus metrics, one structured log line per request
 * with no secrets in any line, configuration refused at start with a clear
 * message (graceful SIGTERM is covered in test/feed/multi-instance.test.ts).
 */
/** Every instance of this file serves /metrics to this bearer token. */
const METRICS_TOKEN = 'metrics-token-of-the-operations-tests';
let env: TestEnv;
let scratch: string;
beforeAll(async () => {
  env = await startTestEnv({ METRICS_TOKEN });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'keyledger-ops-'));
});
afterAll(async () => {
  await stopServices();
  await env?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** One sample of the Prometheus text: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(instance: Instance): Promise<Sample[]> {
  const response = await fetch(`${instance.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const samples: Sample[] = [];
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the sample `name` whose labels include `labels`; 0 when absent (an untouched counter). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value ?? 0;
}

describe('/metrics', () => {
  it('counts GraphQL requests by operation name and outcome', async () => {
    const instance = await env.startInstance();
    const owner = await env.seedAccount();
    const before = await scrape(instance);
    for (let i = 0; i < 3; i++) await instance.call(ViewerDocument, {}, { token: owner.token });
    await instance.call(ViewerDocument);
    const after = await scrape(instance);

    const ok = { operation: 'Viewer', outcome: 'ok' };
    expect(
      valueOf(after, 'keyledger_graphql_requests_total', ok) - valueOf(before, 'keyledger_graphql_requests_total', ok),
    ).toBe(3);
    expect(
      valueOf(after, 'keyledger_graphql_requests_total', { operation: 'Viewer', outcome: 'UNAUTHENTICATED' }),
    ).toBe(1);
    expect(valueOf(after, 'keyledger_graphql_request_duration_seconds_count', ok)).toBe(3);
    // Process metrics come along.
    expect(after.some((sample) => sample.name === 'keyledger_process_cpu_seconds_total')).toBe(true);
  });

  it('counts rate-limit rejections', async () => {
    const instance = await env.startInstance({ RATE_LIMIT_POINTS: '1', TRUST_PROXY: '1' });
    const headers = { 'x-forwarded-for': '198.51.100.200' };
    expect(valueOf(await scrape(instance), 'keyledger_rate_limit_rejections_total', { transport: 'http' })).toBe(0);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await instance.call(ViewerDocument, {}, { headers })).status);
    expect(statuses).toEqual([200, 429, 429]);
    expect(valueOf(await scrape(instance), 'keyledger_rate_limit_rejections_total', { transport: 'http' })).toBe(2);
  });

  it('reports open WebSocket connections and live subscriptions', async () => {
    const instance = await env.startInstance();
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const initial = await scrape(instance);
    expect(valueOf(initial, 'keyledger_ws_connections')).toBe(0);
    expect(valueOf(initial, 'keyledger_ws_subscriptions')).toBe(0);

    const ws = connectWs(instance, owner.token);
    try {
      const sub = ws.subscribe(AuditEventStreamDocument, {});
      await sleep(200);
      await createApiKey(instance, owner.token, { name: 'metered' });
      await sub.waitFor(1);
      const live = await scrape(instance);
      expect(valueOf(live, 'keyledger_ws_connections')).toBe(1);
      expect(valueOf(live, 'keyledger_ws_subscriptions')).toBe(1);
    } finally {
      await ws.dispose();
    }
    await eventually('the gauges return to 0 after the client left', async () => {
      const after = await scrape(instance);
      return valueOf(after, 'keyledger_ws_connections') === 0 && valueOf(after, 'keyledger_ws_subscriptions') === 0;
    });
  });

  it('counts audit events written, and no-op mutations add none', async () => {
    const instance = await env.startInstance();
    const owner = await env.seedAccount();
    const written = async () => valueOf(await scrape(instance), 'keyledger_audit_events_written_total');
    const start = await written();
    const key = await createApiKey(instance, owner.token, { name: 'counted' });
    expect(await written()).toBe(start + 1);
    await instance.call(RevokeApiKeyDocument, { input: { id: key.apiKey.id } }, { token: owner.token });
    expect(await written()).toBe(start + 2);
    // Revoking a revoked key writes no event.
    await instance.call(RevokeApiKeyDocument, { input: { id: key.apiKey.id } }, { token: owner.token });
    expect(await written()).toBe(start + 2);
  });

  it('reports the database pool', async () => {
    const instance = await env.startInstance();
    await instance.call(ViewerDocument, {}, { token: (await env.seedAccount()).token });
    const samples = await scrape(instance);
    const states = ['used', 'free', 'pending'].map((state) =>
      samples.find((sample) => sample.name === 'keyledger_db_pool_connections' && sample.labels.state === state),
    );
    for (const sample of states) expect(sample?.value).toEqual(expect.any(Number));
    const [used, free, pending] = states.map((sample) => sample!.value);
    expect(used! + free!).toBeGreaterThanOrEqual(1);
    expect(used! + free!).toBeLessThanOrEqual(5);
    expect(pending).toBe(0);
  });
});

describe('logs', () => {
  interface LogLine {
    msg: string;
    level: number;
    requestId?: string;
    accountId?: string;
    operationName?: string;
    durationMs?: number;
    outcome?: string;
    errorCodes?: string[];
  }

  const lines = (instance: Instance): LogLine[] =>
    instance.logs
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);

  const requestLines = (instance: Instance, requestId: string) =>
    lines(instance).filter((line) => line.requestId === requestId && line.msg === 'graphql request');

  it('writes one JSON line per GraphQL request with its id, account, operation, duration and outcome', async () => {
    const owner = await env.seedAccount();
    await env.api.call(ViewerDocument, {}, { token: owner.token, headers: { 'x-request-id': 'ops-log-ok' } });
    expect(requestLines(env.api, 'ops-log-ok')).toEqual([
      expect.objectContaining({
        requestId: 'ops-log-ok',
        accountId: owner.accountId,
        operationName: 'Viewer',
        durationMs: expect.any(Number),
        outcome: 'ok',
      }),
    ]);

    await env.api.call(ViewerDocument, {}, { headers: { 'x-request-id': 'ops-log-anonymous' } });
    expect(requestLines(env.api, 'ops-log-anonymous')).toEqual([
      expect.objectContaining({ operationName: 'Viewer', outcome: 'error', errorCodes: ['UNAUTHENTICATED'] }),
    ]);
  });

  it('writes the line also for a request refused for an invalid token', async () => {
    const refused = await env.api.call(
      ViewerDocument,
      {},
      { token: 'not-a-real-token', headers: { 'x-request-id': 'ops-log-401' } },
    );
    expect(refused.status).toBe(401);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(requestLines(env.api, 'ops-log-401')).toEqual([
      expect.objectContaining({ requestId: 'ops-log-401', outcome: 'error', durationMs: expect.any(Number) }),
    ]);
  });

  it('never logs Authorization headers or connection_init payloads', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { secret } = await createApiKey(env.api, owner.token, { name: 'streaming key', scopes: ['AUDIT_READ'] });
    const bogusKey = `kl_live_${'Z'.repeat(36)}`;

    // HTTP with a good and a bad key, a WebSocket with a good key streaming, and one with a bad key refused.
    await env.api.call(ViewerDocument, {}, { token: secret });
    await env.api.call(ViewerDocument, {}, { token: bogusKey });
    const ws = connectWs(env.api, secret);
    try {
      const sub = ws.subscribe(AuditEventStreamDocument, {});
      await sleep(200);
      await createApiKey(env.api, owner.token, { name: 'seen by the stream' });
      await sub.waitFor(1);
    } finally {
      await ws.dispose();
    }
    const refusedWs = connectWs(env.api, bogusKey);
    expect((await refusedWs.closed).code).toBe(4401);

    const text = env.api.logs.join('');
    expect(text).toContain('graphql request');
    for (const secretText of [secret, secret.slice(8), bogusKey, owner.token, 'Bearer ']) {
      expect(text).not.toContain(secretText);
    }
  });
});

describe('process lifecycle', () => {
  /** Runs `node dist/src/main.js` with only `vars` (plus PATH/HOME) in its environment. */
  function runMain(vars: Record<string, string>): Promise<ProcessOutput> {
    return runNode(MAIN_JS, [], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'warn', ...vars },
      // A service that started instead of refusing would run forever: stop it, and the assertions below say why.
      killAfterMs: 15_000,
    });
  }

  const badValues: [string, Record<string, string>][] = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['SESSION_SECRET', { SESSION_SECRET: 'short' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'not-an-ip' }],
    ['RATE_LIMIT_POINTS', { RATE_LIMIT_POINTS: '0' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['SESSION_SECRET', { NODE_ENV: 'production' }],
  ];

  it('refuses each bad configuration value with exit code 2 and one line naming the variable, before any database', async () => {
    const outcomes = await Promise.all(
      badValues.map(async ([variable, vars], index) => {
        const dataDir = path.join(scratch, `data-${index}`);
        const result = await runMain({ DATA_DIR: dataDir, ...vars });
        return { variable, vars, ...result, databaseStarted: existsSync(dataDir) };
      }),
    );
    for (const outcome of outcomes) {
      expect({
        vars: outcome.vars,
        code: outcome.code,
        stdout: outcome.stdout,
        databaseStarted: outcome.databaseStarted,
      }).toEqual({
        vars: outcome.vars,
        code: 2,
        stdout: '',
        databaseStarted: false,
      });
      expect(outcome.stderr).toMatch(
        new RegExp(`^keyledger: invalid configuration: [^\\n]*\\b${outcome.variable}\\b[^\\n]*\\n$`),
      );
    }
  });
});
