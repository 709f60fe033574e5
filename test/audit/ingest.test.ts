import { parseCsv } from '../support/csv';
import {
  AuditEventsDocument,
  CreateAuditExportDocument,
  type AuditEventInput,
  IngestedAuditEventStreamDocument,
  IngestedAuditEventsDocument,
  RecordAuditEventsDocument,
  VerifyAuditChainDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq, tamperAuditEvents } from '../support/audit';
import { createApiKey, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type SeededAccount, type TestEnv } from '../support/harness';
import { connectWsPerTest } from '../support/ws';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const connect = connectWsPerTest();

/** A valid host event; `index` makes each one distinct. */
function hostEvent(index: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    action: 'invoice.paid',
    actor: { type: 'USER', id: `usr_${index}`, display: `user${index}@host.example` },
    target: { type: 'invoice_settings', id: `inv_${index}`, display: `Invoice ${index}` },
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    changes: [{ field: 'status', before: 'open', after: 'paid' }],
    metadata: { index, amount: { value: 1200 + index, currency: 'EUR' } },
    ...overrides,
  };
}

/** A key of the account's OWNER holding `scopes`. */
async function keyWith(owner: SeededAccount, scopes: Parameters<typeof createApiKey>[2]['scopes']): Promise<string> {
  return (await createApiKey(env.api, owner.token, { name: `ingest ${String(scopes)}`, scopes })).secret;
}

async function rowCount(accountId: string): Promise<number> {
  return lastAuditSeq(env, accountId);
}

