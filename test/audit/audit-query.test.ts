import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { AUDIT_COLUMNS, auditCursorOf, auditWhere, numbered, type AuditFilter } from '../../src/audit/audit.records';
import { retentionCutoff } from '../../src/audit/audit.service';
import {
  ApiKeysDocument,
  type AuditEventFilter,
  AuditEventsDocument,
  type AuditEventsQuery,
  type AuditEventsQueryVariables,
  type AuditOrder,
  ChangeMemberRoleDocument,
  ChangePlanDocument,
  RevokeApiKeyDocument,
  UpdateAccountSettingsDocument,
  UpdateApiKeyDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditActions, auditRows, lastAuditSeq, tamperAuditEvents } from '../support/audit';
import { createApiKey, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';
import { sleep } from '../support/wait';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

type Connection = NonNullable<AuditEventsQuery['auditEvents']>;
type EventNode = Connection['edges'][number]['node'];

/** [from, from+1, …, to], or descending when from > to. */
function range(from: number, to: number): number[] {
  const step = from <= to ? 1 : -1;
  return Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => from + i * step);
}

async function listEvents(token: string, variables: AuditEventsQueryVariables): Promise<Connection> {
  const result = await env.api.call(AuditEventsDocument, variables, { token });
  expect(result.errors).toBeUndefined();
  return result.data!.auditEvents!;
}

/** Seqs of every event matching `filter`, newest first (one page of up to 500). */
async function seqsMatching(token: string, filter: AuditEventFilter): Promise<number[]> {
  const page = await listEvents(token, { first: 500, filter });
  expect(page.pageInfo.hasNextPage).toBe(false);
  return page.edges.map((edge) => edge.node.seq);
}

async function renameKey(token: string, id: string, name: string): Promise<void> {
  const updated = await env.api.call(UpdateApiKeyDocument, { input: { id, name } }, { token });
  expect(updated.errors).toBeUndefined();
}

function viewedRows(accountId: string) {
  return auditRows(env, accountId, ['seq', 'actor_type', 'actor_id'], { action: 'audit.viewed' });
}

/** Appends a row directly as the superuser (no chain head update): for data the API cannot produce. */
async function insertEvent(accountId: string, row: { seq: number; action: string; occurredAt?: Date }): Promise<void> {
  await env.sql(
    `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_display, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, 'SUCCESS', 'SYSTEM', 'system', $6, $7)`,
    [randomUUID(), accountId, row.seq, row.occurredAt ?? new Date(), row.action, '0'.repeat(64), 'f'.repeat(64)],
  );
}

/**
 * An ENTERPRISE account with `total` events: account.created and 6 key creations through the API, the rest
 * appended in bulk as the superuser (with the chain head moved along, so later mutations continue at
 * total + 1). Real mutations cost tens of milliseconds each here, serialised on the account's chain head,
 * so 1,000 of them would take most of a minute.
 */
async function seedBusyAccount(total: number) {
  const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
  const keyIds: string[] = [];
  for (const i of range(1, 6)) keyIds.push((await createApiKey(env.api, owner.token, { name: `key ${i}` })).apiKey.id);
  await env.sql(
    `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display,
                               target_type, target_id, target_display, changes, prev_hash, hash)
     SELECT gen_random_uuid(), $1, g, last.at + (g - 7) * interval '1 microsecond', 'api_key.updated', 'SUCCESS', 'USER',
            $2, 'owner', 'api_key', ($3::text[])[1 + g % 6], 'key', '[]'::jsonb, repeat('0', 64), md5(g::text) || md5(g::text)
       FROM generate_series(8, $4::int) AS g,
            (SELECT max(occurred_at) AS at FROM audit_events WHERE account_id = $1) AS last`,
    [owner.accountId, owner.userId, keyIds, total],
  );
  await env.sql('UPDATE audit_chain_heads SET last_seq = $2 WHERE account_id = $1', [owner.accountId, total]);
  expect(await lastAuditSeq(env, owner.accountId)).toBe(total);
  expect(await env.sql('SELECT 1 FROM audit_events WHERE account_id = $1', [owner.accountId])).toHaveLength(total);
  return { owner, keyIds };
}

/** Renames keys in a loop, several at once, until stopped: events keep arriving while a test pages. */
class ConcurrentWriter {
  written = 0;
  private stopped = false;
  private failure: unknown;
  private readonly done: Promise<void>;

