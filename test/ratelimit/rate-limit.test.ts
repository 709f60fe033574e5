import { randomInt } from 'node:crypto';
import { print } from 'graphql';
import { Redis } from 'ioredis';
import { AuditEventStreamDocument, CreateApiKeyDocument, ViewerDocument } from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { parseTrustProxy, rateLimitKeyOf, resolveClientIp } from '../../src/ratelimit/client-ip';
import {
  errorCodes,
  startTestEnv,
  type GraphQLErrorShape,
  type Instance,
  type SeededAccount,
  type TestEnv,
} from '../support/harness';
import { createTestDatabase } from '../support/database';
import { serviceEnv, startService, stopServices, type ChildService } from '../support/processes';
import { sleep } from '../support/wait';
import { connectWs, type WsConnection } from '../support/ws';
import { countStatuses, freshIp, remainingOf, typename, withConcurrency } from './support';

/**
 * The per-client-IP rate limit: a budget shared by every instance
 * (PostgreSQL or Redis store), exact at the limit, the IETF RateLimit headers, 429 over the limit,
 * the client address behind trusted proxies (TRUST_PROXY), IPv6 per /64, and
 * the same budget spent by WebSocket connects and subscribes.
 *
 * Budgets are isolated per test by the client address: the instances trust
 * one proxy hop and each test sends its own X-Forwarded-For addresses.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';

describe('client address and rate-limit key', () => {
  it('keys IPv6 clients by their /64 and IPv4 clients by their address', () => {
    expect(rateLimitKeyOf('2001:db8:1:2:aaaa::1')).toBe(rateLimitKeyOf('2001:db8:1:2:bbbb::2'));
    expect(rateLimitKeyOf('2001:db8:1:2:aaaa::1')).toBe(rateLimitKeyOf('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(rateLimitKeyOf('2001:db8:1:3::1')).not.toBe(rateLimitKeyOf('2001:db8:1:2::1'));
    expect(rateLimitKeyOf('2001:db8:1:2::')).toBe(rateLimitKeyOf('2001:db8:1:2::1'));
    expect(rateLimitKeyOf('::1')).toBe('0000:0000:0000:0000::/64');
    expect(rateLimitKeyOf('::1')).not.toBe(rateLimitKeyOf('2001:db8:1:2::1'));
    expect(rateLimitKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitKeyOf('203.0.113.8')).not.toBe(rateLimitKeyOf('203.0.113.7'));
  });

  it('believes X-Forwarded-For only as far as TRUST_PROXY says', () => {
    const none = parseTrustProxy(undefined);
    expect(resolveClientIp('127.0.0.1', '203.0.113.7', none)).toBe('127.0.0.1');
    expect(resolveClientIp('::ffff:127.0.0.1', undefined, none)).toBe('127.0.0.1');

    const oneHop = parseTrustProxy('1');
    expect(resolveClientIp('127.0.0.1', '198.51.100.1, 203.0.113.7', oneHop)).toBe('203.0.113.7');
    expect(resolveClientIp('127.0.0.1', ['198.51.100.1', '203.0.113.7'], oneHop)).toBe('203.0.113.7');
    expect(resolveClientIp('127.0.0.1', '[2001:db8::5]', oneHop)).toBe('2001:db8::5');
    expect(resolveClientIp('127.0.0.1', undefined, oneHop)).toBe('127.0.0.1');
    expect(resolveClientIp('127.0.0.1', '', oneHop)).toBe('127.0.0.1');
    // A garbage entry where the client should be falls back to the socket peer, never to the garbage.
    expect(resolveClientIp('127.0.0.1', 'not-an-address', oneHop)).toBe('127.0.0.1');
    expect(resolveClientIp('127.0.0.1', '203.0.113.7, <script>', oneHop)).toBe('127.0.0.1');

    const proxies = parseTrustProxy('127.0.0.1/32, 10.0.0.0/8');
    expect(resolveClientIp('127.0.0.1', '198.51.100.23, 10.1.2.3', proxies)).toBe('198.51.100.23');
    expect(resolveClientIp('127.0.0.1', '198.51.100.1, 203.0.113.9, 10.1.2.3', proxies)).toBe('203.0.113.9');
    // A client that is not a trusted proxy cannot forge its address.
    expect(resolveClientIp('203.0.113.50', '198.51.100.23', proxies)).toBe('203.0.113.50');
    // An invalid entry stops the walk at the last address that was valid.
    expect(resolveClientIp('127.0.0.1', 'bogus, 10.1.2.3', proxies)).toBe('10.1.2.3');
    expect(resolveClientIp('127.0.0.1', 'bogus', proxies)).toBe('127.0.0.1');
  });

  it('parses TRUST_PROXY and names a bad entry', () => {
    expect(parseTrustProxy('').kind).toBe('none');
    expect(parseTrustProxy('false').kind).toBe('none');
    expect(parseTrustProxy('2')).toEqual({ kind: 'hops', hops: 2 });
    expect(parseTrustProxy('10.0.0.0/8, fd00::/8, 192.0.2.1').kind).toBe('cidrs');
    expect(() => parseTrustProxy('not-an-ip')).toThrow(/not-an-ip/);
    expect(() => parseTrustProxy('10.0.0.0/8, 10.0.0.300')).toThrow(/10\.0\.0\.300/);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/10\.0\.0\.0\/33/);
    expect(() => parseTrustProxy('10.0.0.0/x')).toThrow(/prefix/);
    expect(() => parseTrustProxy('fd00::/129')).toThrow(/fd00::\/129/);
    expect(() => parseTrustProxy('-1')).toThrow();
  });
});

describe('the per-IP budget over HTTP', () => {
  let env: TestEnv;
  let owner: SeededAccount;
  beforeAll(async () => {
    // A one-minute window, as in production: 800 requests must fit in it even on a loaded machine.
    env = await startTestEnv({ RATE_LIMIT_POINTS: '800', RATE_LIMIT_WINDOW_SECONDS: '60', TRUST_PROXY: '1' });
    owner = await env.seedAccount();
  });
  afterAll(() => env?.close());

  const viewerFrom = (instance: Instance, ip: string) =>
    instance.call(ViewerDocument, {}, { token: owner.token, headers: { 'x-forwarded-for': ip } });

  it('lets 800 requests of one IP through, answers the 801st with 429, and leaves other IPs alone', async () => {
    const client = freshIp();
    const other = freshIp();
    const statuses = await withConcurrency(800, 25, async () => {
      const response = await typename(env.api.url, { 'x-forwarded-for': client });
      await response.arrayBuffer();
      return response.status;
    });
    expect(statuses.filter((status) => status === 200)).toHaveLength(800);

    const refused = await fetch(`${env.api.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${owner.token}`,
        'x-forwarded-for': client,
      },
      body: JSON.stringify({ query: print(ViewerDocument) }),
    });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-policy')).toBe('"ip";q=800;w=60');
    expect(refused.headers.get('ratelimit')).toBe(`"ip";r=0;t=${retryAfter}`);
    const body = (await refused.json()) as { data?: unknown; errors: GraphQLErrorShape[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      { message: expect.stringMatching(/rate limit/i), extensions: { code: 'RATE_LIMITED', retryAfter } },
    ]);

    const neighbour = await viewerFrom(env.api, other);
    expect(neighbour.status).toBe(200);
    expect(neighbour.errors).toBeUndefined();
    expect(remainingOf(neighbour.headers.get('ratelimit'))).toBe(799);
  });

  it('lets the client through again once the window has passed', async () => {
    const short = await env.startInstance({ RATE_LIMIT_POINTS: '2', RATE_LIMIT_WINDOW_SECONDS: '2' });
    const client = freshIp();
    expect((await viewerFrom(short, client)).status).toBe(200);
    expect((await viewerFrom(short, client)).status).toBe(200);
    const refused = await viewerFrom(short, client);
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect(refused.headers.get('ratelimit-policy')).toBe('"ip";q=2;w=2');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);

    await sleep(retryAfter * 1000 + 100);
    const again = await viewerFrom(short, client);
    expect(again.status).toBe(200);
    expect(again.errors).toBeUndefined();
    expect(remainingOf(again.headers.get('ratelimit'))).toBe(1);
  });

  it('shows the policy and a decreasing remaining count on every answered request', async () => {
    const client = freshIp();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await viewerFrom(env.api, client));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit-policy')).toBe('"ip";q=800;w=60');
    }
    expect(answers.map((answer) => remainingOf(answer.headers.get('ratelimit')))).toEqual([799, 798, 797]);
    // Errors spend a point too: an anonymous call is answered, and counted.
    const anonymous = await env.api.call(ViewerDocument, {}, { headers: { 'x-forwarded-for': client } });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(remainingOf(anonymous.headers.get('ratelimit'))).toBe(796);
  });

  it('gives each of many simultaneous requests its own remaining count', async () => {
    const client = freshIp();
    const remaining = await withConcurrency(60, 60, async () => {
      const response = await typename(env.api.url, { 'x-forwarded-for': client });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      return remainingOf(response.headers.get('ratelimit'));
    });
    expect([...remaining].sort((a, b) => b - a)).toEqual(Array.from({ length: 60 }, (_, i) => 799 - i));
  });

  it('never limits /healthz, /readyz and /metrics, and sends them no RateLimit headers', async () => {
    const metricsToken = 'metrics-token-of-the-rate-limit-tests';
    const tiny = await env.startInstance({
      RATE_LIMIT_POINTS: '2',
      RATE_LIMIT_WINDOW_SECONDS: '60',
      METRICS_TOKEN: metricsToken,
    });
    const client = freshIp();
    for (let i = 0; i < 2; i++) expect((await typename(tiny.url, { 'x-forwarded-for': client })).status).toBe(200);
    expect((await typename(tiny.url, { 'x-forwarded-for': client })).status).toBe(429);

    for (const route of ['/healthz', '/readyz', '/metrics']) {
      for (let i = 0; i < 5; i++) {
        for (const headers of [{ 'x-forwarded-for': client }, {}] as Record<string, string>[]) {
          const authorization: Record<string, string> =
            route === '/metrics' ? { authorization: `Bearer ${metricsToken}` } : {};
          const response = await fetch(`${tiny.url}${route}`, { headers: { ...headers, ...authorization } });
          expect(response.status).toBe(200);
          expect(response.headers.get('ratelimit')).toBeNull();
          expect(response.headers.get('ratelimit-policy')).toBeNull();
          expect(response.headers.get('retry-after')).toBeNull();
          await response.arrayBuffer();
        }
      }
    }
    // ... and they did not spend anything: the client is still exactly at its limit.
    expect((await typename(tiny.url, { 'x-forwarded-for': client })).status).toBe(429);
  });

  describe('TRUST_PROXY', () => {
    it('without it, a forged X-Forwarded-For changes nothing: the socket address pays', async () => {
      const direct = await env.startInstance({
        TRUST_PROXY: '',
        RATE_LIMIT_POINTS: '3',
        RATE_LIMIT_WINDOW_SECONDS: '60',
      });
      const statuses = [];
      for (const forged of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', undefined]) {
        const response = await typename(direct.url, forged ? { 'x-forwarded-for': forged } : {});
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);

      const owner2 = await env.seedAccount();
      const direct2 = await env.startInstance({ TRUST_PROXY: '' });
      await direct2.call(
        CreateApiKeyDocument,
        { input: { name: 'forged', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
        { token: owner2.token, headers: { 'x-forwarded-for': '203.0.113.99' } },
      );
      expect(await auditIp(env, owner2.accountId)).toBe('127.0.0.1');
    });

    it('with one trusted hop, uses the rightmost X-Forwarded-For entry', async () => {
      const proxied = await env.startInstance({ RATE_LIMIT_POINTS: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
      const client = freshIp();
      const other = freshIp();
      // Whatever the client puts on the left, the address the proxy appended decides the budget.
      const spent = [];
      for (const forged of ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4']) {
        spent.push((await typename(proxied.url, { 'x-forwarded-for': `${forged}, ${client}` })).status);
      }
      expect(spent).toEqual([200, 200, 200, 429]);
      // A client naming the exhausted address on the left is someone else.
      expect((await typename(proxied.url, { 'x-forwarded-for': `${client}, ${other}` })).status).toBe(200);

      const owner2 = await env.seedAccount();
      await proxied.call(
        CreateApiKeyDocument,
        { input: { name: 'one hop', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
        { token: owner2.token, headers: { 'x-forwarded-for': `203.0.113.200, ${other}` } },
      );
      expect(await auditIp(env, owner2.accountId)).toBe(other);
    });

    it('with a CIDR list, uses the first untrusted address from the right', async () => {
      const proxied = await env.startInstance({
        TRUST_PROXY: '127.0.0.1/32,10.0.0.0/8',
        RATE_LIMIT_POINTS: '3',
        RATE_LIMIT_WINDOW_SECONDS: '60',
      });
      const client = freshIp();
      const other = freshIp();
      const spent = [];
      for (const chain of [
        `${client}, 10.1.2.3`,
        `${client}, 10.9.9.9, 10.1.2.3`,
        `${client}`,
        `${client}, 10.1.2.3`,
      ]) {
        spent.push((await typename(proxied.url, { 'x-forwarded-for': chain })).status);
      }
      expect(spent).toEqual([200, 200, 200, 429]);
      // An untrusted hop to the right of the exhausted address is the client now.
      expect((await typename(proxied.url, { 'x-forwarded-for': `${client}, ${other}, 10.1.2.3` })).status).toBe(200);

      const owner2 = await env.seedAccount();
      await proxied.call(
        CreateApiKeyDocument,
        { input: { name: 'cidr', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
        { token: owner2.token, headers: { 'x-forwarded-for': `192.0.2.77, 10.1.2.3` } },
      );
      expect(await auditIp(env, owner2.accountId)).toBe('192.0.2.77');
    });
  });

  describe('over WebSocket', () => {
    it('closes a connection_init beyond the budget with 4429', async () => {
      const tiny = await env.startInstance({ RATE_LIMIT_POINTS: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
      const client = freshIp();
      const sockets: WsConnection[] = [];
      try {
        const acked = [];
        for (let i = 0; i < 3; i++) {
          sockets.push(connectFrom(tiny, owner.token, client));
          acked.push(await sockets[i]!.acked);
        }
        expect(acked).toEqual([true, true, true]);
        sockets.push(connectFrom(tiny, owner.token, client));
        expect(await sockets[3]!.acked).toBe(false);
        expect(await sockets[3]!.closed).toMatchObject({
          code: 4429,
          reason: expect.stringMatching(/too many requests/i),
        });
        // The three admitted connections stay open.
        expect(sockets.slice(0, 3).map((socket) => socket.isClosed())).toEqual([false, false, false]);
        // Another address still connects.
        const neighbour = connectFrom(tiny, owner.token, freshIp());
        expect(await neighbour.acked).toBe(true);
        await neighbour.client.dispose();
      } finally {
        await Promise.all(sockets.map((socket) => socket.client.dispose()));
      }
    });

    it('refuses a subscribe beyond the budget with RATE_LIMITED and keeps the socket open', async () => {
      const tiny = await env.startInstance({ RATE_LIMIT_POINTS: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
      const premium = await env.seedAccount({ plan: Plan.PREMIUM });
      const socket = connectFrom(tiny, premium.token, freshIp());
      try {
        expect(await socket.acked).toBe(true); // 1 point
        const first = socket.subscribe(AuditEventStreamDocument); // 2
        const second = socket.subscribe(AuditEventStreamDocument); // 3
        await sleep(200);
        const third = socket.subscribe(AuditEventStreamDocument); // refused
        expect(await third.ended).toBe('error');
        expect(third.errors.map((error) => error.extensions?.code)).toEqual(['RATE_LIMITED']);
        expect(third.errors[0]!.extensions!.retryAfter).toEqual(expect.any(Number));

        // The socket is still usable: the running subscriptions get the next event, and a query is answered.
        await tiny.call(
          CreateApiKeyDocument,
          { input: { name: 'after refusal', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
          { token: premium.token, headers: { 'x-forwarded-for': freshIp() } },
        );
        await first.waitFor(1);
        await second.waitFor(1);
        expect(first.errors).toEqual([]);
        const viewer = socket.subscribe(ViewerDocument);
        expect(await viewer.ended).toBe('complete');
        expect(viewer.results).toEqual([{ viewer: expect.objectContaining({ role: 'OWNER' }) }]);
        expect(socket.isClosed()).toBe(false);
      } finally {
        await socket.client.dispose();
      }
    });
  });
});

/** The ip recorded on the account's latest audit event. */
async function auditIp(env: TestEnv, accountId: string): Promise<string | null> {
  const [row] = await env.sql<{ action: string; ip: string | null }>(
    'SELECT action, ip FROM audit_events WHERE account_id = $1 ORDER BY seq DESC LIMIT 1',
    [accountId],
  );
  expect(row?.action).toBe('api_key.created');
  return row!.ip;
}

