import 'reflect-metadata';
import { auditCursorOf } from '../../src/audit/audit.records';
import {
  ApiKeysDocument,
  AuditEventStreamDocument,
  type AuditEventStreamSubscription,
  AuditEventsDocument,
  ChangeMemberRoleDocument,
  ChangePlanDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  UpdateAccountSettingsDocument,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, chainHeadSeq, storedEvents } from '../support/audit';
import { createApiKey, createApiKeys, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type Instance, type TestEnv } from '../support/harness';
import { eventually, sleep, within } from '../support/wait';
import { connectWsPerTest, type Subscription, type WsConnection } from '../support/ws';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

/** Opens a socket that is closed after the test, so no subscription outlives it. */
const connect = connectWsPerTest();

type Feed = Subscription<AuditEventStreamSubscription>;
type StreamedEvent = AuditEventStreamSubscription['auditEvents'];

/**
 * Setup only: waits until `instance` has registered `count` subscriptions of the account, so that a write made
 * afterwards is "after the subscription started".
 */
function subscribed(instance: Instance, accountId: string, count: number, timeoutMs = 10_000): Promise<void> {
  const registered = () => instance.app.services.feed.subscriptionCount(accountId);
  return eventually(
    () => `${count} subscriptions (have ${registered()})`,
    () => registered() >= count,
    { timeoutMs, intervalMs: 10 },
  );
}

/** Setup only: waits until `instance` holds at most `count` subscriptions of the account. */
function unsubscribedDownTo(instance: Instance, accountId: string, count: number): Promise<void> {
  const registered = () => instance.app.services.feed.subscriptionCount(accountId);
  return eventually(
    () => `at most ${count} subscriptions (have ${registered()})`,
    () => registered() <= count,
    { timeoutMs: 10_000, intervalMs: 10 },
  );
}

/** Setup only: resolves once the socket has been acknowledged (a query over it has answered). */
async function ready(socket: WsConnection): Promise<void> {
  const probe = socket.subscribe(ViewerDocument, {});
  await within(probe.ended, 'the socket to answer a query');
  expect(probe.errors).toEqual([]);
}

function events(feed: Feed): StreamedEvent[] {
  return feed.results.map((result) => result.auditEvents);
}

function seqs(feed: Feed): number[] {
  return events(feed).map((event) => event.seq);
}

function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

async function setDefaultLifetime(token: string, days: number): Promise<void> {
  const updated = await env.api.call(
    UpdateAccountSettingsDocument,
    { input: { defaultKeyLifetimeDays: days } },
    { token },
  );
  expect(updated.errors).toBeUndefined();
}

/** The cursor of the account's oldest event (seq 1), as the auditEvents query hands it out. */
async function cursorOfFirstEvent(token: string, instance: Instance = env.api): Promise<string> {
  const page = await instance.call(AuditEventsDocument, { first: 1, order: 'OLDEST_FIRST' }, { token });
  expect(page.errors).toBeUndefined();
  const [edge] = page.data!.auditEvents!.edges;
  expect(edge!.node.seq).toBe(1);
  return edge!.cursor;
}

/** Whether a subscription was refused (its `error` arrived) or runs (its first event arrived). */
async function fateOf(feed: Feed): Promise<'refused' | 'running'> {
  let refused = false;
  void feed.ended.then((how) => (refused = how === 'error'));
  await eventually('a subscription to be refused or to deliver', () => refused || feed.results.length > 0, {
    timeoutMs: 15_000,
    intervalMs: 10,
  });
  return refused ? 'refused' : 'running';
}