  constructor(token: string, keyIds: string[]) {
    this.done = Promise.all(
      keyIds.map(async (id, worker) => {
        for (let n = 0; !this.stopped; n++) {
          await renameKey(token, id, `live ${worker}.${n}`);
          this.written += 1;
        }
      }),
    ).then(
      () => undefined,
      (error: unknown) => {
        this.failure = error;
        this.stopped = true;
      },
    );
  }

  /** Resolves once `count` more events have been written. */
  async waitFor(count: number): Promise<void> {
    const target = this.written + count;
    while (this.written < target && !this.stopped) await sleep(1);
    if (this.failure) throw this.failure;
  }

  /** Stops writing; rethrows a failed write. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    if (this.failure) throw this.failure;
  }
}

interface PagingRun {
  /** Seqs of every page, in the order the pages were fetched. */
  pages: number[][];
  /** All seqs in list order (backward pages are put back in front of the ones fetched before them). */
  listed: number[];
}

/** Pages through the whole log 100 at a time, calling `between(pagesSoFar)` before each next page. */
async function pageThrough(
  token: string,
  order: AuditOrder,
  direction: 'forward' | 'backward',
  between: (pagesSoFar: number) => Promise<void>,
): Promise<PagingRun> {
  const pages: number[][] = [];
  let cursor: string | null | undefined;
  for (;;) {
    const variables =
      direction === 'forward' ? { first: 100, after: cursor, order } : { last: 100, before: cursor, order };
    const page = await listEvents(token, variables);
    pages.push(page.edges.map((edge) => edge.node.seq));
    const more = direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!more) break;
    expect(page.edges).toHaveLength(100);
    cursor = direction === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor;
    if (pages.length > 50) throw new Error('paging does not end');
    await between(pages.length);
  }
  const listed = direction === 'forward' ? pages.flat() : [...pages].reverse().flat();
  return { pages, listed };
}

describe('paging through a busy log', () => {
  const TOTAL = 1_000;

  it('pages forwards newest first while new events arrive, without duplicates or gaps', async () => {
    const { owner, keyIds } = await seedBusyAccount(TOTAL);
    const writer = new ConcurrentWriter(owner.token, keyIds.slice(0, 4));
    let run: PagingRun;
    try {
      run = await pageThrough(owner.token, 'NEWEST_FIRST', 'forward', () => writer.waitFor(3));
    } finally {
      await writer.stop();
    }
    // The list is frozen at the newest event of the first page; later events do not shift the pages.
    const top = run.pages[0]![0]!;
    expect(top).toBeGreaterThanOrEqual(TOTAL);
    expect(run.listed).toEqual(range(top, 1));
    // Events kept landing between the pages (at most 4 writes were in flight when the first page was read).
    expect(writer.written).toBeGreaterThanOrEqual(3 * (run.pages.length - 1));
    expect(await lastAuditSeq(env, owner.accountId)).toBeGreaterThan(top + 10);
  });

  it('pages forwards oldest first while new events arrive, and reaches the events added meanwhile', async () => {
    const { owner, keyIds } = await seedBusyAccount(TOTAL);
    const writer = new ConcurrentWriter(owner.token, keyIds.slice(0, 4));
    let run: PagingRun;
    try {
      run = await pageThrough(owner.token, 'OLDEST_FIRST', 'forward', async (pagesSoFar) => {
        if (pagesSoFar < 8) await writer.waitFor(3);
        else await writer.stop();
      });
    } finally {
      await writer.stop();
    }
    const head = await lastAuditSeq(env, owner.accountId);
    expect(head).toBeGreaterThan(TOTAL + 20);
    expect(run.listed).toEqual(range(1, head));
  });

  it('pages backwards with last/before in both orders while new events arrive, without duplicates or gaps', async () => {
    const { owner, keyIds } = await seedBusyAccount(TOTAL);

    // Oldest first, backwards: from the newest event down to seq 1.
    const writer = new ConcurrentWriter(owner.token, keyIds.slice(0, 4));
    let downwards: PagingRun;
    try {
      downwards = await pageThrough(owner.token, 'OLDEST_FIRST', 'backward', () => writer.waitFor(3));
    } finally {
      await writer.stop();
    }
    const top = downwards.pages[0]!.at(-1)!;
    expect(top).toBeGreaterThanOrEqual(TOTAL);
    expect(downwards.listed).toEqual(range(1, top));
    expect(writer.written).toBeGreaterThanOrEqual(3 * (downwards.pages.length - 1));
    expect(await lastAuditSeq(env, owner.accountId)).toBeGreaterThan(top + 10);

    // Newest first, backwards: from seq 1 up to the newest event, including the ones added meanwhile.
    const upWriter = new ConcurrentWriter(owner.token, keyIds.slice(2, 6));
    let upwards: PagingRun;
    try {
      upwards = await pageThrough(owner.token, 'NEWEST_FIRST', 'backward', async (pagesSoFar) => {
        if (pagesSoFar < 8) await upWriter.waitFor(3);
        else await upWriter.stop();
      });
    } finally {
      await upWriter.stop();
    }
    expect(upwards.pages[0]).toEqual(range(100, 1));
    expect(upwards.listed).toEqual(range(await lastAuditSeq(env, owner.accountId), 1));
  });
});

