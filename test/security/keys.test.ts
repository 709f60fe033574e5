import {
  ApiKeyDocument,
  ChangeMemberRoleDocument,
  CreateApiKeyDocument,
  InviteMemberDocument,
  RemoveMemberDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq } from '../support/audit';
import { ALL_API_KEY_SCOPES, createApiKey, freshEmail, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';

// Attacks on the lifetime of API keys, replayed over HTTP against a real server: each one used to work.

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const DAY_MS = 86_400_000;

/** True when `secret` authenticates right now. */
async function works(secret: string): Promise<boolean> {
  const viewer = await env.api.call(ViewerDocument, {}, { token: secret });
  if (viewer.errors === undefined) return true;
  expect(errorCodes(viewer)).toEqual(['UNAUTHENTICATED']);
  return false;
}

/** The account's events after `seq` with the columns these tests compare. */
function eventsAfter(accountId: string, seq: number) {
  return auditRows(
    env,
    accountId,
    ['action', 'outcome', 'actor_type', 'actor_id', 'target_id', 'changes', 'metadata', 'request_id'],
    { afterSeq: seq },
  );
}

async function keyRow(id: string) {
  const [row] = await env.sql<{ revoked_at: Date | null; expires_at: Date | null; revoke_reason: string | null }>(
    'SELECT revoked_at, expires_at, revoke_reason FROM api_keys WHERE id = $1',
    [id],
  );
  return row!;
}

describe("a removed member's keys", () => {
  it.each(['MEMBER', 'ADMIN', 'OWNER'] as const)(
    'stay dead when the member is invited again as %s: removal revokes them, one api_key.revoked event each',
    async (role) => {
      const owner = await env.seedAccount({ plan: Plan.PREMIUM });
      const admin = await inviteMember(env, owner, 'ADMIN');
      const first = await createApiKey(env.api, admin.token, { name: 'first', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
      const second = await createApiKey(env.api, admin.token, { name: 'second', scopes: ['KEYS_READ'] });
      // One of the member's keys was made by another of its keys; one was already revoked.
      const minted = await createApiKey(env.api, first.secret, { name: 'minted', scopes: ['KEYS_READ'] });
      const gone = await createApiKey(env.api, admin.token, { name: 'already revoked', scopes: ['KEYS_READ'] });
      await env.api.call(RevokeApiKeyDocument, { input: { id: gone.id } }, { token: owner.token });
      const before = await lastAuditSeq(env, owner.accountId);

      const removed = await env.api.call(
        RemoveMemberDocument,
        { input: { userId: admin.userId } },
        { token: owner.token },
      );
      expect(removed.data).toEqual({ removeMember: true });

      const events = await eventsAfter(owner.accountId, before);
      expect(events.map((event) => [event.action, event.target_id])).toEqual([
        ['member.removed', admin.userId],
        ...[first.id, second.id, minted.id].sort().map((id) => ['api_key.revoked', id]),
      ]);
      // One request, one transaction: every event carries its request id.
      expect(new Set(events.map((event) => event.request_id)).size).toBe(1);
      for (const event of events.slice(1)) {
        expect(event).toMatchObject({
          outcome: 'SUCCESS',
          actor_type: 'USER',
          actor_id: owner.userId,
          changes: [{ field: 'status', before: 'ACTIVE', after: 'REVOKED' }],
          metadata: { reason: 'member removed' },
        });
      }
      expect((await keyRow(first.id)).revoke_reason).toBe('member removed');

      const again = await env.api.call(
        InviteMemberDocument,
        { input: { email: admin.email, role } },
        { token: owner.token },
      );
      expect(again.errors).toBeUndefined();
      for (const key of [first, second, minted, gone]) expect(await works(key.secret)).toBe(false);
      const status = await env.api.call(ApiKeyDocument, { id: first.id }, { token: owner.token });
      expect(status.data!.apiKey).toMatchObject({ status: 'REVOKED', revokeReason: 'member removed' });
    },
  );

  it('are revoked when the member leaves on their own, too', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const member = await inviteMember(env, owner, 'MEMBER');
    const key = await createApiKey(env.api, owner.token, { name: 'stays', scopes: ['KEYS_READ'] });
    // A MEMBER cannot create keys (any more): this one was made while they were an ADMIN.
    await env.sql('UPDATE api_keys SET created_by_id = $1, owner_id = $1 WHERE id = $2', [member.userId, key.id]);
    expect(await works(key.secret)).toBe(true);

    const left = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: member.userId } },
      { token: member.token },
    );
    expect(left.data).toEqual({ removeMember: true });
    await env.api.call(
      InviteMemberDocument,
      { input: { email: member.email, role: 'MEMBER' } },
      { token: owner.token },
    );

    expect(await works(key.secret)).toBe(false);
    expect((await keyRow(key.id)).revoke_reason).toBe('member removed');
  });
});

