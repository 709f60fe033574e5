import 'reflect-metadata';
import { GENESIS_HASH, canonicalJson, computeEventHash, hashedContent } from '../../src/audit/audit-chain';
import { AuditActorType, AuditChannel, AuditOutcome } from '../../src/audit/audit-event.entity';
import { auditedTransaction, type Caller } from '../../src/audit/audit.recorder';
import type { AuditEventRecord } from '../../src/audit/audit.records';
import {
  CreateApiKeyDocument,
  UpdateApiKeyDocument,
  VerifyAuditChainDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRecords, tamperAuditEvents } from '../support/audit';
import { createApiKey } from '../support/fixtures';
import { startTestEnv, type SeededAccount, type TestEnv } from '../support/harness';

/**
 * What the chain's hashes cover: fixed events with their hashes written down
 * once (so that leaving any field out of the hash, or changing how it is
 * encoded, fails here), and every hashed column changed in the database as a
 * superuser would, which verification must catch.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

/** Three chained events that between them set every field, non-ASCII text and nested JSON included. */
function knownEvents(): AuditEventRecord[] {
  const first: AuditEventRecord = {
    id: '0b5d3c1e-7a4f-4c2b-9e61-3f0a8d2c5b17',
    accountId: 'a3c9e2f4-1b6d-4e8a-b5c7-9d0f2e4a6b81',
    seq: 1,
    occurredAt: new Date('2026-11-26T09:30:00.125Z'),
    action: 'account.created',
    outcome: AuditOutcome.SUCCESS,
    actorType: AuditActorType.USER,
    actorId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
    actorDisplay: 'owner@example.test',
    actorScopes: null,
    targetType: 'account',
    targetId: 'a3c9e2f4-1b6d-4e8a-b5c7-9d0f2e4a6b81',
    targetDisplay: 'Acme',
    changes: [{ field: 'plan', before: null, after: 'PREMIUM' }],
    metadata: { source: 'bootstrap' },
    ip: '198.51.100.7',
    userAgent: 'keyledger-test/1.0',
    requestId: 'req-0001',
    prevHash: GENESIS_HASH,
    hash: 'e730724632e577dd512837e0777e9b6abd17350f832fa4c962808afcf1fb7392',
  };
  const second: AuditEventRecord = {
    id: '5e8f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b',
    accountId: first.accountId,
    seq: 2,
    occurredAt: new Date('2026-11-26T09:31:07.004Z'),
    action: 'api_key.revoked',
    outcome: AuditOutcome.DENIED,
    actorType: AuditActorType.API_KEY,
    actorId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
    actorDisplay: 'kl_live_AbCd…WxYz',
    actorScopes: ['keys:read', 'audit:read'],
    targetType: 'api_key',
    targetId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    targetDisplay: 'deploy 🔑',
    changes: [],
    metadata: { reason: 'keys:write is required', nested: { b: 2, a: [1, 'x'] } },
    ip: '2001:db8::1',
    userAgent: 'curl/8.5.0',
    requestId: 'req-0002',
    prevHash: first.hash,
    hash: 'efbb5a17727b6115d0871ad51c475e200d8a82a82ede6adbdd35fac5e8af9440',
  };
  const third: AuditEventRecord = {
    id: 'f0e1d2c3-b4a5-4968-8776-655443322110',
    accountId: first.accountId,
    seq: 3,
    occurredAt: new Date('2026-11-27T00:00:00.000Z'),
    action: 'audit.purged',
    outcome: AuditOutcome.SUCCESS,
    actorType: AuditActorType.SYSTEM,
    actorId: null,
    actorDisplay: 'system',
    actorScopes: null,
    targetType: null,
    targetId: null,
    targetDisplay: null,
    changes: [],
    metadata: null,
    ip: null,
    userAgent: null,
    requestId: null,
    prevHash: second.hash,
    hash: '6045e73b38231d081512cfc0368abc432fa3c05365a5158d6f628c810a55ca68',
  };
  return [first, second, third];
}

/** A different value of the same type for every hashed field of an event. */
const OTHER_VALUES: { [K in keyof AuditEventRecord]: AuditEventRecord[K] } = {
  id: '00000000-0000-4000-8000-000000000001',
  accountId: '00000000-0000-4000-8000-000000000002',
  seq: 99,
  occurredAt: new Date('2030-01-01T00:00:00.001Z'),
  action: 'settings.updated',
  outcome: AuditOutcome.DENIED,
  actorType: AuditActorType.USER,
  actorId: '00000000-0000-4000-8000-000000000003',
  actorDisplay: 'mallory@example.test',
  actorScopes: ['members:write'],
  targetType: 'user',
  targetId: '00000000-0000-4000-8000-000000000004',
  targetDisplay: 'someone else',
  changes: [{ field: 'role', before: 'MEMBER', after: 'OWNER' }],
  metadata: { forged: true },
  ip: '203.0.113.66',
  userAgent: 'forged-agent',
  requestId: 'forged-request',
  via: AuditChannel.MCP,
  prevHash: 'f'.repeat(64),
  hash: 'e'.repeat(64),
};

