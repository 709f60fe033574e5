import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import WebSocket from 'ws';
import { ViewerDocument } from '../../src/client/generated/graphql';
import { ConfigError, loadConfig } from '../../src/config';
import { TEST_SESSION_SECRET, errorCodes, startTestEnv, type Instance, type TestEnv } from '../support/harness';
import { eventually, within } from '../support/wait';
import { connectWs, type Closed, type WsConnection } from '../support/ws';

/**
 * Attacks on the transport replayed against a real server, over HTTP and
 * WebSocket, by a caller without any credentials unless said otherwise:
 * unbounded metric series, oversized frames and too many sockets before
 * authentication, a page size hidden in a variable default, and a schema
 * that WebSocket showed in production while HTTP hid it.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const METRICS_TOKEN = 'metrics-token-of-the-transport-tests';
/** The HTTP body limit (100 kB), which also bounds a WebSocket frame. */
const BODY_LIMIT = 100 * 1024;

/** A raw document: these operations are not ones a client would ship. */
function raw(source: string): TypedDocumentNode<Record<string, unknown>, Record<string, unknown>> {
  return parse(source) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
}

/** GET /metrics with `authorization` (none when undefined). */
function getMetrics(instance: Instance, authorization?: string): Promise<Response> {
  return fetch(`${instance.url}/metrics`, { headers: authorization ? { authorization } : {} });
}

/** The Prometheus text of an instance started with this file's METRICS_TOKEN. */
async function scrape(instance: Instance): Promise<string> {
  const response = await getMetrics(instance, `Bearer ${METRICS_TOKEN}`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of the one sample `name{labels}` (labels in the order Prometheus prints them); 0 when absent. */
function sampleOf(text: string, name: string, labels = ''): number {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((each) => each.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}

/** How a raw WebSocket upgrade ended: an open `socket`, or the HTTP `status` and `body` that refused it. */
interface Upgrade {
  socket?: WebSocket;
  status?: number;
  body?: string;
}

/** Opens a bare graphql-transport-ws socket (no connection_init sent) with `headers` on the upgrade request. */
function openRaw(instance: Instance, headers: Record<string, string> = {}): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${instance.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
      headers,
    });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    socket.once('error', reject);
  });
}

/** A bare socket that the server accepted. */
async function opened(instance: Instance): Promise<WebSocket> {
  const upgrade = await openRaw(instance);
  if (!upgrade.socket) throw new Error(`upgrade refused with ${upgrade.status}: ${upgrade.body}`);
  return upgrade.socket;
}

function closedWith(socket: WebSocket): Promise<Closed> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

/** A graphql-ws connection from `ip` (the instance trusts one proxy hop), acknowledged. */
async function connectFrom(instance: Instance, token: string, ip: string): Promise<WsConnection> {
  const ws = connectWs(instance, token, { headers: { 'x-forwarded-for': ip } });
  expect(await ws.acked).toBe(true);
  return ws;
}

describe('/metrics', () => {
  it('answers 404 when no METRICS_TOKEN is configured', async () => {
    const response = await getMetrics(env.api);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('keyledger_');
  });

  it('refuses a METRICS_TOKEN shorter than 16 characters at start', () => {
    expect(() => loadConfig({ SESSION_SECRET: TEST_SESSION_SECRET, METRICS_TOKEN: 'short' })).toThrow(
      new ConfigError('METRICS_TOKEN must be at least 16 characters'),
    );
  });

  it('answers only to the bearer METRICS_TOKEN', async () => {
    const instance = await env.startInstance({ METRICS_TOKEN });
    for (const authorization of [
      undefined,
      `Bearer ${METRICS_TOKEN}x`,
      `Bearer ${METRICS_TOKEN.slice(1)}`,
      METRICS_TOKEN,
    ]) {
      const refused = await getMetrics(instance, authorization);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await refused.text()).not.toContain('keyledger_');
    }
    expect(await scrape(instance)).toContain('keyledger_graphql_requests_total');
  });

  it('labels operation names the service does not know as other: random names add no series', async () => {
    const instance = await env.startInstance({ METRICS_TOKEN });
    const owner = await env.seedAccount();
    const series = (text: string) => text.split('\n').filter((line) => line.startsWith('keyledger_graphql_'));
    const named = () => raw(`query Zz${randomBytes(8).toString('hex')} { __typename }`);

    await instance.call(named());
    await instance.call(ViewerDocument, {}, { token: owner.token });
    const before = await scrape(instance);
    for (let i = 0; i < 3; i++) expect((await instance.call(named())).errors).toBeUndefined();
    const after = await scrape(instance);

    expect(after).not.toContain('Zz');
    expect(series(after)).toHaveLength(series(before).length);
    expect(sampleOf(after, 'keyledger_graphql_requests_total', 'operation="other",outcome="ok"')).toBe(4);
    // The service's own operations keep their names.
    expect(sampleOf(after, 'keyledger_graphql_requests_total', 'operation="Viewer",outcome="ok"')).toBe(1);
  });
});