describe('keys minted by a key', () => {
  async function oneDayParent() {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const expiresAt = new Date(Date.now() + DAY_MS).toISOString();
    const parent = await createApiKey(env.api, owner.token, {
      name: 'one day',
      scopes: ['KEYS_READ', 'KEYS_WRITE'],
      expiresAt,
    });
    return { owner, parent, parentExpiry: parent.apiKey.expiresAt! };
  }

  it('cannot be made to never expire while their parent expires: BAD_USER_INPUT, nothing created', async () => {
    const { owner, parent } = await oneDayParent();
    const before = await lastAuditSeq(env, owner.accountId);
    const forever = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'forever', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'], expiresAt: null } },
      { token: parent.secret },
    );
    expect(errorCodes(forever)).toEqual(['BAD_USER_INPUT']);
    expect(forever.errors![0]!.message).toMatch(/cannot outlive the API key that creates it/);
    expect(await env.sql("SELECT 1 FROM api_keys WHERE name = 'forever'")).toEqual([]);
    expect(await eventsAfter(owner.accountId, before)).toEqual([]);
  });

  it('cannot be given an expiry later than their parent’s: BAD_USER_INPUT saying why', async () => {
    const { parent } = await oneDayParent();
    const later = await env.api.call(
      CreateApiKeyDocument,
      {
        input: {
          name: 'later',
          purpose: 'LONG_RUNNING_WORKFLOW',
          scopes: ['KEYS_READ'],
          expiresAt: new Date(Date.now() + 30 * DAY_MS).toISOString(),
        },
      },
      { token: parent.secret },
    );
    expect(errorCodes(later)).toEqual(['BAD_USER_INPUT']);
    expect(later.errors![0]!.message).toMatch(/cannot outlive the API key that creates it/);
    expect(later.errors![0]!.extensions).toMatchObject({ field: 'expiresAt' });
  });

  it('get at most their parent’s lifetime by default, and an earlier explicit expiry is kept', async () => {
    const { parent, parentExpiry } = await oneDayParent();
    const child = await createApiKey(env.api, parent.secret, { name: 'default', scopes: ['KEYS_READ'] });
    expect(child.apiKey.expiresAt).toBe(parentExpiry);
    const earlier = new Date(Date.now() + DAY_MS / 2).toISOString();
    const sooner = await createApiKey(env.api, parent.secret, {
      name: 'sooner',
      scopes: ['KEYS_READ'],
      expiresAt: earlier,
    });
    expect(sooner.apiKey.expiresAt).toBe(earlier);
  });

  it('die with their parent: revoking it revokes its whole tree, one api_key.revoked event each', async () => {
    const { owner, parent } = await oneDayParent();
    const child = await createApiKey(env.api, parent.secret, { name: 'child', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
    const grandchild = await createApiKey(env.api, child.secret, { name: 'grandchild', scopes: ['KEYS_READ'] });
    // The owner rotates the child: its replacement is still bound to the parent.
    const rotated = await env.api.call(RotateApiKeyDocument, { input: { id: child.id } }, { token: owner.token });
    expect(rotated.errors).toBeUndefined();
    const replacement = rotated.data!.rotateApiKey;
    const unrelated = await createApiKey(env.api, owner.token, { name: 'unrelated', scopes: ['KEYS_READ'] });
    for (const key of [parent, grandchild, replacement, unrelated]) expect(await works(key.secret)).toBe(true);
    const before = await lastAuditSeq(env, owner.accountId);

    const revoked = await env.api.call(
      RevokeApiKeyDocument,
      { input: { id: parent.id, reason: 'leaked' } },
      { token: owner.token },
    );
    expect(revoked.errors).toBeUndefined();

    for (const key of [parent, grandchild, replacement]) expect(await works(key.secret)).toBe(false);
    expect(await works(unrelated.secret)).toBe(true);
    const events = await eventsAfter(owner.accountId, before);
    expect(events[0]).toMatchObject({
      action: 'api_key.revoked',
      target_id: parent.id,
      metadata: { reason: 'leaked' },
    });
    // The child itself already expired at its rotation (no grace): nothing to revoke there.
    expect(
      events
        .slice(1)
        .map((event) => event.target_id)
        .sort(),
    ).toEqual([grandchild.id, replacement.apiKey.id].sort());
    for (const event of events.slice(1)) {
      expect(event).toMatchObject({
        action: 'api_key.revoked',
        outcome: 'SUCCESS',
        metadata: { reason: 'creating key revoked', creatingKeyRevoked: parent.id },
      });
    }
    expect(new Set(events.map((event) => event.request_id)).size).toBe(1);
  });

  it('die with the replacement of their parent too: a rotated parent still owns what it made', async () => {
    const { owner, parent } = await oneDayParent();
    const child = await createApiKey(env.api, parent.secret, { name: 'child', scopes: ['KEYS_READ'] });
    const rotated = await env.api.call(RotateApiKeyDocument, { input: { id: parent.id } }, { token: owner.token });
    const successor = rotated.data!.rotateApiKey.apiKey;
    expect(await works(child.secret)).toBe(true);

    await env.api.call(RevokeApiKeyDocument, { input: { id: successor.id } }, { token: owner.token });
    expect(await works(child.secret)).toBe(false);
  });

  it('cannot escape their parent by rotating themselves: the new secret is bound to the key that rotated it', async () => {
    const { owner, parent, parentExpiry } = await oneDayParent();
    const target = await createApiKey(env.api, owner.token, { name: 'ninety days', scopes: ['KEYS_READ'] });
    const rotated = await env.api.call(RotateApiKeyDocument, { input: { id: target.id } }, { token: parent.secret });
    expect(rotated.errors).toBeUndefined();
    const stolen = rotated.data!.rotateApiKey;
    expect(stolen.apiKey.expiresAt).toBe(parentExpiry);

    await env.api.call(RevokeApiKeyDocument, { input: { id: parent.id } }, { token: owner.token });
    expect(await works(stolen.secret)).toBe(false);
  });

  it('keep their original expiry when rotated, instead of a fresh lifetime', async () => {
    const { owner, parent, parentExpiry } = await oneDayParent();
    const rotated = await env.api.call(RotateApiKeyDocument, { input: { id: parent.id } }, { token: owner.token });
    expect(rotated.errors).toBeUndefined();
    expect(rotated.data!.rotateApiKey.apiKey.expiresAt).toBe(parentExpiry);
    // Also when the key rotates itself.
    const next = rotated.data!.rotateApiKey;
    const again = await env.api.call(RotateApiKeyDocument, { input: { id: next.apiKey.id } }, { token: next.secret });
    expect(again.errors).toBeUndefined();
    expect(again.data!.rotateApiKey.apiKey.expiresAt).toBe(parentExpiry);
  });
});

describe('rotation', () => {
  it('never leaves more than one older secret of a key working: the quota cannot be bypassed', async () => {
    const owner = await env.seedAccount();
    const secrets: string[] = [];
    let current = await createApiKey(env.api, owner.token, { name: 'rotated', scopes: ['KEYS_READ'] });
    secrets.push(current.secret);
    await createApiKey(env.api, owner.token, { name: 'second', scopes: ['KEYS_READ'] });
    await createApiKey(env.api, owner.token, { name: 'third', scopes: ['KEYS_READ'] });
    const ids = [current.id];
    for (let i = 0; i < 5; i++) {
      const before = await lastAuditSeq(env, owner.accountId);
      const rotated = await env.api.call(
        RotateApiKeyDocument,
        { input: { id: current.id, gracePeriodSeconds: 30 * 86_400 } },
        { token: owner.token },
      );
      expect(rotated.errors).toBeUndefined();
      const { apiKey, secret } = rotated.data!.rotateApiKey;
      current = { ...current, id: apiKey.id, secret };
      secrets.push(secret);
      ids.push(apiKey.id);
      const events = await eventsAfter(owner.accountId, before);
      if (i === 0) {
        expect(events.map((event) => event.action)).toEqual(['api_key.rotated']);
      } else {
        // The predecessor still in grace is ended at once, and that is recorded.
        expect(events.map((event) => [event.action, event.target_id])).toEqual([
          ['api_key.grace_ended', ids[i - 1]],
          ['api_key.rotated', ids[i]],
        ]);
        expect(events[0]!.changes).toEqual([
          { field: 'expiresAt', before: expect.any(String), after: expect.any(String) },
        ]);
      }
    }
    const working = [];
    for (const secret of secrets) working.push(await works(secret));
    // Of six secrets of the line, only the newest and the one before it work.
    expect(working).toEqual([false, false, false, false, true, true]);
    const [active] = await env.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM api_keys WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > now() AND name = 'rotated'",
      [owner.accountId],
    );
    expect(active!.n).toBe(2);
  });
});