describe('tenant isolation', () => {
  it('gives each account’s subscriber exactly its own events while both accounts write', async () => {
    const a = await env.seedAccount({ plan: Plan.PREMIUM });
    const b = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const bKey = await createApiKey(env.api, b.token, { name: 'B dashboard', scopes: ['AUDIT_READ'] });

    const feedA = connect(env.api, a.token).subscribe(AuditEventStreamDocument, {});
    const feedB = connect(env.api, bKey.secret).subscribe(AuditEventStreamDocument, {});
    await subscribed(env.api, a.accountId, 1);
    await subscribed(env.api, b.accountId, 1);
    const headA = await chainHeadSeq(env, a.accountId);
    const headB = await chainHeadSeq(env, b.accountId);

    for (let i = 0; i < 20; i++) {
      await Promise.all([createApiKey(env.api, a.token, { name: `A key ${i}` }), setDefaultLifetime(b.token, i + 1)]);
    }
    await feedA.waitFor(20);
    await feedB.waitFor(20);
    // A last write in each account: had anything foreign slipped in, it would sit before these.
    await createApiKey(env.api, a.token, { name: 'A last' });
    await setDefaultLifetime(b.token, 30);
    await feedA.waitFor(21);
    await feedB.waitFor(21);

    expect(seqs(feedA)).toEqual(range(headA + 1, 21));
    expect(seqs(feedB)).toEqual(range(headB + 1, 21));
    const storedA = await storedEvents(env, a.accountId, headA);
    const storedB = await storedEvents(env, b.accountId, headB);
    expect(events(feedA).map((event) => event.id)).toEqual(storedA.map((event) => event.id));
    expect(events(feedB).map((event) => event.id)).toEqual(storedB.map((event) => event.id));
    const allOfA = new Set((await storedEvents(env, a.accountId)).map((event) => event.id));
    const allOfB = new Set((await storedEvents(env, b.accountId)).map((event) => event.id));
    expect(events(feedA).filter((event) => allOfB.has(event.id))).toEqual([]);
    expect(events(feedB).filter((event) => allOfA.has(event.id))).toEqual([]);
    expect(new Set(events(feedA).map((event) => event.action))).toEqual(new Set(['api_key.created']));
    expect(new Set(events(feedB).map((event) => event.action))).toEqual(new Set(['settings.updated']));
    expect(feedA.errors).toEqual([]);
    expect(feedB.errors).toEqual([]);
  });
});

