import pino from 'pino';
import { RateLimiter } from '../../src/ratelimit/rate-limiter';
import { createTestDatabase } from '../support/database';
import { startTestEnv, type Instance, type TestEnv } from '../support/harness';
import { sleep } from '../support/wait';
import { countStatuses, freshIp, remainingOf, typename, withConcurrency } from './support';

/**
 * The per-IP budget when most requests are counted in memory between store
 * calls: still exact at the limit on one instance and across two instances on
 * one database (the store decides near the limit), refusals cached only until
 * the window resets, counts flushed on shutdown, memory bounded.
 *
 * Every test spends the budget of its own client address (one trusted proxy hop).
 */

/** What one request was answered: its status and, when it passed, the remaining count it was told. */
interface Answer {
  status: number;
  remaining: number | null;
}

/** `count` requests of `ip` to `instance`, `concurrency` at a time, in order of sending. */
async function send(instance: Instance, ip: string, count: number, concurrency = 1): Promise<Answer[]> {
  return withConcurrency(count, concurrency, async () => {
    const response = await typename(instance.url, { 'x-forwarded-for': ip });
    await response.arrayBuffer();
    return {
      status: response.status,
      remaining: response.status === 200 ? remainingOf(response.headers.get('ratelimit')) : null,
    };
  });
}

const statusesOf = (answers: Answer[]) => answers.map((answer) => answer.status);

describe('the per-IP budget counted between store calls', () => {
  let env: TestEnv;
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    env = await startTestEnv({ RATE_LIMIT_POINTS: '800', RATE_LIMIT_WINDOW_SECONDS: '60', TRUST_PROXY: '1' });
    a = env.api;
    b = await env.startInstance();
  });
  afterAll(() => env?.close());

  it('counts the remaining budget down to 0 one request at a time, then answers 429 until the window ends', async () => {
    const client = freshIp();
    const answers = await send(a, client, 800);
    expect(answers.map((answer) => answer.remaining)).toEqual(Array.from({ length: 800 }, (_, i) => 799 - i));

    const refused = await typename(a.url, { 'x-forwarded-for': client });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toBe(`"ip";r=0;t=${retryAfter}`);
    expect(statusesOf(await send(a, client, 20, 5))).toEqual(new Array(20).fill(429));
  });

  it('lets 400 through one instance and 400 through the other, and refuses the 801st on both', async () => {
    const client = freshIp();
    expect(countStatuses(statusesOf(await send(a, client, 400, 10)))).toEqual({ 200: 400 });
    expect(countStatuses(statusesOf(await send(b, client, 400, 10)))).toEqual({ 200: 400 });
    expect(statusesOf(await send(a, client, 1))).toEqual([429]);
    expect(statusesOf(await send(b, client, 1))).toEqual([429]);
    // Another client is untouched by the exhausted one.
    expect(await send(b, freshIp(), 1)).toEqual([{ status: 200, remaining: 799 }]);
  });

  it('stays exact when one client alternates between the instances', async () => {
    const client = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 801; i++) statuses.push(...statusesOf(await send(i % 2 === 0 ? a : b, client, 1)));
    expect(statuses.slice(0, 800)).toEqual(new Array(800).fill(200));
    expect(statuses[800]).toBe(429);
    expect(statusesOf(await send(b, client, 1))).toEqual([429]);
  });

  it('lets exactly 800 of 1000 simultaneous requests through the two instances', async () => {
    const client = freshIp();
    const answers = await Promise.all([send(a, client, 500, 20), send(b, client, 500, 20)]);
    expect(countStatuses(statusesOf(answers.flat()))).toEqual({ 200: 800, 429: 200 });
  });

  it('keeps each of many clients on its own exact count', async () => {
    const clients = Array.from({ length: 150 }, () => freshIp());
    const answers = await withConcurrency(clients.length * 4, 40, async (index) => {
      const client = clients[index % clients.length]!;
      return { client, answer: (await send(index % 3 === 0 ? b : a, client, 1))[0]! };
    });
    for (const client of clients) {
      const own = answers.filter((entry) => entry.client === client).map((entry) => entry.answer);
      expect(own.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    }
    // One instance's counts are exact: a client that only ever talked to `a` sees 799..796, in some order.
    const single = freshIp();
    const remaining = (await send(a, single, 4, 4)).map((answer) => answer.remaining!);
    expect([...remaining].sort((x, y) => y - x)).toEqual([799, 798, 797, 796]);
  });

  it('hands the requests it counted in memory to the store when it shuts down', async () => {
    const client = freshIp();
    const leaving = await env.startInstance();
    expect(countStatuses(statusesOf(await send(leaving, client, 100, 5)))).toEqual({ 200: 100 });
    await leaving.close();
    // The next instance asked sees all 100 spent.
    expect(await send(b, client, 1)).toEqual([{ status: 200, remaining: 699 }]);
  });

  it('lets a client through again once the window has passed, after a refusal answered from memory', async () => {
    const short = await env.startInstance({ RATE_LIMIT_POINTS: '40', RATE_LIMIT_WINDOW_SECONDS: '2' });
    const client = freshIp();
    const answers = await send(short, client, 40);
    expect(answers.map((answer) => answer.remaining)).toEqual(Array.from({ length: 40 }, (_, i) => 39 - i));
    const refused = await typename(short.url, { 'x-forwarded-for': client });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(statusesOf(await send(short, client, 3))).toEqual([429, 429, 429]);

    await sleep(retryAfter * 1000 + 100);
    expect(await send(short, client, 2)).toEqual([
      { status: 200, remaining: 39 },
      { status: 200, remaining: 38 },
    ]);
  });
});