describe('page size and cursor validation', () => {
  it('accepts first: 500 and last: 500', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const first = await env.api.call(AuditEventsDocument, { first: 500 }, { token: owner.token });
    expect(first.errors).toBeUndefined();
    expect(first.data!.auditEvents!.edges.map((edge) => edge.node.action)).toEqual(['account.created']);
    const last = await env.api.call(AuditEventsDocument, { last: 500 }, { token: owner.token });
    expect(last.errors).toBeUndefined();
    expect(last.data!.auditEvents!.edges.map((edge) => edge.node.action)).toEqual(['audit.viewed', 'account.created']);
  });

  it.each<[string, AuditEventsQueryVariables]>([
    ['first: 501', { first: 501 }],
    ['last: 501', { last: 501 }],
    ['first: 0', { first: 0 }],
    ['last: -1', { last: -1 }],
    ['first and last together', { first: 10, last: 10 }],
  ])('refuses %s with BAD_USER_INPUT', async (_label, variables) => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const result = await env.api.call(AuditEventsDocument, variables, { token: owner.token });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.data!.auditEvents).toBeNull();
  });

  it('refuses after and before together with BAD_USER_INPUT', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKey(env.api, owner.token, { name: 'one' });
    await createApiKey(env.api, owner.token, { name: 'two' });
    const page = await listEvents(owner.token, { first: 3 });
    const result = await env.api.call(
      AuditEventsDocument,
      { after: page.edges[0]!.cursor, before: page.edges[2]!.cursor },
      { token: owner.token },
    );
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });

  it.each<[string, string]>([
    ['garbage', 'not a cursor at all'],
    ['well-formed base64 that is not JSON', Buffer.from('hello').toString('base64url')],
    ['an audit cursor with a non-numeric seq', Buffer.from(JSON.stringify(['audit', 'seven'])).toString('base64url')],
    ['an audit cursor with a negative seq', Buffer.from(JSON.stringify(['audit', -1])).toString('base64url')],
  ])('refuses a cursor that is %s with BAD_USER_INPUT, as after and as before', async (_label, cursor) => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    expect(errorCodes(await env.api.call(AuditEventsDocument, { after: cursor }, { token: owner.token }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await env.api.call(AuditEventsDocument, { before: cursor }, { token: owner.token }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('refuses an API keys cursor used as an audit cursor with BAD_USER_INPUT', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    await createApiKey(env.api, owner.token, { name: 'one' });
    await createApiKey(env.api, owner.token, { name: 'two' });
    const keys = await env.api.call(ApiKeysDocument, { first: 1 }, { token: owner.token });
    const keysCursor = keys.data!.apiKeys.pageInfo.endCursor!;
    expect(keysCursor).toEqual(expect.any(String));
    expect(errorCodes(await env.api.call(AuditEventsDocument, { after: keysCursor }, { token: owner.token }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      errorCodes(await env.api.call(AuditEventsDocument, { last: 5, before: keysCursor }, { token: owner.token })),
    ).toEqual(['BAD_USER_INPUT']);
  });
});

/**
 * A PREMIUM account with a known history, seq by seq:
 *  1 account.created (SYSTEM)          7 settings.updated (admin)
 *  2 member.invited admin (owner)      8 api_key.revoked DENIED (member, target B)
 *  3 member.invited member (owner)     9 member.role_changed (owner)
 *  4 api_key.created A (owner)        10 api_key.revoked (owner, target B)
 *  5 api_key.created B (owner)        11 plan.changed (owner)
 *  6 api_key.updated B (key A)        12 audit.viewed (owner)
 */
async function seedKnownHistory() {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  const admin = await inviteMember(env, owner, 'ADMIN');
  const member = await inviteMember(env, owner, 'MEMBER');
  const keyA = await createApiKey(env.api, owner.token, { name: 'automation', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
  const keyB = await createApiKey(env.api, owner.token, { name: 'partner' });
  await renameKey(keyA.secret, keyB.apiKey.id, 'partner (renamed)');
  const settings = await env.api.call(
    UpdateAccountSettingsDocument,
    { input: { defaultKeyLifetimeDays: 30 } },
    { token: admin.token },
  );
  expect(settings.errors).toBeUndefined();
  const denied = await env.api.call(RevokeApiKeyDocument, { input: { id: keyB.apiKey.id } }, { token: member.token });
  expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
  const promoted = await env.api.call(
    ChangeMemberRoleDocument,
    { input: { userId: member.userId, role: 'ADMIN' } },
    { token: owner.token },
  );
  expect(promoted.errors).toBeUndefined();
  const revoked = await env.api.call(RevokeApiKeyDocument, { input: { id: keyB.apiKey.id } }, { token: owner.token });
  expect(revoked.errors).toBeUndefined();
  const upgraded = await env.api.call(ChangePlanDocument, { input: { plan: 'ENTERPRISE' } }, { token: owner.token });
  expect(upgraded.errors).toBeUndefined();
  await listEvents(owner.token, { first: 1 });
  expect(await auditActions(env, owner.accountId)).toEqual([
    'account.created',
    'member.invited',
    'member.invited',
    'api_key.created',
    'api_key.created',
    'api_key.updated',
    'settings.updated',
    'api_key.revoked',
    'member.role_changed',
    'api_key.revoked',
    'plan.changed',
    'audit.viewed',
  ]);
  const all = (await listEvents(owner.token, { first: 500 })).edges.map((edge) => edge.node);
  expect(all.map((event) => event.seq)).toEqual(range(12, 1));
  return { owner, admin, member, keyA: keyA.apiKey, keyB: keyB.apiKey, all };
}

describe('filters', () => {
  it('filters by exact action names', async () => {
    const { owner } = await seedKnownHistory();
    expect(await seqsMatching(owner.token, { actions: ['plan.changed'] })).toEqual([11]);
    expect(await seqsMatching(owner.token, { actions: ['api_key.created', 'settings.updated'] })).toEqual([7, 5, 4]);
    expect(
      await seqsMatching(owner.token, { actions: ['api_key.revoked', 'member.invited', 'account.created'] }),
    ).toEqual([10, 8, 3, 2, 1]);
    expect(await seqsMatching(owner.token, { actions: ['api_key.deleted'] })).toEqual([]);
  });

  it('filters by action prefixes, and by prefixes mixed with exact names', async () => {
    const { owner } = await seedKnownHistory();
    expect(await seqsMatching(owner.token, { actions: ['api_key.*'] })).toEqual([10, 8, 6, 5, 4]);
    expect(await seqsMatching(owner.token, { actions: ['member.*'] })).toEqual([9, 3, 2]);
    expect(await seqsMatching(owner.token, { actions: ['member.*', 'plan.changed'] })).toEqual([11, 9, 3, 2]);
    expect(await seqsMatching(owner.token, { actions: ['member.*', 'api_key.revoked', 'audit.*'] })).toEqual([
      12, 10, 9, 8, 3, 2,
    ]);
  });

  it('does not let a prefix match other actions through LIKE wildcards or a longer name', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKey(env.api, owner.token, { name: 'real' });
    // Unescaped, the "_" of api_key would match any character: apiXkey, apixkey.
    await insertEvent(owner.accountId, { seq: 1_000, action: 'apiXkey.created' });
    await insertEvent(owner.accountId, { seq: 1_001, action: 'apixkey.created' });
    await insertEvent(owner.accountId, { seq: 1_002, action: 'api_keys.created' });
    await insertEvent(owner.accountId, { seq: 1_003, action: 'api_key' });
    expect(await seqsMatching(owner.token, { actions: ['api_key.*'] })).toEqual([2]);
    expect(await seqsMatching(owner.token, { actions: ['apixkey.*'] })).toEqual([1_001]);
    expect(await seqsMatching(owner.token, { actions: ['api_keys.*'] })).toEqual([1_002]);
  });

  it.each([
    'API_KEY.created',
    'api_key.',
    '*',
    '.*',
    'api_key.**',
    'api key.created',
    'api_key.%',
    "api_key.created'--",
    '',
  ])('refuses the action filter %j with BAD_USER_INPUT', async (action) => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const result = await env.api.call(
      AuditEventsDocument,
      { filter: { actions: ['api_key.created', action] } },
      { token: owner.token },
    );
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.data!.auditEvents).toBeNull();
  });

  it('filters by actor id and actor type', async () => {
    const { owner, admin, member, keyA } = await seedKnownHistory();
    expect(await seqsMatching(owner.token, { actorId: admin.userId })).toEqual([7]);
    expect(await seqsMatching(owner.token, { actorId: member.userId })).toEqual([8]);
    expect(await seqsMatching(owner.token, { actorId: keyA.id })).toEqual([6]);
    expect(await seqsMatching(owner.token, { actorId: owner.userId })).toEqual([12, 11, 10, 9, 5, 4, 3, 2]);
    expect(await seqsMatching(owner.token, { actorType: 'API_KEY' })).toEqual([6]);
    expect(await seqsMatching(owner.token, { actorType: 'USER' })).toEqual([12, 11, 10, 9, 8, 7, 5, 4, 3, 2]);
    expect(await seqsMatching(owner.token, { actorType: 'SYSTEM' })).toEqual([1]);
  });

  it('filters by target id', async () => {
    const { owner, keyA, keyB, member } = await seedKnownHistory();
    expect(await seqsMatching(owner.token, { targetId: keyB.id })).toEqual([10, 8, 6, 5]);
    expect(await seqsMatching(owner.token, { targetId: keyA.id })).toEqual([4]);
    expect(await seqsMatching(owner.token, { targetId: member.userId })).toEqual([9, 3]);
    expect(await seqsMatching(owner.token, { targetId: randomUUID() })).toEqual([]);
  });

  it('filters by outcome: a MEMBER’s refused revoke is the one DENIED event', async () => {
    const { owner, member, keyB } = await seedKnownHistory();
    const denied = await listEvents(owner.token, { filter: { outcome: 'DENIED' } });
    expect(denied.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({
        seq: 8,
        action: 'api_key.revoked',
        outcome: 'DENIED',
        actor: { type: 'USER', id: member.userId, display: member.email, scopes: null },
        target: expect.objectContaining({ type: 'api_key', id: keyB.id }),
      }),
    ]);
    expect(await seqsMatching(owner.token, { outcome: 'SUCCESS' })).toEqual([12, 11, 10, 9, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('treats occurredAfter as inclusive and occurredBefore as exclusive', async () => {
    const { owner, all } = await seedKnownHistory();
    const pivot = all.find((event) => event.seq === 7)!;
    const at = (event: EventNode) => Date.parse(event.occurredAt);
    const pivotAt = at(pivot);

    const after = await seqsMatching(owner.token, { occurredAfter: pivot.occurredAt });
    expect(after).toContain(7);
    expect(after).toEqual(all.filter((event) => at(event) >= pivotAt).map((event) => event.seq));

    const before = await seqsMatching(owner.token, { occurredBefore: pivot.occurredAt });
    expect(before).not.toContain(7);
    expect(before).toEqual(all.filter((event) => at(event) < pivotAt).map((event) => event.seq));

    // [t, t) is empty; [t, t + 1ms) holds exactly the events of that instant.
    expect(
      await seqsMatching(owner.token, { occurredAfter: pivot.occurredAt, occurredBefore: pivot.occurredAt }),
    ).toEqual([]);
    const instant = await seqsMatching(owner.token, {
      occurredAfter: pivot.occurredAt,
      occurredBefore: new Date(pivotAt + 1).toISOString(),
    });
    expect(instant).toContain(7);
    expect(instant).toEqual(all.filter((event) => at(event) === pivotAt).map((event) => event.seq));
  });

  it('combines filters with AND', async () => {
    const { owner, member, keyB, all } = await seedKnownHistory();
    const sixAt = all.find((event) => event.seq === 6)!.occurredAt;
    expect(await seqsMatching(owner.token, { actions: ['api_key.*'], actorType: 'USER' })).toEqual([10, 8, 5, 4]);
    expect(
      await seqsMatching(owner.token, { actions: ['api_key.*'], actorType: 'USER', occurredAfter: sixAt }),
    ).toEqual([10, 8]);
    expect(await seqsMatching(owner.token, { targetId: keyB.id, outcome: 'SUCCESS' })).toEqual([10, 6, 5]);
    expect(
      await seqsMatching(owner.token, { actorId: member.userId, outcome: 'DENIED', actions: ['api_key.revoked'] }),
    ).toEqual([8]);
    expect(await seqsMatching(owner.token, { actorId: member.userId, outcome: 'SUCCESS' })).toEqual([]);
    expect(await seqsMatching(owner.token, { targetId: keyB.id, occurredBefore: sixAt })).toEqual([5]);
  });
});

describe('the AuditEvent shape', () => {
  it('names an API key actor by id, display key and scopes, and returns changes as JSON', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const actorKey = await createApiKey(env.api, owner.token, {
      name: 'automation',
      scopes: ['KEYS_WRITE', 'KEYS_READ'],
    });
    const target = await createApiKey(env.api, owner.token, { name: 'before' });
    await renameKey(actorKey.secret, target.apiKey.id, 'after');

    const page = await listEvents(owner.token, { first: 1, filter: { actorType: 'API_KEY' } });
    expect(page.edges).toHaveLength(1);
    const event = page.edges[0]!.node;
    expect(event).toMatchObject({
      seq: 4,
      action: 'api_key.updated',
      outcome: 'SUCCESS',
      actor: {
        type: 'API_KEY',
        id: actorKey.apiKey.id,
        display: actorKey.apiKey.displayKey,
        scopes: actorKey.apiKey.scopes,
      },
      target: { type: 'api_key', id: target.apiKey.id },
      changes: [{ field: 'name', before: 'before', after: 'after' }],
      metadata: null,
    });
    expect([...event.actor.scopes!].sort()).toEqual(['KEYS_READ', 'KEYS_WRITE']);
    expect(event.target!.display).toContain(target.apiKey.displayKey);
    expect(JSON.stringify(event)).not.toContain(actorKey.secret);
  });

  it('returns typed before/after values and metadata objects as JSON', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const member = await inviteMember(env, owner, 'MEMBER');
    const settings = await env.api.call(
      UpdateAccountSettingsDocument,
      { input: { requireKeyExpiration: true, defaultKeyLifetimeDays: 30 } },
      { token: owner.token },
    );
    expect(settings.errors).toBeUndefined();
    const denied = await env.api.call(
      UpdateAccountSettingsDocument,
      { input: { maxKeyLifetimeDays: 60 } },
      { token: member.token },
    );
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);

    const first = await listEvents(owner.token, { filter: { actions: ['settings.*'] } });
    expect(first.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({
        outcome: 'DENIED',
        actor: { type: 'USER', id: member.userId, display: member.email, scopes: null },
        metadata: { reason: expect.stringMatching(/settings:write/) },
        changes: [],
      }),
      expect.objectContaining({
        outcome: 'SUCCESS',
        actor: { type: 'USER', id: owner.userId, display: owner.email, scopes: null },
        metadata: null,
      }),
    ]);
    expect(first.edges[1]!.node.changes).toEqual(
      expect.arrayContaining([
        { field: 'requireKeyExpiration', before: false, after: true },
        { field: 'defaultKeyLifetimeDays', before: 90, after: 30 },
      ]),
    );
    expect(first.edges[1]!.node.changes).toHaveLength(2);

    // The first page recorded audit.viewed with the filter it was read with, as a JSON object.
    const viewed = await listEvents(owner.token, { first: 1, filter: { actions: ['audit.*'] } });
    expect(viewed.edges[0]!.node).toMatchObject({
      action: 'audit.viewed',
      target: { type: 'audit_log', id: owner.accountId },
      metadata: { filter: { actions: ['settings.*'] } },
    });
  });

  it('gives every event a cursor equal to its edge cursor that works as after', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    for (const name of ['one', 'two', 'three']) await createApiKey(env.api, owner.token, { name });
    const page = await listEvents(owner.token, { first: 10 });
    expect(page.edges.map((edge) => edge.node.seq)).toEqual([4, 3, 2, 1]);
    for (const edge of page.edges) expect(edge.node.cursor).toBe(edge.cursor);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]!.node.cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges[3]!.node.cursor);

    const third = page.edges[1]!.node;
    const next = await listEvents(owner.token, { first: 10, after: third.cursor });
    expect(next.edges.map((edge) => edge.node.seq)).toEqual([2, 1]);
    const oldestFirst = await listEvents(owner.token, { first: 10, after: third.cursor, order: 'OLDEST_FIRST' });
    expect(oldestFirst.edges.map((edge) => edge.node.seq)).toEqual([4, 5]);
    expect(oldestFirst.edges[1]!.node.action).toBe('audit.viewed');
  });
});

