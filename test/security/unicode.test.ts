import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import {
  AuditEventsDocument,
  AuditEventStreamDocument,
  CreateApiKeyDocument,
  FilteredApiKeysDocument,
  InviteMemberDocument,
  TransferApiKeyDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UpdateApiKeyDocument,
  VerifyAuditChainDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq } from '../support/audit';
import { createApiKey, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type GraphQLResult, type SeededAccount, type TestEnv } from '../support/harness';
import { connectWsPerTest } from '../support/ws';

/**
 * Text that is not well-formed Unicode, replayed against a real server over
 * HTTP and WebSocket: a lone UTF-16 surrogate or a NUL in any string input is
 * refused at the boundary (BAD_USER_INPUT naming the argument) before anything
 * is written, key names cannot carry invisible or reordering characters, and
 * whatever the audit log records (cut to length or not) is hashed exactly as
 * PostgreSQL stores it, so the chain stays verifiable.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const connectWs = connectWsPerTest();

const LONE_HIGH = 'x\ud800';
const LONE_LOW = '\udc00y';
const REVERSED_PAIR = '\udc00\ud800';
const NUL = 'a\u0000b';

/** Inputs that are not well-formed Unicode text without NUL, each named for the test titles. */
const MALFORMED: [string, string][] = [
  ['a lone high surrogate', LONE_HIGH],
  ['a lone low surrogate', LONE_LOW],
  ['a reversed surrogate pair', REVERSED_PAIR],
  ['a NUL', NUL],
];

/** A raw document: these operations are not ones a client would ship. */
function raw(source: string): TypedDocumentNode<Record<string, unknown>, Record<string, unknown>> {
  return parse(source) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
}

/** Everything a request could have written: every table's row count and the audit events' content. */
async function writtenState(): Promise<string> {
  const [row] = await env.sql<{ state: string }>(`
    SELECT concat_ws(';',
      (SELECT count(*) FROM api_keys), (SELECT count(*) FROM users), (SELECT count(*) FROM memberships),
      (SELECT count(*) FROM idempotency_keys), (SELECT count(*) FROM audit_events),
      (SELECT coalesce(string_agg(concat_ws('|', id, name, description, revoked_at, rotated_at), ',' ORDER BY id), '')
         FROM api_keys),
      (SELECT coalesce(string_agg(hash, ',' ORDER BY account_id, seq), '') FROM audit_events)) AS state`);
  return row!.state;
}

/** Runs `call`, expects one BAD_USER_INPUT naming `field`, and that nothing at all was written. */
async function expectRefusedWithoutWrites<T>(
  call: () => Promise<GraphQLResult<T>>,
  field: string,
): Promise<GraphQLResult<T>> {
  const before = await writtenState();
  const result = await call();
  expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  expect(result.errors![0]!.extensions?.field).toBe(field);
  expect(await writtenState()).toBe(before);
  return result;
}

async function expectChainOk(owner: SeededAccount): Promise<void> {
  const result = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
  expect(result.errors).toBeUndefined();
  expect(result.data!.verifyAuditChain).toMatchObject({ ok: true, firstBrokenSeq: null, reason: null });
}

/** A PREMIUM account (the audit log is readable), one key of its OWNER's, and a MEMBER of it. */
async function accountWithMember() {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  const key = await createApiKey(env.api, owner.token, { name: 'deploy' });
  const member = await inviteMember(env, owner, 'MEMBER');
  return { owner, key, member };
}