describe('WebSocket frames', () => {
  it('closes a socket with 1009 on a frame over the body limit before connection_init, and keeps serving', async () => {
    const instance = await env.startInstance({ METRICS_TOKEN });
    const owner = await env.seedAccount();
    const frame = (size: number) => {
      const init = { type: 'connection_init', payload: { authorization: `Bearer ${owner.token}`, pad: '' } };
      init.payload.pad = 'x'.repeat(size - JSON.stringify(init).length);
      const text = JSON.stringify(init);
      expect(text.length).toBe(size);
      return text;
    };

    const oversized = await opened(instance);
    const closed = closedWith(oversized);
    oversized.send(frame(BODY_LIMIT + 1));
    expect((await within(closed, 'the oversized socket closes')).code).toBe(1009);
    expect(sampleOf(await scrape(instance), 'keyledger_ws_refused_total', 'reason="message_too_large"')).toBe(1);

    // A frame at the limit is read as usual.
    const atLimit = await opened(instance);
    const acked = new Promise<string>((resolve) =>
      atLimit.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')).type)),
    );
    atLimit.send(frame(BODY_LIMIT));
    expect(await within(acked, 'a frame at the limit is answered')).toBe('connection_ack');
    atLimit.close();

    const ws = connectWs(instance, owner.token);
    try {
      expect(await ws.acked).toBe(true);
    } finally {
      await ws.dispose();
    }
    const viewer = await instance.call(ViewerDocument, {}, { token: owner.token });
    expect(viewer.errors).toBeUndefined();
  });
});

describe('WebSocket connection caps', () => {
  it('refuses a socket past WS_MAX_CONNECTIONS_PER_IP with 429 before the upgrade, and counts it', async () => {
    const instance = await env.startInstance({ METRICS_TOKEN, TRUST_PROXY: '1', WS_MAX_CONNECTIONS_PER_IP: '2' });
    const owner = await env.seedAccount();
    const open = [
      await connectFrom(instance, owner.token, '198.51.100.7'),
      await connectFrom(instance, owner.token, '198.51.100.7'),
    ];
    try {
      const refused = await openRaw(instance, { 'x-forwarded-for': '198.51.100.7' });
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body!)).toEqual({ error: expect.stringMatching(/2 .*per client/) });
      expect(sampleOf(await scrape(instance), 'keyledger_ws_refused_total', 'reason="per_ip_limit"')).toBe(1);

      // Another address is not affected.
      open.push(await connectFrom(instance, owner.token, '198.51.100.8'));

      // A closed socket frees its place.
      await open.shift()!.dispose();
      await eventually('the address gets a socket again', async () => {
        const again = await openRaw(instance, { 'x-forwarded-for': '198.51.100.7' });
        if (again.socket) again.socket.close();
        return again.socket !== undefined;
      });
    } finally {
      await Promise.all(open.map((ws) => ws.dispose()));
    }
  });

  it('refuses a socket past WS_MAX_CONNECTIONS with 503 before the upgrade, and counts it', async () => {
    const instance = await env.startInstance({ METRICS_TOKEN, TRUST_PROXY: '1', WS_MAX_CONNECTIONS: '3' });
    const owner = await env.seedAccount();
    const open: WsConnection[] = [];
    try {
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        open.push(await connectFrom(instance, owner.token, ip));
      }
      const refused = await openRaw(instance, { 'x-forwarded-for': '203.0.113.4' });
      expect(refused.status).toBe(503);
      expect(sampleOf(await scrape(instance), 'keyledger_ws_refused_total', 'reason="total_limit"')).toBe(1);
      // HTTP is not affected.
      expect((await instance.call(ViewerDocument, {}, { token: owner.token })).errors).toBeUndefined();
    } finally {
      await Promise.all(open.map((ws) => ws.dispose()));
    }
  });

  it('counts sockets that have not authenticated yet', async () => {
    const instance = await env.startInstance({ TRUST_PROXY: '1', WS_MAX_CONNECTIONS_PER_IP: '1' });
    const first = await openRaw(instance, { 'x-forwarded-for': '192.0.2.10' });
    try {
      expect(first.socket).toBeDefined();
      expect((await openRaw(instance, { 'x-forwarded-for': '192.0.2.10' })).status).toBe(429);
    } finally {
      first.socket?.close();
    }
  });
});