describe('replay with `after`', () => {
  it('resumes after the last received event with exactly the missed and the new events, in seq order', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    // The owner has read the log already, so resuming records no audit.viewed in the middle of the replay.
    await cursorOfFirstEvent(owner.token);
    const firstSocket = connect(env.api, owner.token);
    const firstFeed = firstSocket.subscribe(AuditEventStreamDocument, {});
    await subscribed(env.api, owner.accountId, 1);
    await createApiKeys(env.api, owner.token, 10, { namePrefix: 'before' });
    await firstFeed.waitFor(10);
    const lastReceived = events(firstFeed)[9]!;
    await firstSocket.dispose();

    await createApiKeys(env.api, owner.token, 50, { namePrefix: 'offline' });
    const resumed = connect(env.api, owner.token).subscribe(AuditEventStreamDocument, { after: lastReceived.cursor });
    // Writes start together with the subscription, so some commit while the stored ones are replayed.
    await createApiKeys(env.api, owner.token, 50, { namePrefix: 'during' });
    await resumed.waitFor(100, 30_000);
    await createApiKey(env.api, owner.token, { name: 'final' });
    await resumed.waitFor(101);

    expect(resumed.errors).toEqual([]);
    expect(seqs(resumed)).toEqual(range(lastReceived.seq + 1, 101));
    expect(new Set(events(resumed).map((event) => event.id)).size).toBe(101);
    const stored = await storedEvents(env, owner.accountId, lastReceived.seq);
    expect(events(resumed).map((event) => event.id)).toEqual(stored.map((event) => event.id));
    expect(events(resumed).map((event) => event.target?.display?.split(' (')[0])).toEqual([
      ...range(0, 50).map((i) => `offline ${i}`),
      ...range(0, 50).map((i) => `during ${i}`),
      'final',
    ]);
  });

  it('accepts an edge cursor from the auditEvents query and replays everything after it', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKeys(env.api, owner.token, 3, { namePrefix: 'stored' });
    const page = await env.api.call(AuditEventsDocument, { first: 10, order: 'OLDEST_FIRST' }, { token: owner.token });
    expect(page.errors).toBeUndefined();
    const edge = page.data!.auditEvents!.edges[1]!;
    expect(edge.node.seq).toBe(2);

    const feed = connect(env.api, owner.token).subscribe(AuditEventStreamDocument, { after: edge.cursor });
    await createApiKey(env.api, owner.token, { name: 'live' });
    const head = await chainHeadSeq(env, owner.accountId);
    await feed.waitFor(head - 2);
    await sleep(100);

    expect(feed.errors).toEqual([]);
    expect(seqs(feed)).toEqual(range(3, head - 2));
    expect(events(feed).map((event) => event.action)).toEqual(
      (await storedEvents(env, owner.accountId, 2)).map((event) => event.action),
    );
    expect(events(feed).at(-1)!.target!.display).toMatch(/^live \(/);
  });

  it('refuses an invalid cursor with BAD_USER_INPUT and keeps the socket usable', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKey(env.api, owner.token, { name: 'listed' });
    const keys = await env.api.call(ApiKeysDocument, { first: 1 }, { token: owner.token });
    const keyCursor = keys.data!.apiKeys.edges[0]!.cursor;
    const socket = connect(env.api, owner.token);
    let closed = false;
    void socket.closed.then(() => (closed = true));

    const garbage = socket.subscribe(AuditEventStreamDocument, { after: 'not-a-cursor' });
    expect(await within(garbage.ended, 'the garbage cursor to be refused')).toBe('error');
    expect(errorCodes(garbage)).toEqual(['BAD_USER_INPUT']);

    const foreign = socket.subscribe(AuditEventStreamDocument, { after: keyCursor });
    expect(await within(foreign.ended, 'the api-keys cursor to be refused')).toBe('error');
    expect(errorCodes(foreign)).toEqual(['BAD_USER_INPUT']);

    const valid = socket.subscribe(AuditEventStreamDocument, { after: await cursorOfFirstEvent(owner.token) });
    await valid.waitFor(1);
    expect(seqs(valid)[0]).toBe(2);
    expect(valid.errors).toEqual([]);
    expect(closed).toBe(false);
  });

  it('without `after`, delivers only events committed after the subscription started', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKeys(env.api, owner.token, 3, { namePrefix: 'earlier' });
    const head = await chainHeadSeq(env, owner.accountId);
    const feed = connect(env.api, owner.token).subscribe(AuditEventStreamDocument, {});
    await subscribed(env.api, owner.accountId, 1);
    await sleep(200);

    await createApiKey(env.api, owner.token, { name: 'later 1' });
    await setDefaultLifetime(owner.token, 7);
    await feed.waitFor(2);
    await sleep(100);

    expect(seqs(feed)).toEqual([head + 1, head + 2]);
    expect(events(feed).map((event) => event.action)).toEqual(['api_key.created', 'settings.updated']);
  });
});