/** A graphql-ws connection whose upgrade request carries `X-Forwarded-For: ip` (as a proxy would add it). */
function connectFrom(instance: Instance, token: string, ip: string): WsConnection {
  return connectWs(instance, token, { headers: { 'x-forwarded-for': ip } });
}

/** A `node dist/src/main.js` child on `databaseUrl` with the production budget (800 a minute) and `extra`. */
function startChild(databaseUrl: string, extra: Record<string, string>): Promise<ChildService> {
  const env = serviceEnv(databaseUrl, { RATE_LIMIT_POINTS: '800', RATE_LIMIT_WINDOW_SECONDS: '60', ...extra });
  if (!extra.REDIS_URL) delete env.REDIS_URL;
  if (!extra.TRUST_PROXY) delete env.TRUST_PROXY;
  return startService(env);
}

describe('one budget across server processes', () => {
  let database: { url: string; drop(): Promise<void> };
  let postgresPair: ChildService[];
  let redisPair: ChildService[];
  const redisClient = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

  beforeAll(async () => {
    // A database of its own: 127.0.0.1's budget in its rate_limits table is untouched.
    database = await createTestDatabase();
    const started = await Promise.all([
      startChild(database.url, {}),
      startChild(database.url, {}),
      startChild(database.url, { REDIS_URL, TRUST_PROXY: '1' }),
      startChild(database.url, { REDIS_URL, TRUST_PROXY: '1' }),
    ]);
    postgresPair = started.slice(0, 2);
    redisPair = started.slice(2);
  });
  afterAll(async () => {
    await stopServices();
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await redis.del(`rl:ip:${redisClient}`);
    } finally {
      redis.disconnect();
    }
    await database?.drop();
  });

  /** 500 requests to each service at once; the statuses, counted. */
  async function hammer(services: ChildService[], headers: Record<string, string>): Promise<Record<number, number>> {
    const statuses = await Promise.all(
      services.map((service) =>
        withConcurrency(500, 20, async () => {
          const response = await typename(service.url, headers);
          await response.arrayBuffer();
          return response.status;
        }),
      ),
    );
    return countStatuses(statuses.flat());
  }

  it('lets exactly 800 of 1000 requests through two processes sharing the PostgreSQL store', async () => {
    expect(await hammer(postgresPair, {})).toEqual({ 200: 800, 429: 200 });
  });

  it('lets exactly 800 of 1000 requests through two processes sharing the Redis store', async () => {
    expect(await hammer(redisPair, { 'x-forwarded-for': redisClient })).toEqual({ 200: 800, 429: 200 });
  });
});

