import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { computeEventHash } from '../../src/audit/audit-chain';
import { ALL_SCOPES } from '../../src/auth/permissions';
import {
  ApiKeyDocument,
  ChangeMemberRoleDocument,
  ChangePlanDocument,
  CreateApiKeyDocument,
  type CreateApiKeyInput,
  InviteMemberDocument,
  RemoveMemberDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UpdateAccountSettingsDocument,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq } from '../support/audit';
import { ALL_API_KEY_SCOPES, createApiKey, inviteMember } from '../support/fixtures';
import {
  errorCodes,
  startTestEnv,
  type CallOptions,
  type GraphQLResult,
  type Instance,
  type SeededAccount,
  type TestEnv,
} from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

/** The account's audit rows after `afterSeq`, oldest first, with the columns these tests check. */
function auditRowsOf(accountId: string, afterSeq = 0) {
  const columns = [
    'seq',
    'action',
    'outcome',
    'actor_type',
    'actor_id',
    'actor_display',
    'actor_scopes',
    'target_type',
    'target_id',
    'metadata',
    'ip',
    'user_agent',
    'request_id',
  ] as const;
  return auditRows(env, accountId, columns, { afterSeq });
}

let requestCounter = 0;

/** Call options carrying a recognisable user agent and request id. */
function traced(token: string): CallOptions & { userAgent: string; requestId: string } {
  requestCounter += 1;
  const userAgent = `audit-rows-test/1.0 (call ${requestCounter})`;
  const requestId = `req-audit-${requestCounter}-${randomUUID()}`;
  return { token, userAgent, requestId, headers: { 'user-agent': userAgent, 'x-request-id': requestId } };
}

/** Every row of the account as MikroORM reads it back, checked link by link. */
async function expectIntactChain(accountId: string, expectedLength: number): Promise<void> {
  const events = await env.api.orm.em.fork().find(AuditEvent, { accountId }, { orderBy: { seq: 'asc' } });
  expect(events.map((event) => Number(event.seq))).toEqual(Array.from({ length: expectedLength }, (_, i) => i + 1));
  let prevHash = '0'.repeat(64);
  for (const event of events) {
    expect({ seq: event.seq, prevHash: event.prevHash }).toEqual({ seq: event.seq, prevHash });
    expect({ seq: event.seq, hash: computeEventHash(event.prevHash, event) }).toEqual({
      seq: event.seq,
      hash: event.hash,
    });
    prevHash = event.hash;
  }
}

interface ExpectedActor {
  actor_type: string;
  actor_id: string;
  actor_display: string;
  actor_scopes: string[] | null;
}

interface ActorCase {
  label: string;
  isUser: boolean;
  /** Sets up the caller for `owner`'s account: a token and the actor its audit rows must name. */
  prepare(owner: SeededAccount): Promise<{ token: string; actor: ExpectedActor }>;
}

const actors: ActorCase[] = [
  {
    label: 'a user session',
    isUser: true,
    async prepare(owner) {
      return {
        token: owner.token,
        actor: { actor_type: 'USER', actor_id: owner.userId, actor_display: owner.email, actor_scopes: null },
      };
    },
  },
  {
    label: 'an API key',
    isUser: false,
    async prepare(owner) {
      const { secret, apiKey } = await createApiKey(env.api, owner.token, {
        name: 'automation',
        scopes: ALL_API_KEY_SCOPES,
      });
      return {
        token: secret,
        actor: {
          actor_type: 'API_KEY',
          actor_id: apiKey.id,
          actor_display: apiKey.displayKey,
          actor_scopes: [...ALL_SCOPES].sort(),
        },
      };
    },
  },
];

interface MutationCase {
  action: string;
  userOnly?: boolean;
  /** Prepares fixtures as the owner; `run` performs the audited mutation and names the expected target. */
  prepare(owner: SeededAccount): Promise<{
    targetType: string;
    run(options: CallOptions): Promise<{ result: GraphQLResult<unknown>; targetId: string | undefined }>;
  }>;
}