/** `OTHER_VALUES[field]`, or for an enum a value the event does not already have. */
function otherValue(event: AuditEventRecord, field: keyof AuditEventRecord): unknown {
  if (field === 'outcome') return event.outcome === AuditOutcome.DENIED ? AuditOutcome.SUCCESS : AuditOutcome.DENIED;
  if (field === 'actorType')
    return event.actorType === AuditActorType.USER ? AuditActorType.SYSTEM : AuditActorType.USER;
  return OTHER_VALUES[field];
}

describe('event hashes (known answers)', () => {
  it('hashes fixed events to the hashes written down when the format was fixed', () => {
    const events = knownEvents();
    for (const event of events) expect(computeEventHash(event.prevHash, event)).toBe(event.hash);
  });

  it('hashes the canonical JSON of every field, keys sorted at every depth, after the previous hash', () => {
    const [first] = knownEvents();
    expect(canonicalJson(hashedContent(first!))).toBe(
      '{"accountId":"a3c9e2f4-1b6d-4e8a-b5c7-9d0f2e4a6b81","action":"account.created",' +
        '"actor":{"display":"owner@example.test","id":"c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f","scopes":null,"type":"USER"},' +
        '"changes":[{"after":"PREMIUM","before":null,"field":"plan"}],"id":"0b5d3c1e-7a4f-4c2b-9e61-3f0a8d2c5b17",' +
        '"ip":"198.51.100.7","metadata":{"source":"bootstrap"},"occurredAt":"2026-11-26T09:30:00.125Z",' +
        '"outcome":"SUCCESS","requestId":"req-0001","seq":1,' +
        '"target":{"display":"Acme","id":"a3c9e2f4-1b6d-4e8a-b5c7-9d0f2e4a6b81","type":"account"},' +
        '"userAgent":"keyledger-test/1.0"}',
    );
  });

  it('writes the same canonical JSON as stringifying a key-sorted copy, for every kind of value metadata can hold', () => {
    /** The definition the stored hashes were made with: a copy with sorted keys, then JSON.stringify. */
    const sorted = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sorted);
      if (value instanceof Date) return value.toISOString();
      if (value && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) {
          const item = (value as Record<string, unknown>)[key];
          if (item !== undefined) out[key] = sorted(item);
        }
        return out;
      }
      return value;
    };
    class Money {
      constructor(readonly cents: number) {}
    }
    const values: unknown[] = [
      null,
      'plain',
      'quote " backslash \\ newline \n tab \t \u0001 \u2028 é 😀',
      0,
      -0,
      1.5e300,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      [],
      {},
      [1, 'two', null, undefined, () => 1, [3, [4]], { b: 1, a: 2 }],
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      { z: 1, a: { y: [{ d: 1, c: 2 }], b: undefined }, m: null, f: () => 1, é: 1, E: 2, '10': 3, '9': 4 },
      JSON.parse('{"__proto__": {"polluted": true}, "kept": 1}'),
      JSON.parse('{"__proto__": 5, "kept": 1}'),
      Object.assign(Object.create(null), { b: 2, a: 1 }),
      { when: new Date('2026-11-30T08:00:00.000Z'), list: [new Date(0)] },
      { money: new Money(250), json: { toJSON: () => ({ z: 1, a: 2 }) } },
      { nested: { deeper: { deepest: ['x', { q: 'r', p: 's' }] } } },
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(JSON.stringify(sorted(value)));
  });

  it('keeps the hash of a GRAPHQL event (as every event before channels was) and covers any other channel', () => {
    for (const event of knownEvents()) {
      expect(computeEventHash(event.prevHash, { ...event, via: AuditChannel.GRAPHQL })).toBe(event.hash);
      for (const via of [AuditChannel.MCP, AuditChannel.CLI]) {
        const other = { ...event, via };
        expect(canonicalJson(hashedContent(other))).toContain(`"via":"${via}"`);
        expect(computeEventHash(other.prevHash, other)).not.toBe(event.hash);
      }
    }
  });

  it.each(Object.keys(OTHER_VALUES).filter((field) => field !== 'hash') as (keyof AuditEventRecord)[])(
    'changes the hash when %s changes',
    (field) => {
      for (const event of knownEvents()) {
        const changed = { ...event, [field]: otherValue(event, field) };
        expect(computeEventHash(changed.prevHash, changed)).not.toBe(computeEventHash(event.prevHash, event));
      }
    },
  );
});

async function verify(owner: SeededAccount) {
  const result = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
  expect(result.errors).toBeUndefined();
  return result.data!.verifyAuditChain!;
}

/**
 * A PREMIUM account whose seq 4 has every column set: an API key (actor with
 * scopes) renames another key (target, changes) with a User-Agent and a
 * request id; seq 5 follows it.
 */