describe('when its store is unreachable', () => {
  let env: TestEnv;
  let owner: SeededAccount;
  beforeAll(async () => {
    // Nothing listens on port 1: every Redis call fails at once and the in-memory insurance limiter decides.
    env = await startTestEnv({
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_POINTS: '5',
      RATE_LIMIT_WINDOW_SECONDS: '60',
      TRUST_PROXY: '1',
    });
    owner = await env.seedAccount();
  });
  afterAll(() => env?.close());

  interface Answer {
    status: number;
    viewer: string | null;
    remaining: number | null;
  }

  /** Seven requests of `ip`, one after another: what each answered. */
  async function sevenFrom(instance: Instance, ip: string): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let i = 0; i < 7; i++) {
      const result = await instance.call(
        ViewerDocument,
        {},
        { token: owner.token, headers: { 'x-forwarded-for': ip } },
      );
      answers.push({
        status: result.status,
        viewer: result.data?.viewer?.user?.id ?? null,
        remaining: result.status === 200 ? remainingOf(result.headers.get('ratelimit')) : null,
      });
    }
    return answers;
  }

  const withinBudget = (remaining: number): Answer => ({
    status: 200,
    viewer: expect.any(String) as string,
    remaining,
  });
  const refused: Answer = { status: 429, viewer: null, remaining: null };

  it('keeps answering and enforces the budget from memory, per instance', async () => {
    const second = await env.startInstance();
    const client = freshIp();
    const expected = [4, 3, 2, 1, 0].map(withinBudget).concat([refused, refused]);

    expect(await sevenFrom(env.api, client)).toEqual(expected);
    // Without the shared store, the other instance counts the same client from its own budget.
    expect(await sevenFrom(second, client)).toEqual(expected);
    expect((await sevenFrom(env.api, freshIp()))[0]).toEqual(withinBudget(4));
  });
});