const mutations: MutationCase[] = [
  {
    action: 'api_key.created',
    async prepare() {
      return {
        targetType: 'api_key',
        async run(options) {
          const result = await env.api.call(
            CreateApiKeyDocument,
            { input: { name: 'audited', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] } },
            options,
          );
          return { result, targetId: result.data?.createApiKey.apiKey.id };
        },
      };
    },
  },
  {
    action: 'api_key.updated',
    async prepare(owner) {
      const { apiKey } = await createApiKey(env.api, owner.token, { name: 'before rename' });
      return {
        targetType: 'api_key',
        async run(options) {
          const result = await env.api.call(
            UpdateApiKeyDocument,
            { input: { id: apiKey.id, name: 'after rename' } },
            options,
          );
          return { result, targetId: apiKey.id };
        },
      };
    },
  },
  {
    action: 'api_key.rotated',
    async prepare(owner) {
      const { apiKey } = await createApiKey(env.api, owner.token, { name: 'to rotate' });
      return {
        targetType: 'api_key',
        async run(options) {
          const result = await env.api.call(
            RotateApiKeyDocument,
            { input: { id: apiKey.id, gracePeriodSeconds: 60 } },
            options,
          );
          return { result, targetId: apiKey.id };
        },
      };
    },
  },
  {
    action: 'api_key.revoked',
    async prepare(owner) {
      const { apiKey } = await createApiKey(env.api, owner.token, { name: 'to revoke' });
      return {
        targetType: 'api_key',
        async run(options) {
          const result = await env.api.call(
            RevokeApiKeyDocument,
            { input: { id: apiKey.id, reason: 'audit test' } },
            options,
          );
          return { result, targetId: apiKey.id };
        },
      };
    },
  },
  {
    action: 'settings.updated',
    async prepare(owner) {
      return {
        targetType: 'account',
        async run(options) {
          const result = await env.api.call(
            UpdateAccountSettingsDocument,
            { input: { defaultKeyLifetimeDays: 30 } },
            options,
          );
          return { result, targetId: owner.accountId };
        },
      };
    },
  },
  {
    action: 'member.invited',
    async prepare() {
      return {
        targetType: 'user',
        async run(options) {
          const result = await env.api.call(
            InviteMemberDocument,
            { input: { email: `invitee-${randomUUID()}@example.test`, role: 'MEMBER' } },
            options,
          );
          return { result, targetId: result.data?.inviteMember.user.id };
        },
      };
    },
  },
  {
    action: 'member.role_changed',
    async prepare(owner) {
      const member = await inviteMember(env, owner, 'MEMBER');
      return {
        targetType: 'user',
        async run(options) {
          const result = await env.api.call(
            ChangeMemberRoleDocument,
            { input: { userId: member.userId, role: 'ADMIN' } },
            options,
          );
          return { result, targetId: member.userId };
        },
      };
    },
  },
  {
    action: 'member.removed',
    async prepare(owner) {
      const member = await inviteMember(env, owner, 'MEMBER');
      return {
        targetType: 'user',
        async run(options) {
          const result = await env.api.call(RemoveMemberDocument, { input: { userId: member.userId } }, options);
          return { result, targetId: member.userId };
        },
      };
    },
  },
  {
    action: 'plan.changed',
    userOnly: true,
    async prepare(owner) {
      return {
        targetType: 'account',
        async run(options) {
          const result = await env.api.call(ChangePlanDocument, { input: { plan: 'PREMIUM' } }, options);
          return { result, targetId: owner.accountId };
        },
      };
    },
  },
];

describe('one audit row per successful mutation', () => {
  describe.each(actors)('by $label', (actorCase) => {
    it.each(mutations.filter((mutation) => actorCase.isUser || !mutation.userOnly))(
      'records exactly one SUCCESS $action row naming the actor, target, ip, user agent and request id',
      async (mutation) => {
        const owner = await env.seedAccount({ plan: Plan.STANDARD });
        const { token, actor } = await actorCase.prepare(owner);
        const prepared = await mutation.prepare(owner);
        const before = await lastAuditSeq(env, owner.accountId);
        const options = traced(token);

        const { result, targetId } = await prepared.run(options);
        expect(result.errors).toBeUndefined();
        expect(targetId).toBeDefined();

        const rows = await auditRowsOf(owner.accountId, before);
        expect(rows).toHaveLength(1);
        const [row] = rows;
        expect({ ...row!, actor_scopes: row!.actor_scopes ? [...row!.actor_scopes].sort() : null }).toMatchObject({
          seq: before + 1,
          action: mutation.action,
          outcome: 'SUCCESS',
          ...actor,
          target_type: prepared.targetType,
          target_id: targetId,
          ip: '127.0.0.1',
          user_agent: options.userAgent,
          request_id: options.requestId,
        });
      },
    );
  });
});