describe('recording who read the log', () => {
  it('records one audit.viewed after the first page, and none for a repeat within 10 minutes', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKey(env.api, owner.token, { name: 'one' });
    const first = await listEvents(owner.token, { first: 5 });
    // The view is recorded after reading: the page itself does not show it.
    expect(first.edges.map((edge) => edge.node.action)).toEqual(['api_key.created', 'account.created']);
    expect(await viewedRows(owner.accountId)).toEqual([{ seq: 3, actor_type: 'USER', actor_id: owner.userId }]);

    const again = await listEvents(owner.token, { first: 5, filter: { actions: ['api_key.*'] } });
    expect(again.edges.map((edge) => edge.node.action)).toEqual(['api_key.created']);
    await listEvents(owner.token, { last: 5, order: 'OLDEST_FIRST' });
    expect(await viewedRows(owner.accountId)).toHaveLength(1);
    expect(await lastAuditSeq(env, owner.accountId)).toBe(3);
  });

  it('records audit.viewed for a page read through a cursor by a caller who has not viewed yet, once', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    for (const name of ['one', 'two']) await createApiKey(env.api, owner.token, { name });
    const admin = await inviteMember(env, owner, 'ADMIN');
    const ownerPage = await listEvents(owner.token, { first: 2 });
    expect((await viewedRows(owner.accountId)).map((row) => row.actor_id)).toEqual([owner.userId]);

    const next = await listEvents(admin.token, { first: 2, after: ownerPage.pageInfo.endCursor });
    expect(next.edges.length).toBeGreaterThan(0);
    expect((await viewedRows(owner.accountId)).map((row) => row.actor_id)).toEqual([owner.userId, admin.userId]);

    // Within 10 minutes nothing more is recorded for the admin, whichever way it reads.
    await listEvents(admin.token, { last: 2, before: ownerPage.pageInfo.startCursor, order: 'OLDEST_FIRST' });
    await listEvents(admin.token, { first: 2 });
    expect((await viewedRows(owner.accountId)).map((row) => row.actor_id)).toEqual([owner.userId, admin.userId]);
  });

  it('records audit.viewed for a first read through a hand-made cursor, with after or with before', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const reader = await createApiKey(env.api, owner.token, { name: 'reader', scopes: ['AUDIT_READ'] });
    const admin = await inviteMember(env, owner, 'ADMIN');
    // Neither has read a page; each starts from a cursor it made itself.
    const fromStart = await listEvents(reader.secret, { first: 10, after: auditCursorOf(0), order: 'OLDEST_FIRST' });
    expect(fromStart.edges[0]!.node.seq).toBe(1);
    const beforeHead = await listEvents(admin.token, {
      last: 1,
      before: auditCursorOf(1_000_000),
      order: 'OLDEST_FIRST',
    });
    expect(beforeHead.edges).toHaveLength(1);

    expect((await viewedRows(owner.accountId)).map(({ actor_type, actor_id }) => ({ actor_type, actor_id }))).toEqual([
      { actor_type: 'API_KEY', actor_id: reader.apiKey.id },
      { actor_type: 'USER', actor_id: admin.userId },
    ]);
  });

  it('records the first page of each caller separately: a second admin and an API key with AUDIT_READ', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const admin = await inviteMember(env, owner, 'ADMIN');
    const reader = await createApiKey(env.api, owner.token, { name: 'audit reader', scopes: ['AUDIT_READ'] });

    await listEvents(owner.token, { first: 1 });
    await listEvents(admin.token, { first: 1 });
    await listEvents(reader.secret, { first: 1 });
    await listEvents(admin.token, { first: 1 });
    await listEvents(reader.secret, { first: 1 });

    expect((await viewedRows(owner.accountId)).map(({ actor_type, actor_id }) => ({ actor_type, actor_id }))).toEqual([
      { actor_type: 'USER', actor_id: owner.userId },
      { actor_type: 'USER', actor_id: admin.userId },
      { actor_type: 'API_KEY', actor_id: reader.apiKey.id },
    ]);
  });

  it('records the same caller again once 10 minutes have passed since its last recorded view', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await listEvents(owner.token, { first: 1 });
    const [viewed] = await viewedRows(owner.accountId);

    const shiftBack = (minutes: number) =>
      tamperAuditEvents(env, [
        `UPDATE audit_events SET occurred_at = now() - make_interval(mins => $3) WHERE account_id = $1 AND seq = $2`,
        [owner.accountId, viewed!.seq, minutes],
      ]);

    await shiftBack(9);
    await listEvents(owner.token, { first: 1 });
    expect(await viewedRows(owner.accountId)).toHaveLength(1);

    await shiftBack(11);
    await listEvents(owner.token, { first: 1 });
    const rows = await viewedRows(owner.accountId);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ actor_type: 'USER', actor_id: owner.userId });
  });
});