describe('cost limit with variable defaults', () => {
  const fields = 'id name displayKey purpose scopes status createdAt expiresAt lastUsedAt revokedAt';
  // Each page: 1 + 500 × (edges 1 + node 1 + 10 fields) = 6001; five pages 30005.
  const pages = raw(
    `query Pages($n: Int = 500) { ${['a', 'b', 'c', 'd', 'e']
      .map((alias) => `${alias}: apiKeys(first: $n) { edges { node { ${fields} } } }`)
      .join(' ')} }`,
  );

  it('counts a page size given by a variable default over HTTP', async () => {
    const owner = await env.seedAccount();
    const byDefault = await env.api.call(pages, {}, { token: owner.token });
    expect(byDefault.status).toBe(400);
    expect(errorCodes(byDefault)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(byDefault.errors![0]!.extensions).toMatchObject({ limit: 'cost', max: 25000, actual: 30005 });

    // A given value replaces the default.
    const given = await env.api.call(pages, { n: 5 }, { token: owner.token });
    expect(given.errors).toBeUndefined();
  });

  it('counts a page size given by a variable default over WebSocket', async () => {
    const owner = await env.seedAccount();
    const ws = connectWs(env.api, owner.token);
    try {
      const refused = ws.subscribe(pages, {});
      expect(await refused.ended).toBe('error');
      expect(refused.errors[0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', actual: 30005 });
    } finally {
      await ws.dispose();
    }
  });
});

describe('production mode over WebSocket', () => {
  const introspection = raw('{ __schema { types { name } } }');
  const misspelled = raw('query Typo { viewr { role } }');

  /** The errors of one operation sent over a fresh graphql-ws connection. */
  async function overWs(instance: Instance, document: typeof introspection, token: string) {
    const ws = connectWs(instance, token);
    try {
      const operation = ws.subscribe(document, {});
      const how = await operation.ended;
      return { how, errors: operation.errors, results: operation.results };
    } finally {
      await ws.dispose();
    }
  }

  it('refuses introspection and hides field suggestions over WebSocket as over HTTP', async () => {
    const owner = await env.seedAccount();
    // The development default, for contrast.
    expect((await overWs(env.api, introspection, owner.token)).how).toBe('complete');
    expect(JSON.stringify((await overWs(env.api, misspelled, owner.token)).errors)).toContain('Did you mean');

    const production = await env.startInstance({ NODE_ENV: 'production', PUBLIC_URL: 'https://keyledger.example' });
    const refused = await overWs(production, introspection, owner.token);
    expect(refused.how).toBe('error');
    expect(errorCodes(refused)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(refused.errors[0]!.message).toMatch(/introspection/i);
    expect(refused.results).toEqual([]);

    const typo = await overWs(production, misspelled, owner.token);
    expect(errorCodes(typo)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(typo.errors)).not.toContain('Did you mean');
    expect(JSON.stringify(typo.errors)).not.toContain('viewer');
  });

  it('allows introspection over WebSocket with GRAPHQL_INTROSPECTION=true', async () => {
    const owner = await env.seedAccount();
    const production = await env.startInstance({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://keyledger.example',
      GRAPHQL_INTROSPECTION: 'true',
    });
    const allowed = await overWs(production, introspection, owner.token);
    expect(allowed.how).toBe('complete');
    expect(allowed.errors).toEqual([]);
  });
});