describe('no audit row when a mutation fails', () => {
  it('writes nothing for input, quota and not-found errors, and leaves no hole in seq', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const keys: { id: string }[] = [];
    for (const name of ['one', 'two', 'three']) keys.push((await createApiKey(env.api, owner.token, { name })).apiKey);
    await env.api.call(RevokeApiKeyDocument, { input: { id: keys[2]!.id } }, { token: owner.token });
    const fourth = (await createApiKey(env.api, owner.token, { name: 'four' })).apiKey;
    const before = await auditRowsOf(owner.accountId);
    const token = owner.token;

    const call =
      <R, V>(document: TypedDocumentNode<R, V>, variables: V) =>
      () =>
        env.api.call(document, variables, { token });
    const newKey = (input: Partial<CreateApiKeyInput>) => ({
      input: { name: 'valid', purpose: 'LONG_RUNNING_WORKFLOW' as const, scopes: ['KEYS_READ' as const], ...input },
    });

    const failures: [string, string, () => Promise<GraphQLResult<unknown>>][] = [
      ['blank key name', 'BAD_USER_INPUT', call(CreateApiKeyDocument, newKey({ name: '   ' }))],
      ['no scopes', 'BAD_USER_INPUT', call(CreateApiKeyDocument, newKey({ scopes: [] }))],
      [
        'expiry in the past',
        'BAD_USER_INPUT',
        call(CreateApiKeyDocument, newKey({ expiresAt: '2001-01-01T00:00:00Z' })),
      ],
      ['fourth active key on FREE', 'QUOTA_EXCEEDED', call(CreateApiKeyDocument, newKey({}))],
      ['empty new name', 'BAD_USER_INPUT', call(UpdateApiKeyDocument, { input: { id: fourth.id, name: '' } })],
      [
        'over-long reason',
        'BAD_USER_INPUT',
        call(RevokeApiKeyDocument, { input: { id: fourth.id, reason: 'x'.repeat(501) } }),
      ],
      ['unknown key', 'NOT_FOUND', call(RevokeApiKeyDocument, { input: { id: randomUUID() } })],
      ['non-UUID key id', 'NOT_FOUND', call(RotateApiKeyDocument, { input: { id: 'not-a-uuid' } })],
      ['rotating a revoked key', 'BAD_USER_INPUT', call(RotateApiKeyDocument, { input: { id: keys[2]!.id } })],
      [
        'default lifetime over the maximum',
        'BAD_USER_INPUT',
        call(UpdateAccountSettingsDocument, { input: { defaultKeyLifetimeDays: 400, maxKeyLifetimeDays: 365 } }),
      ],
      [
        'malformed email',
        'BAD_USER_INPUT',
        call(InviteMemberDocument, { input: { email: 'not-an-email', role: 'MEMBER' } }),
      ],
      [
        'demoting the last OWNER',
        'BAD_USER_INPUT',
        call(ChangeMemberRoleDocument, { input: { userId: owner.userId, role: 'ADMIN' } }),
      ],
      ['removing the last OWNER', 'BAD_USER_INPUT', call(RemoveMemberDocument, { input: { userId: owner.userId } })],
      ['unknown member', 'NOT_FOUND', call(RemoveMemberDocument, { input: { userId: randomUUID() } })],
    ];
    for (const [what, code, attempt] of failures) {
      expect({ what, codes: errorCodes(await attempt()) }).toEqual({ what, codes: [code] });
    }

    expect(await auditRowsOf(owner.accountId)).toEqual(before);
    const revoked = await env.api.call(RevokeApiKeyDocument, { input: { id: fourth.id } }, { token });
    expect(revoked.errors).toBeUndefined();
    const after = await auditRowsOf(owner.accountId, before.at(-1)!.seq);
    expect(after.map((row) => [row.seq, row.action])).toEqual([[before.at(-1)!.seq + 1, 'api_key.revoked']]);
  });

  it('rolls the revocation back when its audit event cannot be written', async () => {
    const owner = await env.seedAccount();
    const { secret, apiKey } = await createApiKey(env.api, owner.token, { name: 'must survive' });
    const before = await auditRowsOf(owner.accountId);
    await env.sql(`CREATE FUNCTION fail_revoke() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'api_key.revoked' THEN RAISE EXCEPTION 'forced'; END IF;
        RETURN NEW;
      END $$`);
    await env.sql(
      'CREATE TRIGGER fail_revoke BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_revoke()',
    );
    let failed: GraphQLResult<unknown>;
    try {
      failed = await env.api.call(
        RevokeApiKeyDocument,
        { input: { id: apiKey.id, reason: 'doomed' } },
        { token: owner.token },
      );
    } finally {
      await env.sql('DROP TRIGGER fail_revoke ON audit_events');
      await env.sql('DROP FUNCTION fail_revoke()');
    }

    expect(errorCodes(failed)).toEqual(['INTERNAL_SERVER_ERROR']);
    const message = failed.errors![0]!.message;
    expect(message).not.toMatch(/forced/i);
    expect(message).not.toMatch(/insert|update|select|audit_events|api_keys|sql/i);

    const [stored] = await env.sql<{ revoked_at: Date | null }>('SELECT revoked_at FROM api_keys WHERE id = $1', [
      apiKey.id,
    ]);
    expect(stored!.revoked_at).toBeNull();
    const asKey = await env.api.call(ViewerDocument, {}, { token: secret });
    expect(asKey.errors).toBeUndefined();
    expect(asKey.data!.viewer.apiKey!.id).toBe(apiKey.id);
    const read = await env.api.call(ApiKeyDocument, { id: apiKey.id }, { token: owner.token });
    expect(read.data!.apiKey).toMatchObject({ status: 'ACTIVE', revokedAt: null });
    expect(await auditRowsOf(owner.accountId)).toEqual(before);

    // The chain head rolled back too: the next event takes the next seq.
    const revoked = await env.api.call(RevokeApiKeyDocument, { input: { id: apiKey.id } }, { token: owner.token });
    expect(revoked.errors).toBeUndefined();
    const after = await auditRowsOf(owner.accountId, before.at(-1)!.seq);
    expect(after.map((row) => [row.seq, row.action])).toEqual([[before.at(-1)!.seq + 1, 'api_key.revoked']]);
  });

  it('writes no api_key.created event when the key itself cannot be stored', async () => {
    const owner = await env.seedAccount();
    const before = await auditRowsOf(owner.accountId);
    await env.sql(`CREATE FUNCTION fail_key_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'forced'; END $$`);
    await env.sql(
      'CREATE TRIGGER fail_key_insert BEFORE INSERT ON api_keys FOR EACH ROW EXECUTE FUNCTION fail_key_insert()',
    );
    let failed: GraphQLResult<unknown>;
    try {
      failed = await env.api.call(
        CreateApiKeyDocument,
        { input: { name: 'never stored', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
        { token: owner.token },
      );
    } finally {
      await env.sql('DROP TRIGGER fail_key_insert ON api_keys');
      await env.sql('DROP FUNCTION fail_key_insert()');
    }

    expect(errorCodes(failed)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(failed.errors![0]!.message).not.toMatch(/forced/i);
    expect(await auditRowsOf(owner.accountId)).toEqual(before);
    expect(await env.sql('SELECT id FROM api_keys WHERE account_id = $1', [owner.accountId])).toEqual([]);
  });
});

describe('DENIED rows', () => {
  it("records a MEMBER's refused revocation once, as DENIED by that member, and keeps the key active", async () => {
    const owner = await env.seedAccount();
    const { secret, apiKey } = await createApiKey(env.api, owner.token, { name: 'not yours to revoke' });
    const member = await inviteMember(env, owner, 'MEMBER');
    const memberToken = member.token;
    const before = await lastAuditSeq(env, owner.accountId);
    const options = traced(memberToken);

    const refused = await env.api.call(RevokeApiKeyDocument, { input: { id: apiKey.id, reason: 'trying' } }, options);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);

    const rows = await auditRowsOf(owner.accountId, before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      seq: before + 1,
      action: 'api_key.revoked',
      outcome: 'DENIED',
      actor_type: 'USER',
      actor_id: member.userId,
      actor_display: member.email,
      target_type: 'api_key',
      target_id: apiKey.id,
      ip: '127.0.0.1',
      user_agent: options.userAgent,
      request_id: options.requestId,
    });
    const read = await env.api.call(ApiKeyDocument, { id: apiKey.id }, { token: owner.token });
    expect(read.data!.apiKey).toMatchObject({ status: 'ACTIVE', revokedAt: null });
    expect((await env.api.call(ViewerDocument, {}, { token: secret })).errors).toBeUndefined();
  });

  it("records an API key's refused plan change once, as DENIED by that key, and keeps the plan", async () => {
    const owner = await env.seedAccount({ plan: Plan.STANDARD });
    const { secret, apiKey } = await createApiKey(env.api, owner.token, {
      name: 'all scopes',
      scopes: ALL_API_KEY_SCOPES,
    });
    const before = await lastAuditSeq(env, owner.accountId);

    const refused = await env.api.call(ChangePlanDocument, { input: { plan: 'ENTERPRISE' } }, traced(secret));
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);

    const rows = await auditRowsOf(owner.accountId, before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'plan.changed',
      outcome: 'DENIED',
      actor_type: 'API_KEY',
      actor_id: apiKey.id,
      actor_display: apiKey.displayKey,
      target_type: 'account',
      target_id: owner.accountId,
    });
    const viewer = await env.api.call(ViewerDocument, {}, { token: owner.token });
    expect(viewer.data!.viewer.account.plan).toBe('STANDARD');
  });
});