describe('an API key of an OWNER holding MEMBERS_WRITE', () => {
  async function scene() {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const secondOwner = await inviteMember(env, owner, 'OWNER');
    const member = await inviteMember(env, owner, 'MEMBER');
    const key = await createApiKey(env.api, owner.token, { name: 'owner key', scopes: ALL_API_KEY_SCOPES });
    return { owner, secondOwner, member, key };
  }
  type Scene = Awaited<ReturnType<typeof scene>>;

  const attempts: [string, string, (s: Scene) => Promise<{ errors?: unknown }>, (s: Scene) => string | null][] = [
    [
      'invite an OWNER',
      'member.invited',
      (s) =>
        env.api.call(
          InviteMemberDocument,
          { input: { email: freshEmail('owner-by-key'), role: 'OWNER' } },
          { token: s.key.secret },
        ),
      () => null,
    ],
    [
      'promote a MEMBER to OWNER',
      'member.role_changed',
      (s) =>
        env.api.call(
          ChangeMemberRoleDocument,
          { input: { userId: s.member.userId, role: 'OWNER' } },
          { token: s.key.secret },
        ),
      (s) => s.member.userId,
    ],
    [
      'demote an OWNER',
      'member.role_changed',
      (s) =>
        env.api.call(
          ChangeMemberRoleDocument,
          { input: { userId: s.secondOwner.userId, role: 'MEMBER' } },
          { token: s.key.secret },
        ),
      (s) => s.secondOwner.userId,
    ],
    [
      'remove an OWNER',
      'member.removed',
      (s) => env.api.call(RemoveMemberDocument, { input: { userId: s.secondOwner.userId } }, { token: s.key.secret }),
      (s) => s.secondOwner.userId,
    ],
  ];

  it.each(attempts)(
    'cannot %s: FORBIDDEN, recorded as DENIED, nothing changed',
    async (_what, action, attempt, target) => {
      const s = await scene();
      const roles = await env.sql('SELECT user_id, role FROM memberships WHERE account_id = $1 ORDER BY user_id', [
        s.owner.accountId,
      ]);
      const before = await lastAuditSeq(env, s.owner.accountId);

      const result = await attempt(s);

      expect(errorCodes(result as never)).toEqual(['FORBIDDEN']);
      expect(
        await env.sql('SELECT user_id, role FROM memberships WHERE account_id = $1 ORDER BY user_id', [
          s.owner.accountId,
        ]),
      ).toEqual(roles);
      expect(await eventsAfter(s.owner.accountId, before)).toEqual([
        expect.objectContaining({
          action,
          outcome: 'DENIED',
          actor_type: 'API_KEY',
          actor_id: s.key.id,
          target_id: target(s),
          metadata: { reason: expect.stringMatching(/OWNER signed in as a user/) },
        }),
      ]);
    },
  );

  it('still manages members who are not OWNERs', async () => {
    const s = await scene();
    const promoted = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: s.member.userId, role: 'ADMIN' } },
      { token: s.key.secret },
    );
    expect(promoted.errors).toBeUndefined();
    const removed = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: s.member.userId } },
      { token: s.key.secret },
    );
    expect(removed.data).toEqual({ removeMember: true });
  });
});