describe('a lone surrogate or NUL in an argument', () => {
  it('keeps the chain verifiable after a DENIED attempt with a lone surrogate', async () => {
    const { owner, member } = await accountWithMember();
    const result = await expectRefusedWithoutWrites(
      () => env.api.call(RotateApiKeyDocument, { input: { id: LONE_HIGH } }, { token: member.token }),
      'id',
    );
    expect(result.data?.rotateApiKey ?? null).toBeNull();
    await expectChainOk(owner);
  });

  it.each(MALFORMED)('refuses %s in a created key’s name without writing or logging SQL', async (_what, text) => {
    const { owner } = await accountWithMember();
    const logged = env.api.logs.length;
    await expectRefusedWithoutWrites(
      () =>
        env.api.call(
          CreateApiKeyDocument,
          { input: { name: text, purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
          { token: owner.token },
        ),
      'name',
    );
    expect(env.api.logs.slice(logged).join('')).not.toMatch(/insert into|unexpected error/i);
    await expectChainOk(owner);
  });

  it.each(MALFORMED)('refuses %s in every string argument of the key mutations', async (_what, text) => {
    const { owner, key, member } = await accountWithMember();
    const calls: [() => Promise<GraphQLResult<unknown>>, string][] = [
      [
        () =>
          env.api.call(
            CreateApiKeyDocument,
            { input: { name: 'ok', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'], description: text } },
            { token: owner.token },
          ),
        'description',
      ],
      [
        () =>
          env.api.call(
            CreateApiKeyDocument,
            { input: { name: 'ok', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'], idempotencyKey: text } },
            { token: owner.token },
          ),
        'idempotencyKey',
      ],
      [() => env.api.call(RevokeApiKeyDocument, { input: { id: text } }, { token: member.token }), 'id'],
      [
        () => env.api.call(RevokeApiKeyDocument, { input: { id: key.id, reason: text } }, { token: owner.token }),
        'reason',
      ],
      [() => env.api.call(UpdateApiKeyDocument, { input: { id: key.id, name: text } }, { token: owner.token }), 'name'],
      [
        () =>
          env.api.call(
            InviteMemberDocument,
            { input: { email: `${text}@example.test`, role: 'MEMBER' } },
            { token: member.token },
          ),
        'email',
      ],
    ];
    for (const [call, field] of calls) await expectRefusedWithoutWrites(call, field);
    await expectChainOk(owner);
  });

  it('refuses a lone surrogate in an audit filter instead of failing to record the view', async () => {
    const { owner } = await accountWithMember();
    await expectRefusedWithoutWrites(
      () => env.api.call(AuditEventsDocument, { first: 5, filter: { actorId: LONE_HIGH } }, { token: owner.token }),
      'filter.actorId',
    );
    await expectRefusedWithoutWrites(
      () =>
        env.api.call(
          AuditEventsDocument,
          { first: 5, filter: { actions: ['api_key.created', NUL] } },
          { token: owner.token },
        ),
      'filter.actions.1',
    );
    await expectChainOk(owner);
  });

  it('refuses a NUL written as an escape in the document itself', async () => {
    const { owner } = await accountWithMember();
    await expectRefusedWithoutWrites(
      () =>
        env.api.call(
          raw(
            'mutation { createApiKey(input: {name: "a\\u0000b", purpose: LONG_RUNNING_WORKFLOW, scopes: [KEYS_READ]}) { secret } }',
          ),
          {},
          { token: owner.token },
        ),
      'name',
    );
  });

  it('refuses a lone surrogate in a subscription filter over WebSocket', async () => {
    const { owner } = await accountWithMember();
    const before = await writtenState();
    const ws = connectWs(env.api, owner.token);
    const subscription = ws.subscribe(AuditEventStreamDocument, { filter: { targetId: LONE_HIGH } });
    expect(await subscription.ended).toBe('error');
    expect(subscription.errors.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'filter.targetId'],
    ]);
    expect(await writtenState()).toBe(before);
  });

  it('accepts well-formed text outside the Basic Multilingual Plane and stores it as sent', async () => {
    const { owner } = await accountWithMember();
    const name = 'deploy 🔑 𝔵 漢字';
    const created = await createApiKey(env.api, owner.token, { name, description: 'rollout ✅' });
    expect(created.apiKey.name).toBe(name);
    const [row] = await env.sql<{ name: string }>('SELECT name FROM api_keys WHERE id = $1', [created.id]);
    expect(row!.name).toBe(name);
    await expectChainOk(owner);
  });
});

describe('invisible and reordering characters in key names', () => {
  const HIDDEN: [string, string][] = [
    ['U+202A', '\u202a'],
    ['U+202B', '\u202b'],
    ['U+202C', '\u202c'],
    ['U+202D', '\u202d'],
    ['U+202E', '\u202e'],
    ['U+2066', '\u2066'],
    ['U+2067', '\u2067'],
    ['U+2068', '\u2068'],
    ['U+2069', '\u2069'],
    ['U+200E', '\u200e'],
    ['U+200F', '\u200f'],
    ['U+061C', '\u061c'],
    ['U+200B', '\u200b'],
    ['U+200C', '\u200c'],
    ['U+200D', '\u200d'],
    ['U+2060', '\u2060'],
    ['U+FEFF', '\ufeff'],
  ];

  it.each(HIDDEN)('refuses %s in a key’s name and description, created or updated', async (_code, char) => {
    const { owner, key } = await accountWithMember();
    const spoofed = `invoice${char}gpj.exe`;
    const input = { purpose: 'LONG_RUNNING_WORKFLOW' as const, scopes: ['KEYS_READ' as const] };
    await expectRefusedWithoutWrites(
      () => env.api.call(CreateApiKeyDocument, { input: { ...input, name: spoofed } }, { token: owner.token }),
      'name',
    );
    await expectRefusedWithoutWrites(
      () =>
        env.api.call(
          CreateApiKeyDocument,
          { input: { ...input, name: 'ok', description: spoofed } },
          { token: owner.token },
        ),
      'description',
    );
    await expectRefusedWithoutWrites(
      () => env.api.call(UpdateApiKeyDocument, { input: { id: key.id, name: spoofed } }, { token: owner.token }),
      'name',
    );
    await expectRefusedWithoutWrites(
      () => env.api.call(UpdateApiKeyDocument, { input: { id: key.id, description: spoofed } }, { token: owner.token }),
      'description',
    );
  });

  it('accepts right-to-left text that carries no direction controls', async () => {
    const { owner } = await accountWithMember();
    const created = await createApiKey(env.api, owner.token, { name: 'מפתח פריסה', description: 'مفتاح النشر' });
    expect(created.apiKey.name).toBe('מפתח פריסה');
  });
});

describe('what the audit log cuts to length', () => {
  it('keeps the chain verifiable after a DENIED attempt whose long name is cut inside an emoji', async () => {
    const { owner, member } = await accountWithMember();
    const after = await lastAuditSeq(env, owner.accountId);
    // 99 letters, then a pair at code units 99–100: a cut at 100 code units would split it.
    const name = `${'a'.repeat(99)}🔑tail`;
    const result = await env.api.call(
      CreateApiKeyDocument,
      { input: { name, purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: member.token },
    );
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    const rows = await auditRows(env, owner.accountId, ['action', 'outcome', 'target_display'], { afterSeq: after });
    expect(rows).toEqual([{ action: 'api_key.created', outcome: 'DENIED', target_display: 'a'.repeat(99) }]);
    await expectChainOk(owner);
  });

  it('keeps the chain verifiable after a DENIED invitation whose long email is cut inside an emoji', async () => {
    const { owner, member } = await accountWithMember();
    const after = await lastAuditSeq(env, owner.accountId);
    const email = `${'b'.repeat(253)}🔑@example.test`;
    const result = await env.api.call(
      InviteMemberDocument,
      { input: { email, role: 'MEMBER' } },
      { token: member.token },
    );
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    const rows = await auditRows(env, owner.accountId, ['outcome', 'target_display'], { afterSeq: after });
    expect(rows).toEqual([{ outcome: 'DENIED', target_display: 'b'.repeat(253) }]);
    await expectChainOk(owner);
  });

  it('records a long User-Agent cut to 512 characters and the chain still verifies', async () => {
    const { owner, member } = await accountWithMember();
    const after = await lastAuditSeq(env, owner.accountId);
    // Header bytes above 0x7f arrive as Latin-1 characters: well-formed, one code unit each.
    const userAgent = `agent/${'é'.repeat(600)}`;
    const result = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: '00000000-0000-4000-8000-000000000000' } },
      { token: member.token, headers: { 'user-agent': userAgent } },
    );
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    const rows = await auditRows(env, owner.accountId, ['user_agent'], { afterSeq: after });
    expect(rows).toEqual([{ user_agent: userAgent.slice(0, 512) }]);
    await expectChainOk(owner);
  });
});

describe('hostile values in the inputs of key owners, hand-off and hygiene', () => {
  it.each(MALFORMED)(
    'refuses %s in handoffTo, filter.search and a transfer reason, writing nothing',
    async (_what, bad) => {
      const { owner, key, member } = await accountWithMember();
      await expectRefusedWithoutWrites(
        () =>
          env.api.call(
            CreateApiKeyDocument,
            { input: { name: 'handed', purpose: 'TEAM_HANDOFF', handoffTo: bad, scopes: ['KEYS_READ'] } },
            { token: owner.token },
          ),
        'handoffTo',
      );
      await expectRefusedWithoutWrites(
        () => env.api.call(FilteredApiKeysDocument, { filter: { search: bad } }, { token: owner.token }),
        'filter.search',
      );
      await expectRefusedWithoutWrites(
        () =>
          env.api.call(
            TransferApiKeyDocument,
            { input: { id: key.id, toUserId: member.userId, reason: bad } },
            { token: owner.token },
          ),
        'reason',
      );
      await expectChainOk(owner);
    },
  );

  it('refuses an over-long hand-off team and a 1 MB one, writing nothing', async () => {
    const { owner } = await accountWithMember();
    await expectRefusedWithoutWrites(
      () =>
        env.api.call(
          CreateApiKeyDocument,
          { input: { name: 'handed', purpose: 'TEAM_HANDOFF', handoffTo: 'x'.repeat(101), scopes: ['KEYS_READ'] } },
          { token: owner.token },
        ),
      'handoffTo',
    );
    const before = await writtenState();
    const huge = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'handed', purpose: 'TEAM_HANDOFF', handoffTo: 'x'.repeat(1_000_000), scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    expect(huge.status).toBe(413);
    expect(errorCodes(huge)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(await writtenState()).toBe(before);
  });

  it('refuses to transfer a key to another account’s member or to read another account’s owner, writing nothing', async () => {
    const { owner, key } = await accountWithMember();
    const other = await env.seedAccount({ plan: Plan.PREMIUM });
    await expectRefusedWithoutWrites(
      () =>
        env.api.call(TransferApiKeyDocument, { input: { id: key.id, toUserId: other.userId } }, { token: owner.token }),
      'toUserId',
    );
    const foreign = await env.api.call(
      FilteredApiKeysDocument,
      { filter: { ownerId: owner.userId } },
      { token: other.token },
    );
    expect(foreign.data!.apiKeys.totalCount).toBe(0);
  });
});