describe('hash chain', () => {
  it('links every event of an account to the previous one, and each stored hash recomputes', async () => {
    const owner = await env.seedAccount({ plan: Plan.STANDARD });
    const token = owner.token;
    const automation = await createApiKey(env.api, token, { name: 'automation', scopes: ALL_API_KEY_SCOPES });
    const first = await createApiKey(env.api, token, { name: 'first' });
    await env.api.call(UpdateApiKeyDocument, { input: { id: first.apiKey.id, description: 'described' } }, { token });
    await env.api.call(RotateApiKeyDocument, { input: { id: first.apiKey.id, gracePeriodSeconds: 30 } }, { token });
    const settings = { requireKeyExpiration: true, maxKeyLifetimeDays: 180 };
    await env.api.call(UpdateAccountSettingsDocument, { input: settings }, { token });
    const member = await inviteMember(env, owner, 'MEMBER');
    const memberToken = member.token;
    expect(
      errorCodes(await env.api.call(RevokeApiKeyDocument, { input: { id: first.apiKey.id } }, { token: memberToken })),
    ).toEqual(['FORBIDDEN']);
    const fromKey = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'made by a key', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: automation.secret },
    );
    expect(fromKey.errors).toBeUndefined();
    await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: member.userId, role: 'ADMIN' } },
      { token: automation.secret },
    );
    await env.api.call(RemoveMemberDocument, { input: { userId: member.userId } }, { token });
    await env.api.call(
      RevokeApiKeyDocument,
      { input: { id: fromKey.data!.createApiKey.apiKey.id, reason: 'done' } },
      { token },
    );
    await env.api.call(ChangePlanDocument, { input: { plan: 'ENTERPRISE' } }, { token });

    const actions = (await auditRowsOf(owner.accountId)).map((row) => `${row.action}:${row.outcome}`);
    expect(actions).toEqual([
      'account.created:SUCCESS',
      'api_key.created:SUCCESS',
      'api_key.created:SUCCESS',
      'api_key.updated:SUCCESS',
      'api_key.rotated:SUCCESS',
      'settings.updated:SUCCESS',
      'member.invited:SUCCESS',
      'api_key.revoked:DENIED',
      'api_key.created:SUCCESS',
      'member.role_changed:SUCCESS',
      'member.removed:SUCCESS',
      'api_key.revoked:SUCCESS',
      'plan.changed:SUCCESS',
    ]);
    await expectIntactChain(owner.accountId, actions.length);
  });

  it('keeps one gapless chain per account under 200 concurrent audited mutations on two instances', async () => {
    const second: Instance = await env.startInstance();
    const instances = [env.api, second];
    const busy = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const other = await env.seedAccount({ plan: Plan.ENTERPRISE });

    const creates = Array.from({ length: 200 }, (_, i) =>
      instances[i % 2]!.call(
        CreateApiKeyDocument,
        { input: { name: `parallel ${i}`, purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] } },
        { token: busy.token },
      ),
    );
    const otherWork = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? instances[i % 2]!.call(
            CreateApiKeyDocument,
            { input: { name: `other ${i}`, purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
            { token: other.token },
          )
        : instances[(i + 1) % 2]!.call(
            InviteMemberDocument,
            { input: { email: `parallel-${i}-${randomUUID()}@example.test`, role: 'MEMBER' } },
            { token: other.token },
          ),
    );
    const results: GraphQLResult<unknown>[] = await Promise.all([...creates, ...otherWork]);
    expect(results.flatMap((result) => errorCodes(result))).toEqual([]);

    await expectIntactChain(busy.accountId, 201);
    await expectIntactChain(other.accountId, 21);
    const busyActions = (await auditRowsOf(busy.accountId)).map((row) => row.action);
    expect(busyActions.filter((action) => action === 'api_key.created')).toHaveLength(200);
  });
});

describe('append-only audit table', () => {
  it('refuses UPDATE, DELETE and TRUNCATE on audit_events and keeps the rows', async () => {
    const owner = await env.seedAccount();
    await createApiKey(env.api, owner.token, { name: 'some history' });
    const before = await auditRowsOf(owner.accountId);
    expect(before).toHaveLength(2);

    await expect(
      env.sql("UPDATE audit_events SET action = 'x' WHERE account_id = $1", [owner.accountId]),
    ).rejects.toThrow(/append-only/);
    await expect(env.sql('DELETE FROM audit_events WHERE account_id = $1', [owner.accountId])).rejects.toThrow(
      /append-only/,
    );
    await expect(env.sql('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    expect(await auditRowsOf(owner.accountId)).toEqual(before);
  });
});