describe('retention', () => {
  it('hides events older than 90 days on PREMIUM and shows them after an upgrade to ENTERPRISE', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const day = 86_400_000;
    await insertEvent(owner.accountId, {
      seq: 100_000,
      action: 'settings.updated',
      occurredAt: new Date(Date.now() - 91 * day),
    });
    await insertEvent(owner.accountId, {
      seq: 100_001,
      action: 'settings.updated',
      occurredAt: new Date(Date.now() - 89 * day),
    });

    expect(await seqsMatching(owner.token, { actions: ['settings.*'] })).toEqual([100_001]);
    // A time filter cannot reach past the plan's retention, nor can paging from the oldest end.
    const yearAgo = new Date(Date.now() - 365 * day).toISOString();
    expect(await seqsMatching(owner.token, { actions: ['settings.*'], occurredAfter: yearAgo })).toEqual([100_001]);
    const oldest = await listEvents(owner.token, { last: 500 });
    expect(oldest.edges.map((edge) => edge.node.seq)).toEqual([100_001, 2, 1]);

    const upgraded = await env.api.call(ChangePlanDocument, { input: { plan: 'ENTERPRISE' } }, { token: owner.token });
    expect(upgraded.errors).toBeUndefined();
    expect(await seqsMatching(owner.token, { actions: ['settings.*'] })).toEqual([100_001, 100_000]);
  });
});