describe('recording who read the log', () => {
  it('records audit.viewed for a replay through a hand-made cursor, at most once per caller per 10 minutes', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKeys(env.api, owner.token, 2, { namePrefix: 'stored' });
    const reader = await createApiKey(env.api, owner.token, { name: 'dashboard', scopes: ['AUDIT_READ'] });
    const head = await chainHeadSeq(env, owner.accountId);
    const viewed = () => auditRows(env, owner.accountId, ['actor_type', 'actor_id'], { action: 'audit.viewed' });
    expect(await viewed()).toEqual([]);

    // The reader never read a page: it replays from a cursor it made itself.
    const socket = connect(env.api, reader.secret);
    const replay = socket.subscribe(AuditEventStreamDocument, { after: auditCursorOf(1) });
    await subscribed(env.api, owner.accountId, 1);
    const sentinel = await createApiKey(env.api, owner.token, { name: 'sentinel' });
    const reached = (feed: Feed) => () => events(feed).some((event) => event.target?.id === sentinel.id);
    await eventually('the replay to reach the sentinel', reached(replay), { timeoutMs: 10_000, intervalMs: 10 });

    expect(await viewed()).toEqual([{ actor_type: 'API_KEY', actor_id: reader.apiKey.id }]);
    // The view is recorded before the stream opens, so the replay carries it in seq order.
    expect(seqs(replay)).toEqual(range(2, head + 1));
    expect(events(replay).map((event) => event.action)).toEqual(
      (await storedEvents(env, owner.accountId, 1)).map((event) => event.action),
    );
    expect(events(replay).at(-2)!.action).toBe('audit.viewed');

    const again = socket.subscribe(AuditEventStreamDocument, { after: auditCursorOf(1) });
    await subscribed(env.api, owner.accountId, 2);
    await eventually('the second replay to reach the sentinel', reached(again), { timeoutMs: 10_000, intervalMs: 10 });
    expect(await viewed()).toEqual([{ actor_type: 'API_KEY', actor_id: reader.apiKey.id }]);
    expect(replay.errors).toEqual([]);
    expect(again.errors).toEqual([]);
  });
});

describe('exactly once', () => {
  it('delivers N writes from two instances exactly once and in seq order, and nothing more while the log is quiet', async () => {
    const revalidateMs = 100;
    const subscriberSide = await env.startInstance({ WS_REVALIDATE_MS: String(revalidateMs) });
    const otherSide = await env.startInstance({ WS_REVALIDATE_MS: String(revalidateMs) });
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const feed = connect(subscriberSide, owner.token).subscribe(AuditEventStreamDocument, {});
    await subscribed(subscriberSide, owner.accountId, 1);
    const head = await chainHeadSeq(env, owner.accountId);

    // Concurrent writes on both instances: some reach the subscriber from memory, the others by NOTIFY and a read.
    const n = 40;
    const written = await Promise.all(
      range(1, n).map((i) =>
        (i % 2 ? subscriberSide : otherSide).call(
          UpdateAccountSettingsDocument,
          { input: { defaultKeyLifetimeDays: i } },
          { token: owner.token },
        ),
      ),
    );
    expect(written.flatMap((result) => result.errors ?? [])).toEqual([]);
    await feed.waitFor(n, 30_000);

    // No final event to wait for: stay quiet through many re-checks of the connection and feed wake-ups instead.
    await sleep(revalidateMs * 20);
    expect(await chainHeadSeq(env, owner.accountId)).toBe(head + n);
    expect(feed.errors).toEqual([]);
    expect(seqs(feed)).toEqual(range(head + 1, n));
    expect(new Set(events(feed).map((event) => event.id)).size).toBe(n);
    expect(events(feed).map((event) => event.id)).toEqual(
      (await storedEvents(env, owner.accountId, head)).map((event) => event.id),
    );
  });
});

describe('filters', () => {
  it('applies the filter to replayed and live events alike', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const after = await cursorOfFirstEvent(owner.token);
    const stored = await createApiKey(env.api, owner.token, { name: 'stored key' });
    await setDefaultLifetime(owner.token, 10);
    const member = await inviteMember(env, owner, 'MEMBER');
    await env.api.call(
      UpdateApiKeyDocument,
      { input: { id: stored.id, name: 'stored key renamed' } },
      { token: owner.token },
    );

    const feed = connect(env.api, owner.token).subscribe(AuditEventStreamDocument, {
      after,
      filter: { actions: ['api_key.*'] },
    });
    await subscribed(env.api, owner.accountId, 1);
    await setDefaultLifetime(owner.token, 11);
    const live = await createApiKey(env.api, owner.token, { name: 'live key' });
    await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: member.userId, role: 'ADMIN' } },
      { token: owner.token },
    );
    await setDefaultLifetime(owner.token, 12);
    await env.api.call(RevokeApiKeyDocument, { input: { id: live.id } }, { token: owner.token });

    const expected = (await storedEvents(env, owner.accountId, 1)).filter((event) =>
      event.action.startsWith('api_key.'),
    );
    expect(expected.map((event) => event.action)).toEqual([
      'api_key.created',
      'api_key.updated',
      'api_key.created',
      'api_key.revoked',
    ]);
    await feed.waitFor(expected.length);
    await sleep(100);

    expect(feed.errors).toEqual([]);
    expect(events(feed).map((event) => [event.seq, event.action])).toEqual(
      expected.map((event) => [event.seq, event.action]),
    );
  });
});