describe('one limiter on the store', () => {
  let database: { url: string; drop(): Promise<void> };
  const opened: RateLimiter[] = [];
  const open = (points: number, extra: { maxTrackedKeys?: number } = {}) => {
    const created = RateLimiter.create({
      budget: { name: 'ip', points, windowSeconds: 60 },
      databaseUrl: database.url,
      logger: pino({ enabled: false }),
      ...extra,
    });
    opened.push(created);
    return created;
  };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(opened.map((each) => each.close()));
    await database?.drop();
  });

  it('sends the requests it allowed from memory to the store when it closes', async () => {
    const client = freshIp();
    const leaving = open(800);
    expect((await leaving.consume(client)).remaining).toBe(799);
    // Answered from memory without a turn of the event loop: no flush can have run before close.
    const fromMemory = [];
    for (let i = 0; i < 10; i++) fromMemory.push(await leaving.consume(client));
    expect(fromMemory.map((decision) => decision.remaining)).toEqual(Array.from({ length: 10 }, (_, i) => 798 - i));
    await leaving.close();

    expect((await open(800).consume(client)).remaining).toBe(788);
  });

  it('remembers at most maxTrackedKeys clients, and counts the others exactly through the store', async () => {
    const limiter = open(64, { maxTrackedKeys: 5 });
    const clients = Array.from({ length: 40 }, () => freshIp());
    for (let round = 0; round < 3; round++) {
      const decisions = await Promise.all(clients.map((client) => limiter.consume(client)));
      expect(decisions.map((decision) => decision.allowed)).toEqual(new Array(40).fill(true));
      expect(decisions.map((decision) => decision.remaining)).toEqual(new Array(40).fill(63 - round));
    }
    expect(limiter.trackedKeys).toBeLessThanOrEqual(5);

    // The last client (not remembered) spends the rest of its budget one by one: the 64th passes, the 65th does not.
    const last = clients[clients.length - 1]!;
    const rest = [];
    for (let i = 0; i < 61; i++) rest.push(await limiter.consume(last));
    expect(rest.map((decision) => decision.remaining)).toEqual(Array.from({ length: 61 }, (_, i) => 60 - i));
    expect(rest.every((decision) => decision.allowed)).toBe(true);
    expect((await limiter.consume(last)).allowed).toBe(false);
    expect(limiter.trackedKeys).toBeLessThanOrEqual(5);
  });
});