describe('recordAuditEvents: events from the host product', () => {
  it('records a call’s events in the given order, with consecutive seqs, the host actor and who submitted them', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await keyWith(owner, ['AUDIT_WRITE']);
    const before = await rowCount(owner.accountId);
    const reportedAt = '2026-11-01T10:00:00.123Z';
    const events = [
      hostEvent(0, { action: 'invoice.created', occurredAt: reportedAt }),
      hostEvent(1, { action: 'invoice.sent', actor: { type: 'SERVICE', id: 'billing-worker' } }),
      hostEvent(2, { action: 'user.2fa_enabled', outcome: 'DENIED', changes: null, metadata: null }),
    ];
    const result = await env.api.call(RecordAuditEventsDocument, { input: { events } }, { token: key });
    expect(result.errors).toBeUndefined();
    const recorded = result.data!.recordAuditEvents;
    expect(recorded.replayed).toBe(false);
    expect(recorded.events.map((event) => [event.seq, event.action])).toEqual([
      [before + 1, 'invoice.created'],
      [before + 2, 'invoice.sent'],
      [before + 3, 'user.2fa_enabled'],
    ]);
    expect(recorded.events[0]!.reportedAt).toBe(reportedAt);

    const page = await env.api.call(
      IngestedAuditEventsDocument,
      { first: 3, filter: { actions: ['invoice.*', 'user.2fa_enabled'] }, order: 'OLDEST_FIRST' },
      { token: owner.token },
    );
    expect(page.errors).toBeUndefined();
    const nodes = page.data!.auditEvents!.edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.id)).toEqual(recorded.events.map((event) => event.id));
    expect(nodes[0]).toMatchObject({
      action: 'invoice.created',
      outcome: 'SUCCESS',
      reportedAt,
      actor: { type: 'USER', id: 'usr_0', display: 'user0@host.example', scopes: null },
      target: { type: 'invoice_settings', id: 'inv_0', display: 'Invoice 0' },
      changes: [{ field: 'status', before: 'open', after: 'paid' }],
      metadata: { index: 0, amount: { value: 1200, currency: 'EUR' } },
      submittedBy: { type: 'API_KEY', scopes: ['AUDIT_WRITE'] },
      via: 'GRAPHQL',
    });
    // keyledger's time stays the chain's: recorded now, not the host's reported time.
    expect(Date.parse(nodes[0]!.occurredAt)).toBeGreaterThan(Date.parse(reportedAt));
    expect(nodes[1]!.actor).toEqual({ type: 'SERVICE', id: 'billing-worker', display: null, scopes: null });
    expect(nodes[2]).toMatchObject({ outcome: 'DENIED', changes: [], metadata: null });
    const chain = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
    expect(chain.data!.verifyAuditChain).toMatchObject({ ok: true, firstBrokenSeq: null });
  });

  it('lets OWNER and ADMIN sessions record, naming the member as submitter', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const admin = await inviteMember(env, owner, 'ADMIN');
    for (const caller of [owner, admin]) {
      const result = await env.api.call(RecordAuditEventsDocument, { input: { events: [hostEvent(1)] } }, caller);
      expect(result.errors).toBeUndefined();
    }
    const rows = await auditRows(env, owner.accountId, ['action'], { action: 'invoice.paid' });
    expect(rows).toHaveLength(2);
    const submitters = await env.sql<{ submitted_by: { type: string; id: string } }>(
      "SELECT submitted_by FROM audit_events WHERE account_id = $1 AND action = 'invoice.paid' ORDER BY seq",
      [owner.accountId],
    );
    expect(submitters.map((row) => row.submitted_by)).toEqual([
      { type: 'USER', id: owner.userId, display: owner.email, scopes: null },
      { type: 'USER', id: admin.userId, display: admin.email, scopes: null },
    ]);
  });

  it('answers a repeated idempotencyKey with the first call’s events and records nothing', async () => {
    const owner = await env.seedAccount();
    const key = await keyWith(owner, ['AUDIT_WRITE']);
    const input = { events: [hostEvent(1), hostEvent(2)], idempotencyKey: 'batch-2026-11-30-001' };
    const first = await env.api.call(RecordAuditEventsDocument, { input }, { token: key });
    expect(first.errors).toBeUndefined();
    const seqAfterFirst = await rowCount(owner.accountId);
    const again = await env.api.call(RecordAuditEventsDocument, { input }, { token: key });
    expect(again.errors).toBeUndefined();
    expect(again.data!.recordAuditEvents.replayed).toBe(true);
    expect(again.data!.recordAuditEvents.events).toEqual(first.data!.recordAuditEvents.events);
    // Even with other events under the same key: the first result, nothing recorded.
    const different = await env.api.call(
      RecordAuditEventsDocument,
      { input: { ...input, events: [hostEvent(3)] } },
      { token: key },
    );
    expect(different.data!.recordAuditEvents.events).toEqual(first.data!.recordAuditEvents.events);
    expect(await rowCount(owner.accountId)).toBe(seqAfterFirst);
    // Concurrent retries of a new key record once.
    const concurrent = { events: [hostEvent(4)], idempotencyKey: 'concurrent' };
    const results = await Promise.all(
      [1, 2, 3].map(() => env.api.call(RecordAuditEventsDocument, { input: concurrent }, { token: key })),
    );
    expect(new Set(results.map((result) => result.data!.recordAuditEvents.events[0]!.id)).size).toBe(1);
    expect(await rowCount(owner.accountId)).toBe(seqAfterFirst + 1);
  });

  it.each<[string, (events: AuditEventInput[]) => void, string]>([
    ['a malformed action', (events) => (events[3]!.action = 'Invoice Paid'), 'events[3].action'],
    ['an action without a dot', (events) => (events[3]!.action = 'invoice'), 'events[3].action'],
    [
      'a target type that is not a lower-case word',
      (events) => (events[1]!.target.type = 'Invoice'),
      'events[1].target.type',
    ],
    ['an empty actor id', (events) => (events[2]!.actor.id = '  '), 'events[2].actor.id'],
    [
      'a bidirectional control in a display',
      (events) => (events[0]!.actor.display = 'evil\u202egnp.exe'),
      'events[0].actor.display',
    ],
    ['metadata that is not an object', (events) => (events[4]!.metadata = [1, 2]), 'events[4].metadata'],
  ])(
    'refuses %s with BAD_USER_INPUT naming index and field, recording nothing of the call',
    async (_what, spoil, field) => {
      const owner = await env.seedAccount();
      const events = [0, 1, 2, 3, 4].map((index) => hostEvent(index));
      spoil(events);
      const before = await rowCount(owner.accountId);
      const result = await env.api.call(RecordAuditEventsDocument, { input: { events } }, { token: owner.token });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0]!.extensions!.field).toBe(field);
      expect(result.errors![0]!.message).toContain(field);
      expect(await rowCount(owner.accountId)).toBe(before);
    },
  );

  it.each([
    'api_key.revoked',
    'account.deleted',
    'member.invited',
    'audit.viewed',
    'session.started',
    'plan.changed',
    'settings.updated',
  ])('refuses the reserved action %s', async (action) => {
    const owner = await env.seedAccount();
    const before = await rowCount(owner.accountId);
    const result = await env.api.call(
      RecordAuditEventsDocument,
      { input: { events: [hostEvent(0), hostEvent(1, { action })] } },
      { token: owner.token },
    );
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.extensions!.field).toBe('events[1].action');
    expect(result.errors![0]!.message).toMatch(/keyledger's own/);
    expect(await rowCount(owner.accountId)).toBe(before);
  });

  it('refuses more than 500 events, and none', async () => {
    const owner = await env.seedAccount();
    const before = await rowCount(owner.accountId);
    const tiny = { action: 'x.y', actor: { type: 'SYSTEM' as const, id: 's' }, target: { type: 't' } };
    const now = new Date().toISOString();
    const many = Array.from({ length: 501 }, () => ({ ...tiny, occurredAt: now }));
    for (const events of [many, []]) {
      const result = await env.api.call(RecordAuditEventsDocument, { input: { events } }, { token: owner.token });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0]!.extensions!.field).toBe('events');
    }
    const exactly500 = await env.api.call(
      RecordAuditEventsDocument,
      { input: { events: many.slice(1) } },
      { token: owner.token },
    );
    expect(exactly500.errors).toBeUndefined();
    expect(await rowCount(owner.accountId)).toBe(before + 500);
  });

  it('refuses an occurredAt more than 5 minutes in the future, and takes one within the skew', async () => {
    const owner = await env.seedAccount();
    const before = await rowCount(owner.accountId);
    const late = hostEvent(1, { occurredAt: new Date(Date.now() + 6 * 60_000).toISOString() });
    const refused = await env.api.call(
      RecordAuditEventsDocument,
      { input: { events: [hostEvent(0), late] } },
      { token: owner.token },
    );
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.extensions!.field).toBe('events[1].occurredAt');
    expect(await rowCount(owner.accountId)).toBe(before);
    const skewed = hostEvent(1, { occurredAt: new Date(Date.now() + 60_000).toISOString() });
    const taken = await env.api.call(
      RecordAuditEventsDocument,
      { input: { events: [skewed] } },
      { token: owner.token },
    );
    expect(taken.errors).toBeUndefined();
  });

  it('refuses metadata over 8 kB', async () => {
    const owner = await env.seedAccount();
    const before = await rowCount(owner.accountId);
    const big = hostEvent(0, { metadata: { blob: 'x'.repeat(8 * 1024) } });
    const result = await env.api.call(
      RecordAuditEventsDocument,
      { input: { events: [hostEvent(1), big] } },
      { token: owner.token },
    );
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.extensions!.field).toBe('events[1].metadata');
    expect(await rowCount(owner.accountId)).toBe(before);
    const fits = hostEvent(0, { metadata: { blob: 'x'.repeat(8 * 1024 - 20) } });
    const taken = await env.api.call(RecordAuditEventsDocument, { input: { events: [fits] } }, { token: owner.token });
    expect(taken.errors).toBeUndefined();
  });

  it('delivers ingested events to a live subscriber, in order, after commit', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const ws = connect(env.api, owner.token);
    expect(await ws.acked).toBe(true);
    const subscription = ws.subscribe(IngestedAuditEventStreamDocument, { filter: { actions: ['invoice.*'] } });
    // The subscription is live once a keyledger event written after it arrives; host events follow it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const key = await keyWith(owner, ['AUDIT_WRITE']);
    const events = [0, 1, 2, 3, 4].map((index) => hostEvent(index, { action: `invoice.step_${index}` }));
    const result = await env.api.call(RecordAuditEventsDocument, { input: { events } }, { token: key });
    expect(result.errors).toBeUndefined();
    const delivered = await subscription.waitFor(5);
    expect(delivered.map((item) => item.auditEvents.action)).toEqual(events.map((event) => event.action));
    expect(delivered.map((item) => item.auditEvents.seq)).toEqual(
      result.data!.recordAuditEvents.events.map((event) => event.seq),
    );
    expect(delivered[0]!.auditEvents.submittedBy).toMatchObject({ type: 'API_KEY' });
  });

  it('lets a FREE account record, but not read what it recorded', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const key = await keyWith(owner, ['AUDIT_WRITE', 'AUDIT_READ']);
    const result = await env.api.call(RecordAuditEventsDocument, { input: { events: [hostEvent(1)] } }, { token: key });
    expect(result.errors).toBeUndefined();
    expect(await auditRows(env, owner.accountId, ['action'], { action: 'invoice.paid' })).toHaveLength(1);
    const read = await env.api.call(IngestedAuditEventsDocument, { first: 5 }, { token: key });
    expect(read.data!.auditEvents).toBeNull();
    expect(errorCodes(read)).toEqual(['ENTITLEMENT_REQUIRED']);
  });

  it('refuses a key without audit:write with FORBIDDEN and records the denial', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await keyWith(owner, ['AUDIT_READ', 'KEYS_WRITE']);
    const before = await rowCount(owner.accountId);
    const result = await env.api.call(RecordAuditEventsDocument, { input: { events: [hostEvent(1)] } }, { token: key });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    const rows = await auditRows(env, owner.accountId, ['action', 'outcome', 'actor_type', 'target_type'], {
      afterSeq: before,
    });
    expect(rows).toEqual([
      { action: 'audit.events_recorded', outcome: 'DENIED', actor_type: 'API_KEY', target_type: 'audit_log' },
    ]);
  });

  it('refuses a MEMBER session with FORBIDDEN, recording only the denial', async () => {
    const owner = await env.seedAccount();
    const member = await inviteMember(env, owner, 'MEMBER');
    const before = await rowCount(owner.accountId);
    const result = await env.api.call(
      RecordAuditEventsDocument,
      { input: { events: [hostEvent(1)] } },
      { token: member.token },
    );
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await auditRows(env, owner.accountId, ['action', 'outcome'], { afterSeq: before })).toEqual([
      { action: 'audit.events_recorded', outcome: 'DENIED' },
    ]);
  });

  it('records into the caller’s own account only', async () => {
    const a = await env.seedAccount({ plan: Plan.PREMIUM });
    const b = await env.seedAccount({ plan: Plan.PREMIUM });
    const bBefore = await rowCount(b.accountId);
    const result = await env.api.call(RecordAuditEventsDocument, { input: { events: [hostEvent(7)] } }, a);
    expect(result.errors).toBeUndefined();
    expect(await rowCount(b.accountId)).toBe(bBefore);
    const seen = await env.api.call(
      IngestedAuditEventsDocument,
      { first: 10, filter: { actions: ['invoice.*'] } },
      { token: b.token },
    );
    expect(seen.data!.auditEvents!.edges).toEqual([]);
    const own = await env.api.call(
      IngestedAuditEventsDocument,
      { first: 10, filter: { actions: ['invoice.*'] } },
      { token: a.token },
    );
    expect(own.data!.auditEvents!.edges).toHaveLength(1);
  });

  it('keeps the chain verifiable across batches interleaved with keyledger’s own events, and detects tampering with ingested fields', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const key = await keyWith(owner, ['AUDIT_WRITE']);
    await Promise.all(
      [0, 1, 2, 3].map((batch) =>
        env.api.call(
          RecordAuditEventsDocument,
          { input: { events: [0, 1, 2, 3, 4].map((index) => hostEvent(batch * 10 + index)) } },
          { token: key },
        ),
      ),
    );
    await createApiKey(env.api, owner.token, { name: 'between batches' });
    const verified = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
    expect(verified.data!.verifyAuditChain).toMatchObject({ ok: true, firstBrokenSeq: null });
    const [row] = await env.sql<{ seq: string }>(
      "SELECT seq FROM audit_events WHERE account_id = $1 AND action = 'invoice.paid' ORDER BY seq LIMIT 1",
      [owner.accountId],
    );
    await tamperAuditEvents(env, [
      "UPDATE audit_events SET reported_at = reported_at - interval '1 day' WHERE account_id = $1 AND seq = $2",
      [owner.accountId, row!.seq],
    ]);
    const broken = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
    expect(broken.data!.verifyAuditChain).toMatchObject({ ok: false, firstBrokenSeq: Number(row!.seq) });
  });

  it('exports ingested events with reportedAt and submittedBy, as the API shows them (NDJSON and CSV)', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await keyWith(owner, ['AUDIT_WRITE']);
    const reportedAt = '2026-11-02T08:30:00.500Z';
    const recorded = await env.api.call(
      RecordAuditEventsDocument,
      { input: { events: [hostEvent(0, { occurredAt: reportedAt }), hostEvent(1)] } },
      { token: key },
    );
    expect(recorded.errors).toBeUndefined();
    const filter = { actions: ['invoice.*'] };
    const exported = async (format: 'NDJSON' | 'CSV') => {
      const created = await env.api.call(CreateAuditExportDocument, { input: { format, filter } }, owner);
      expect(created.errors).toBeUndefined();
      return (await fetch(created.data!.createAuditExport!.downloadUrl)).text();
    };
    const lines = (await exported('NDJSON'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    const api = await env.api.call(AuditEventsDocument, { first: 10, filter, order: 'OLDEST_FIRST' }, owner);
    expect(lines).toEqual(JSON.parse(JSON.stringify(api.data!.auditEvents!.edges.map((edge) => edge.node))));
    expect(lines[0]).toMatchObject({ reportedAt, submittedBy: { type: 'API_KEY', scopes: ['AUDIT_WRITE'] } });

    const [header, ...rows] = parseCsv(await exported('CSV'));
    const first = Object.fromEntries(header!.map((column, i) => [column, rows[0]![i]!]));
    expect(first).toMatchObject({
      action: 'invoice.paid',
      actorType: 'USER',
      actorId: 'usr_0',
      reportedAt,
      submittedByType: 'API_KEY',
      submittedByScopes: 'AUDIT_WRITE',
    });
  });

  it('records over WebSocket too, and refuses a bad event there the same way', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await keyWith(owner, ['AUDIT_WRITE']);
    const ws = connect(env.api, key);
    expect(await ws.acked).toBe(true);
    const before = await rowCount(owner.accountId);
    const bad = ws.subscribe(RecordAuditEventsDocument, {
      input: { events: [hostEvent(0), hostEvent(1, { action: 'member.invited' })] },
    });
    expect(await bad.ended).toBe('complete');
    expect(bad.errors.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'events[1].action'],
    ]);
    expect(await rowCount(owner.accountId)).toBe(before);
    const good = ws.subscribe(RecordAuditEventsDocument, {
      input: { events: [hostEvent(0), hostEvent(1)], idempotencyKey: 'over-ws' },
    });
    const [result] = await good.waitFor(1);
    expect(result!.recordAuditEvents.events.map((event) => event.seq)).toEqual([before + 1, before + 2]);
    const replay = ws.subscribe(RecordAuditEventsDocument, {
      input: { events: [hostEvent(2)], idempotencyKey: 'over-ws' },
    });
    const [replayed] = await replay.waitFor(1);
    expect(replayed!.recordAuditEvents).toEqual({ ...result!.recordAuditEvents, replayed: true });
    expect(await rowCount(owner.accountId)).toBe(before + 2);
  });

  it('filters the log by who submitted: the events one key recorded, in the query and the live feed', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const first = await createApiKey(env.api, owner.token, { name: 'billing', scopes: ['AUDIT_WRITE'] });
    const second = await createApiKey(env.api, owner.token, { name: 'crm', scopes: ['AUDIT_WRITE'] });
    const ws = connect(env.api, owner.token);
    expect(await ws.acked).toBe(true);
    const live = ws.subscribe(IngestedAuditEventStreamDocument, { filter: { submittedById: second.id } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await env.api.call(
      RecordAuditEventsDocument,
      { input: { events: [hostEvent(1), hostEvent(2)] } },
      { token: first.secret },
    );
    await env.api.call(RecordAuditEventsDocument, { input: { events: [hostEvent(3)] } }, { token: second.secret });
    const page = await env.api.call(
      IngestedAuditEventsDocument,
      { first: 10, filter: { submittedById: first.id } },
      owner,
    );
    expect(page.data!.auditEvents!.edges.map((edge) => edge.node.actor.id)).toEqual(['usr_2', 'usr_1']);
    const [delivered] = await live.waitFor(1);
    expect(delivered!.auditEvents).toMatchObject({ actor: { id: 'usr_3' }, submittedBy: { id: second.id } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.results).toHaveLength(1);
  });
});