describe('rolled-back mutations', () => {
  it.each([
    [
      'on the api_keys row',
      'api_keys',
      (accountId: string) => `NEW.account_id = '${accountId}' AND NEW.name = 'doomed'`,
    ],
    [
      'on its audit row',
      'audit_events',
      (accountId: string) => `NEW.account_id = '${accountId}' AND NEW.action = 'api_key.created'`,
    ],
  ])('delivers nothing for a mutation that fails %s and consumes no seq', async (_label, table, condition) => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const feed = connect(env.api, owner.token).subscribe(AuditEventStreamDocument, {});
    await subscribed(env.api, owner.accountId, 1);
    await createApiKey(env.api, owner.token, { name: 'before' });
    await feed.waitFor(1);

    const trigger = `refuse_${table}_in_feed_test`;
    await env.sql(
      `CREATE OR REPLACE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
    );
    await env.sql(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${condition(owner.accountId)}) EXECUTE FUNCTION ${trigger}()`,
    );
    try {
      const failed = await env.api.call(
        CreateApiKeyDocument,
        { input: { name: 'doomed', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
        { token: owner.token },
      );
      expect(errorCodes(failed)).toEqual(['INTERNAL_SERVER_ERROR']);
    } finally {
      await env.sql(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`);
      await env.sql(`DROP FUNCTION IF EXISTS ${trigger}()`);
    }
    const survivor = await createApiKey(env.api, owner.token, { name: 'survivor' });
    await feed.waitFor(2);
    await sleep(100);

    const [before, next] = events(feed);
    expect(events(feed)).toHaveLength(2);
    expect(next!.seq).toBe(before!.seq + 1);
    expect(next!).toMatchObject({ action: 'api_key.created', target: { id: survivor.id } });
    expect((await storedEvents(env, owner.accountId)).map((event) => event.seq)).toEqual(range(1, before!.seq + 1));
  });
});

describe('authentication at connection_init', () => {
  it('closes 4401 without an authorization', async () => {
    const socket = connect(env.api, undefined);
    expect((await within(socket.closed, 'the socket to close')).code).toBe(4401);
  });

  it('closes 4401 for a garbage token', async () => {
    const socket = connect(env.api, 'kl_live_garbage-that-is-no-key');
    expect((await within(socket.closed, 'the socket to close')).code).toBe(4401);
  });

  it('closes 4401 for a revoked API key', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await createApiKey(env.api, owner.token, { name: 'revoked reader', scopes: ['AUDIT_READ'] });
    await env.api.call(RevokeApiKeyDocument, { input: { id: key.id, reason: 'test' } }, { token: owner.token });
    const socket = connect(env.api, key.secret);
    expect((await within(socket.closed, 'the socket to close')).code).toBe(4401);
  });
});

describe('entitlements and permissions at subscribe', () => {
  it('refuses a FREE account with ENTITLEMENT_REQUIRED and streams on the same socket after an upgrade', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const socket = connect(env.api, owner.token);
    let closed = false;
    void socket.closed.then(() => (closed = true));

    const first = socket.subscribe(AuditEventStreamDocument, {});
    expect(await within(first.ended, 'the first subscription to be refused')).toBe('error');
    expect(first.errors).toHaveLength(1);
    expect(first.errors[0]!.extensions).toMatchObject({
      code: 'ENTITLEMENT_REQUIRED',
      feature: 'AUDIT_STREAM',
      requiredPlan: 'PREMIUM',
      plan: 'FREE',
    });
    const second = socket.subscribe(AuditEventStreamDocument, {});
    expect(await within(second.ended, 'the second subscription to be refused')).toBe('error');
    expect(errorCodes(second)).toEqual(['ENTITLEMENT_REQUIRED']);

    const upgraded = await env.api.call(ChangePlanDocument, { input: { plan: 'PREMIUM' } }, { token: owner.token });
    expect(upgraded.errors).toBeUndefined();
    const third = socket.subscribe(AuditEventStreamDocument, {});
    await subscribed(env.api, owner.accountId, 1);
    await createApiKey(env.api, owner.token, { name: 'after upgrade' });
    await third.waitFor(1);
    expect(third.errors).toEqual([]);
    expect(events(third)[0]!.action).toBe('api_key.created');
    expect(closed).toBe(false);
  });

  it('refuses an API key without AUDIT_READ with FORBIDDEN', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await createApiKey(env.api, owner.token, { name: 'keys only', scopes: ['KEYS_READ', 'AUDIT_EXPORT'] });
    const feed = connect(env.api, key.secret).subscribe(AuditEventStreamDocument, {});
    expect(await within(feed.ended, 'the subscription to be refused')).toBe('error');
    expect(errorCodes(feed)).toEqual(['FORBIDDEN']);
  });

  it('refuses a MEMBER user with FORBIDDEN', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const member = await inviteMember(env, owner, 'MEMBER');
    const feed = connect(env.api, member.token).subscribe(AuditEventStreamDocument, {});
    expect(await within(feed.ended, 'the subscription to be refused')).toBe('error');
    expect(errorCodes(feed)).toEqual(['FORBIDDEN']);
  });
});

describe('subscription caps', () => {
  let perConnection: Instance;
  let perAccount: Instance;
  beforeAll(async () => {
    perConnection = await env.startInstance({ WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2' });
    perAccount = await env.startInstance({ WS_MAX_SUBSCRIPTIONS_PER_ACCOUNT: '3' });
  });

  it('refuses a third subscription on one connection with QUOTA_EXCEEDED while the first two keep receiving', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const socket = connect(perConnection, owner.token);
    const first = socket.subscribe(AuditEventStreamDocument, {});
    const second = socket.subscribe(AuditEventStreamDocument, {});
    await subscribed(perConnection, owner.accountId, 2);
    const third = socket.subscribe(AuditEventStreamDocument, {});
    expect(await within(third.ended, 'the third subscription to be refused')).toBe('error');
    expect(errorCodes(third)).toEqual(['QUOTA_EXCEEDED']);

    const key = await createApiKey(perConnection, owner.token, { name: 'seen by two', scopes: ['KEYS_READ'] });
    await first.waitFor(1);
    await second.waitFor(1);
    expect(events(first)[0]!.target!.id).toBe(key.id);
    expect(events(second)[0]!.target!.id).toBe(key.id);

    // A freed slot can be used again.
    first.unsubscribe();
    await unsubscribedDownTo(perConnection, owner.accountId, 1);
    const replacement = socket.subscribe(AuditEventStreamDocument, {});
    await subscribed(perConnection, owner.accountId, 2);
    await setDefaultLifetime(owner.token, 5);
    await replacement.waitFor(1);
    expect(replacement.errors).toEqual([]);
  });

  it('runs exactly two of five subscriptions sent on one connection at once', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const after = await cursorOfFirstEvent(owner.token, perConnection);
    const socket = connect(perConnection, owner.token);
    await ready(socket);
    const feeds = [1, 2, 3, 4, 5].map(() => socket.subscribe(AuditEventStreamDocument, { after }));
    const fates = await Promise.all(feeds.map(fateOf));
    expect(fates.filter((fate) => fate === 'running')).toHaveLength(2);
    expect(feeds.filter((_, i) => fates[i] === 'refused').map((feed) => errorCodes(feed))).toEqual([
      ['QUOTA_EXCEEDED'],
      ['QUOTA_EXCEEDED'],
      ['QUOTA_EXCEEDED'],
    ]);
  });

  it('refuses a fourth subscription of one account across connections with QUOTA_EXCEEDED', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const feeds: Feed[] = [];
    for (let i = 1; i <= 3; i++) {
      feeds.push(connect(perAccount, owner.token).subscribe(AuditEventStreamDocument, {}));
      await subscribed(perAccount, owner.accountId, i);
    }
    const fourthSocket = connect(perAccount, owner.token);
    const fourth = fourthSocket.subscribe(AuditEventStreamDocument, {});
    expect(await within(fourth.ended, 'the fourth subscription to be refused')).toBe('error');
    expect(errorCodes(fourth)).toEqual(['QUOTA_EXCEEDED']);

    // Another account on the same instance is not held to this account's count.
    const other = await env.seedAccount({ plan: Plan.PREMIUM });
    const otherFeed = connect(perAccount, other.token).subscribe(AuditEventStreamDocument, {});
    await subscribed(perAccount, other.accountId, 1);
    await createApiKey(perAccount, other.token, { name: 'other account', scopes: ['KEYS_READ'] });
    await otherFeed.waitFor(1);

    const key = await createApiKey(perAccount, owner.token, { name: 'seen by three', scopes: ['KEYS_READ'] });
    for (const feed of feeds) {
      await feed.waitFor(1);
      expect(events(feed).map((event) => event.target?.id)).toEqual([key.id]);
    }
    // The refused socket stays usable once a slot is free.
    feeds[0]!.unsubscribe();
    await unsubscribedDownTo(perAccount, owner.accountId, 2);
    const retry = fourthSocket.subscribe(AuditEventStreamDocument, {});
    await subscribed(perAccount, owner.accountId, 3);
    await setDefaultLifetime(owner.token, 6);
    await retry.waitFor(1);
    expect(retry.errors).toEqual([]);
  });

  it('runs exactly three of twenty subscriptions of one account sent on ten connections at once', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const after = await cursorOfFirstEvent(owner.token, perAccount);
    const connections = range(1, 10).map(() => connect(perAccount, owner.token));
    await Promise.all(connections.map(ready));
    const feeds = connections.flatMap((socket) =>
      [1, 2].map(() => socket.subscribe(AuditEventStreamDocument, { after })),
    );
    const fates = await Promise.all(feeds.map(fateOf));
    expect(fates.filter((fate) => fate === 'running')).toHaveLength(3);
    const refused = feeds.filter((_, i) => fates[i] === 'refused');
    expect(new Set(refused.map((feed) => errorCodes(feed).join()))).toEqual(new Set(['QUOTA_EXCEEDED']));
  });
});

describe('fan-out', () => {
  it('delivers one event to 1,000 concurrent subscribers on one instance', async () => {
    // 100 dashboards, all from 127.0.0.1: past the default of 50 sockets per client address.
    const instance = await env.startInstance({
      WS_MAX_SUBSCRIPTIONS_PER_ACCOUNT: '2000',
      WS_MAX_CONNECTIONS_PER_IP: '100',
    });
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const feeds: Feed[] = [];
    for (let c = 0; c < 100; c++) {
      const socket = connect(instance, owner.token);
      for (let s = 0; s < 10; s++) feeds.push(socket.subscribe(AuditEventStreamDocument, {}));
    }
    await subscribed(instance, owner.accountId, 1000, 45_000);

    const key = await createApiKey(instance, owner.token, { name: 'broadcast', scopes: ['KEYS_READ'] });
    await Promise.all(feeds.map((feed) => feed.waitFor(1, 45_000).catch(() => undefined)));

    const received = feeds.filter((feed) => events(feed)[0]?.target?.id === key.id);
    expect(feeds.flatMap((feed) => feed.errors)).toEqual([]);
    expect(received).toHaveLength(1000);
  }, 120_000);
});