describe('index use on a large log', () => {
  interface PlanNode {
    'Node Type': string;
    'Relation Name'?: string;
    'Index Name'?: string;
    Plans?: PlanNode[];
  }

  function nodesOf(node: PlanNode): PlanNode[] {
    return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
  }

  it('reads the first page with an index scan and no sort, unfiltered and filtered by action, actor and target', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const actions = [
      'api_key.created',
      'api_key.updated',
      'api_key.rotated',
      'api_key.revoked',
      'settings.updated',
      'member.invited',
      'member.role_changed',
      'member.removed',
      'plan.changed',
      'audit.viewed',
    ];
    // 200,000 events over the last ~58 days: 10 actions, 50 actors, 5,000 targets.
    await env.sql(
      `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display,
                                 actor_scopes, target_type, target_id, target_display, changes, metadata, ip, user_agent,
                                 request_id, prev_hash, hash)
       SELECT gen_random_uuid(), $1, g, now() - interval '60 days' + g * interval '25 seconds', ($2::text[])[1 + g % 10],
              'SUCCESS', 'USER', md5('actor' || g % 50)::uuid::text, 'someone@example.test', NULL,
              'api_key', md5('target' || g % 5000)::uuid::text, 'a key', '[]'::jsonb, NULL, '127.0.0.1', 'bulk',
              'bulk-' || g, repeat('0', 64), md5(g::text) || md5(g::text)
         FROM generate_series(2, 200001) AS g`,
      [owner.accountId, actions],
    );
    await env.sql('ANALYZE audit_events');
    const [ids] = await env.sql<{ actor: string; target: string }>(
      "SELECT md5('actor7')::uuid::text AS actor, md5('target77')::uuid::text AS target",
    );

    const filters: Record<string, AuditFilter | null> = {
      'no filter': null,
      'an exact action': { actions: ['api_key.revoked'] },
      'an action prefix': { actions: ['api_key.*'] },
      'an actor': { actorId: ids!.actor },
      'a target': { targetId: ids!.target },
    };
    const report: Record<string, string[]> = {};
    for (const [label, filter] of Object.entries(filters)) {
      // The service's first page: newest first, LIMIT first + 1, behind the plan's retention cutoff.
      const where = auditWhere(owner.accountId, filter, retentionCutoff(Plan.PREMIUM));
      const sql = numbered(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${where.sql} ORDER BY seq DESC LIMIT ?`);
      const [row] = await env.sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, [
        ...where.params,
        51,
      ]);
      const nodes = nodesOf(row!['QUERY PLAN'][0].Plan);
      report[label] = nodes.map((node) => [node['Node Type'], node['Index Name']].filter(Boolean).join(' '));
    }
    for (const [label, nodes] of Object.entries(report)) {
      expect({ label, nodes }).toEqual({
        label,
        nodes: expect.arrayContaining([expect.stringMatching(/^Index (Only )?Scan/)]),
      });
      expect({ label, nodes }).toEqual({
        label,
        nodes: expect.not.arrayContaining([expect.stringMatching(/Seq Scan|Sort/)]),
      });
    }
    // The scanned relation is audit_events itself.
    expect(Object.values(report).every((nodes) => nodes.some((node) => /audit_events_/.test(node)))).toBe(true);
  });
});