async function accountWithFullEvent(): Promise<{ owner: SeededAccount; target: AuditEventRecord }> {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  const writer = await createApiKey(env.api, owner.token, { name: 'writer', scopes: ['KEYS_WRITE', 'KEYS_READ'] });
  const renamed = await createApiKey(env.api, owner.token, { name: 'renamed' });
  const headers = { 'user-agent': 'tamper-test/1.0', 'x-request-id': 'tamper-test-request' };
  const update = await env.api.call(
    UpdateApiKeyDocument,
    { input: { id: renamed.id, name: 'renamed again', description: 'with a note' } },
    { token: writer.secret, headers },
  );
  expect(update.errors).toBeUndefined();
  await createApiKey(env.api, owner.token, { name: 'after' });
  const target = (await auditRecords(env, owner.accountId)).find((event) => event.seq === 4)!;
  expect(target).toMatchObject({
    action: 'api_key.updated',
    actorType: AuditActorType.API_KEY,
    actorScopes: expect.arrayContaining(['keys:write']),
    targetId: renamed.id,
    userAgent: 'tamper-test/1.0',
    requestId: 'tamper-test-request',
  });
  expect(target.changes.length).toBeGreaterThan(0);
  for (const value of [target.actorId, target.actorDisplay, target.targetType, target.targetDisplay, target.ip]) {
    expect(value).not.toBeNull();
  }
  return { owner, target };
}

describe('tampering with any hashed column', () => {
  const TAMPERED: [string, string][] = [
    ['id', 'gen_random_uuid()'],
    ['seq', 'seq + 1000'],
    ['occurred_at', `occurred_at + interval '1 millisecond'`],
    ['action', `'api_key.created'`],
    ['outcome', `'DENIED'`],
    ['actor_type', `'USER'`],
    ['actor_id', 'gen_random_uuid()::text'],
    ['actor_display', `'mallory@example.test'`],
    ['actor_scopes', `ARRAY['keys:read']`],
    ['target_type', `'user'`],
    ['target_id', 'gen_random_uuid()::text'],
    ['target_display', `'someone else'`],
    ['changes', `'[]'::jsonb`],
    ['metadata', `'{"forged": true}'::jsonb`],
    ['ip', `'203.0.113.66'`],
    ['user_agent', `'forged-agent'`],
    ['request_id', `'forged-request'`],
    ['prev_hash', `repeat('a', 64)`],
    ['hash', `repeat('b', 64)`],
  ];

  it.each(TAMPERED)('is caught when %s is changed', async (column, value) => {
    const { owner } = await accountWithFullEvent();
    expect(await verify(owner)).toMatchObject({ ok: true, brokenRanges: [] });
    await tamperAuditEvents(env, [
      `UPDATE audit_events SET ${column} = ${value} WHERE account_id = $1 AND seq = 4`,
      [owner.accountId],
    ]);
    const result = await verify(owner);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(result.brokenRanges[0]).toMatchObject({ firstSeq: 4 });
  });

  it('is caught when the event is moved to another account', async () => {
    const { owner } = await accountWithFullEvent();
    const other = await env.seedAccount({ plan: Plan.PREMIUM });
    await tamperAuditEvents(env, [
      'UPDATE audit_events SET account_id = $2, seq = 1000 WHERE account_id = $1 AND seq = 4',
      [owner.accountId, other.accountId],
    ]);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      firstBrokenSeq: 4,
      reason: expect.stringMatching(/missing/),
    });
    expect(await verify(other)).toMatchObject({ ok: false });
  });
});

describe('text PostgreSQL cannot store as given', () => {
  it('hashes an event with lone surrogates and NUL exactly as PostgreSQL stores it', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    // Internal callers are not behind the GraphQL boundary: the recorder itself must hash what is stored.
    const caller: Caller = {
      accountId: owner.accountId,
      principal: null,
      meta: { requestId: 'surrogate\ud800', ip: null, userAgent: 'agent\u0000/\udc00' },
    };
    await auditedTransaction(env.api.orm.em.fork(), caller, (_tx, audit) =>
      audit({
        action: 'test.recorded',
        target: { type: 'api_key', id: 'x\ud800', display: 'name\udc00\ud800' },
        changes: [{ field: 'name', before: 'old\u0000', after: 'new\ud83d' }],
        metadata: { 'key\ud800': ['value\u0000', { nested: '\udfff' }] },
      }),
    );
    const stored = (await auditRecords(env, owner.accountId)).at(-1)!;
    expect(stored).toMatchObject({
      targetId: 'x\ufffd',
      targetDisplay: 'name\ufffd\ufffd',
      changes: [{ field: 'name', before: 'old\ufffd', after: 'new\ufffd' }],
      metadata: { 'key\ufffd': ['value\ufffd', { nested: '\ufffd' }] },
      userAgent: 'agent\ufffd/\ufffd',
      requestId: 'surrogate\ufffd',
    });
    expect(computeEventHash(stored.prevHash, stored)).toBe(stored.hash);
    expect(await verify(owner)).toMatchObject({ ok: true, brokenRanges: [] });
  });

  it('keeps the chain verifiable when a key is created with an emoji name (a well-formed pair)', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const created = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: '🔑🔑', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    expect(created.errors).toBeUndefined();
    expect(await verify(owner)).toMatchObject({ ok: true, brokenRanges: [] });
  });
});
