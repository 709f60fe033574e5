import {
  ApiKeyDocument,
  ApiKeyUsageDocument,
  ChangeMemberRoleDocument,
  CreateApiKeyDocument,
  EndRotationGraceDocument,
  FilteredApiKeysDocument,
  KeyHealthDocument,
  RemoveMemberDocument,
  RotateApiKeyDocument,
  TransferApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq } from '../support/audit';
import { createApiKey, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';

/**
 * Keys that change hands (owners, transfer, removal with transfer), rotation
 * you can watch (requests since rotation, endRotationGrace, ROTATING) and key
 * hygiene (filters, keyHealth, hourly usage), over HTTP.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const DAY_MS = 86_400_000;

async function premium() {
  return env.seedAccount({ plan: Plan.PREMIUM });
}

describe('owners and transfer', () => {
  it('makes the creator the owner, and a transfer makes the key act with the new owner’s role', async () => {
    const owner = await premium();
    const admin = await inviteMember(env, owner, 'ADMIN');
    const member = await inviteMember(env, owner, 'MEMBER');
    const key = await createApiKey(env.api, admin.token, { name: 'deploys', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
    expect(key.apiKey.owner).toEqual({ id: admin.userId, email: admin.email });
    expect(key.apiKey.createdBy).toEqual({ id: admin.userId, email: admin.email });

    const before = await lastAuditSeq(env, owner.accountId);
    const moved = await env.api.call(
      TransferApiKeyDocument,
      { input: { id: key.id, toUserId: member.userId, reason: 'admin changes team' } },
      { token: owner.token },
    );
    expect(moved.errors).toBeUndefined();
    expect(moved.data!.transferApiKey).toMatchObject({
      owner: { id: member.userId },
      createdBy: { id: admin.userId },
      scopes: ['KEYS_READ', 'KEYS_WRITE'],
      inactiveScopes: ['KEYS_WRITE'],
    });

    const [event] = await auditRows(env, owner.accountId, ['action', 'target_id', 'changes', 'metadata'], {
      afterSeq: before,
    });
    expect(event).toEqual({
      action: 'api_key.transferred',
      target_id: key.id,
      changes: [
        {
          field: 'owner',
          before: { id: admin.userId, email: admin.email },
          after: { id: member.userId, email: member.email },
        },
      ],
      metadata: { reason: 'admin changes team', newOwnerRole: 'MEMBER', scopesNoLongerEffective: ['keys:write'] },
    });

    // The key now acts as its MEMBER owner: it reads keys, it can no longer write them.
    const viewer = await env.api.call(ViewerDocument, {}, { token: key.secret });
    expect(viewer.data!.viewer.scopes).toEqual(['KEYS_READ']);
    const refused = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'child', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
      { token: key.secret },
    );
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);

    // Removing the key's creator no longer touches it: its owner is someone else.
    const removed = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: admin.userId } },
      { token: owner.token },
    );
    expect(removed.errors).toBeUndefined();
    const still = await env.api.call(ApiKeyDocument, { id: key.id }, { token: owner.token });
    expect(still.data!.apiKey!.status).toBe('ACTIVE');
  });

  it('refuses a transfer to a non-member, of a revoked key, by a MEMBER, and across accounts, changing nothing', async () => {
    const owner = await premium();
    const other = await premium();
    const member = await inviteMember(env, owner, 'MEMBER');
    const key = await createApiKey(env.api, owner.token, { name: 'mine' });
    const before = await lastAuditSeq(env, owner.accountId);

    const toStranger = await env.api.call(
      TransferApiKeyDocument,
      { input: { id: key.id, toUserId: other.userId } },
      { token: owner.token },
    );
    expect(errorCodes(toStranger)).toEqual(['BAD_USER_INPUT']);
    const byMember = await env.api.call(
      TransferApiKeyDocument,
      { input: { id: key.id, toUserId: member.userId } },
      { token: member.token },
    );
    expect(errorCodes(byMember)).toEqual(['FORBIDDEN']);
    const fromOtherAccount = await env.api.call(
      TransferApiKeyDocument,
      { input: { id: key.id, toUserId: other.userId } },
      { token: other.token },
    );
    expect(errorCodes(fromOtherAccount)).toEqual(['NOT_FOUND']);

    const after = await env.api.call(ApiKeyDocument, { id: key.id }, { token: owner.token });
    expect(after.data!.apiKey!.owner).toEqual({ id: owner.userId, email: owner.email });
    const written = await auditRows(env, owner.accountId, ['action', 'outcome'], { afterSeq: before });
    expect(written.every((row) => row.outcome === 'DENIED')).toBe(true);
  });

  it('removes a member and hands their keys to another member in the same transaction, or revokes them by default', async () => {
    const owner = await premium();
    const leaving = await inviteMember(env, owner, 'ADMIN');
    const heir = await inviteMember(env, owner, 'ADMIN');
    const kept = await createApiKey(env.api, leaving.token, { name: 'kept' });
    const second = await createApiKey(env.api, leaving.token, { name: 'kept too' });

    const before = await lastAuditSeq(env, owner.accountId);
    const removed = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: leaving.userId, transferKeysTo: heir.userId } },
      { token: owner.token },
    );
    expect(removed.errors).toBeUndefined();
    const events = await auditRows(env, owner.accountId, ['action', 'target_id'], { afterSeq: before });
    expect(events.map((event) => event.action)).toEqual([
      'member.removed',
      'api_key.transferred',
      'api_key.transferred',
    ]);
    for (const key of [kept, second]) {
      const read = await env.api.call(ApiKeyDocument, { id: key.id }, { token: owner.token });
      expect(read.data!.apiKey).toMatchObject({ status: 'ACTIVE', owner: { id: heir.userId } });
      expect((await env.api.call(ViewerDocument, {}, { token: key.secret })).errors).toBeUndefined();
    }

    // Without transferKeysTo the keys are revoked.
    const revoked = await createApiKey(env.api, heir.token, { name: 'goes' });
    const removedAgain = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: heir.userId } },
      { token: owner.token },
    );
    expect(removedAgain.errors).toBeUndefined();
    for (const key of [kept, second, revoked]) {
      const read = await env.api.call(ApiKeyDocument, { id: key.id }, { token: owner.token });
      expect(read.data!.apiKey!.status).toBe('REVOKED');
    }
  });

  it('refuses removal with a transfer to a non-member or to the removed member, removing nobody', async () => {
    const owner = await premium();
    const leaving = await inviteMember(env, owner, 'ADMIN');
    const key = await createApiKey(env.api, leaving.token, { name: 'stays' });
    for (const transferKeysTo of [leaving.userId, owner.userId.replace(/.$/, (c) => (c === '0' ? '1' : '0'))]) {
      const refused = await env.api.call(
        RemoveMemberDocument,
        { input: { userId: leaving.userId, transferKeysTo } },
        { token: owner.token },
      );
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    }
    const read = await env.api.call(ApiKeyDocument, { id: key.id }, { token: leaving.token });
    expect(read.data!.apiKey).toMatchObject({ status: 'ACTIVE', owner: { id: leaving.userId } });
  });

  it('requires handoffTo for TEAM_HANDOFF keys (and only for them) and shows it with the key', async () => {
    const owner = await premium();
    const missing = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'handed', purpose: 'TEAM_HANDOFF', scopes: ['KEYS_READ'] } },
      { token: owner.token },
    );
    expect(errorCodes(missing)).toEqual(['BAD_USER_INPUT']);
    expect(missing.errors![0]!.extensions).toMatchObject({ field: 'handoffTo' });
    const misplaced = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'mine', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'], handoffTo: 'Data team' } },
      { token: owner.token },
    );
    expect(errorCodes(misplaced)).toEqual(['BAD_USER_INPUT']);
    const handed = await createApiKey(env.api, owner.token, {
      name: 'warehouse sync',
      purpose: 'TEAM_HANDOFF',
      handoffTo: 'Data platform team',
    });
    expect(handed.apiKey.handoffTo).toBe('Data platform team');
    const rotated = await env.api.call(RotateApiKeyDocument, { input: { id: handed.id } }, { token: owner.token });
    expect(rotated.data!.rotateApiKey.apiKey.handoffTo).toBe('Data platform team');
    const found = await env.api.call(
      FilteredApiKeysDocument,
      { filter: { search: 'platform', status: 'ACTIVE' } },
      { token: owner.token },
    );
    expect(found.data!.apiKeys.edges.map((edge) => edge.node.id)).toEqual([rotated.data!.rotateApiKey.apiKey.id]);
  });
});

describe('rotation you can watch', () => {
  it('counts the old key’s requests since rotation, shows ROTATING, and endRotationGrace makes it fail on the next request', async () => {
    const owner = await premium();
    const key = await createApiKey(env.api, owner.token, { name: 'switching' });
    // Requests before the rotation do not count.
    await env.api.call(ViewerDocument, {}, { token: key.secret });
    await env.api.app.services.keyUsage.flush();

    const rotated = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: key.id, gracePeriodSeconds: 3600 } },
      { token: owner.token },
    );
    expect(rotated.data!.rotateApiKey.previousKey).toMatchObject({ status: 'ROTATING', requestsSinceRotation: 0 });
    for (let i = 0; i < 3; i += 1) {
      expect((await env.api.call(ViewerDocument, {}, { token: key.secret })).errors).toBeUndefined();
    }
    await env.api.app.services.keyUsage.flush();
    const watched = await env.api.call(ApiKeyUsageDocument, { id: key.id }, { token: owner.token });
    expect(watched.data!.apiKey).toMatchObject({ requestsSinceRotation: 3, lastUsedIp: '127.0.0.1' });
    expect(watched.data!.apiKey!.lastUsedAt).not.toBeNull();
    const rotating = await env.api.call(
      FilteredApiKeysDocument,
      { filter: { status: 'ROTATING' } },
      { token: owner.token },
    );
    expect(rotating.data!.apiKeys.edges.map((edge) => edge.node.id)).toEqual([key.id]);
    const active = await env.api.call(
      FilteredApiKeysDocument,
      { filter: { status: 'ACTIVE' } },
      { token: owner.token },
    );
    expect(active.data!.apiKeys.edges.map((edge) => edge.node.id)).toEqual([rotated.data!.rotateApiKey.apiKey.id]);

    const before = await lastAuditSeq(env, owner.accountId);
    const ended = await env.api.call(EndRotationGraceDocument, { input: { id: key.id } }, { token: owner.token });
    expect(ended.errors).toBeUndefined();
    expect(ended.data!.endRotationGrace).toMatchObject({ id: key.id, status: 'EXPIRED' });
    const after = await env.api.call(ViewerDocument, {}, { token: key.secret });
    expect(errorCodes(after)).toEqual(['UNAUTHENTICATED']);
    const [event] = await auditRows(env, owner.accountId, ['action', 'target_id'], { afterSeq: before });
    expect(event).toEqual({ action: 'api_key.grace_ended', target_id: key.id });
    // The replacement is untouched.
    const replacement = await env.api.call(ViewerDocument, {}, { token: rotated.data!.rotateApiKey.secret });
    expect(replacement.errors).toBeUndefined();

    const again = await env.api.call(EndRotationGraceDocument, { input: { id: key.id } }, { token: owner.token });
    expect(errorCodes(again)).toEqual(['BAD_USER_INPUT']);
    const notRotated = await env.api.call(
      EndRotationGraceDocument,
      { input: { id: rotated.data!.rotateApiKey.apiKey.id } },
      { token: owner.token },
    );
    expect(errorCodes(notRotated)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('hygiene at a glance', () => {
  it('counts requests per hour, filters keys, and sums the health of ACTIVE keys', async () => {
    const owner = await premium();
    const member = await inviteMember(env, owner, 'MEMBER');
    const used = await createApiKey(env.api, owner.token, { name: 'used daily', expiresAt: null });
    const unused = await createApiKey(env.api, owner.token, {
      name: 'forgotten',
      expiresAt: new Date(Date.now() + 3 * DAY_MS).toISOString(),
    });
    const memberOwned = await createApiKey(env.api, owner.token, { name: 'member reader' });
    const handed = await env.api.call(
      TransferApiKeyDocument,
      { input: { id: memberOwned.id, toUserId: member.userId } },
      { token: owner.token },
    );
    expect(handed.errors).toBeUndefined();
    const stale = await createApiKey(env.api, owner.token, { name: 'stale' });
    await env.sql(
      `UPDATE api_keys SET created_at = now() - interval '60 days', last_used_at = now() - interval '45 days' WHERE id = $1`,
      [stale.id],
    );
    for (let i = 0; i < 5; i += 1) await env.api.call(ViewerDocument, {}, { token: used.secret });
    await env.api.app.services.keyUsage.drain();

    const usage = await env.api.call(ApiKeyUsageDocument, { id: used.id, last: 24 }, { token: owner.token });
    const hours = usage.data!.apiKey!.usage;
    expect(hours).toHaveLength(24);
    expect(hours.reduce((sum, hour) => sum + hour.requests, 0)).toBe(5);
    expect(hours.at(-1)!.requests).toBe(5);
    expect(new Date(hours.at(-1)!.hour).getTime()).toBe(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const weekly = await env.api.call(ApiKeyUsageDocument, { id: unused.id }, { token: owner.token });
    expect(weekly.data!.apiKey!.usage).toHaveLength(168);
    expect(weekly.data!.apiKey!.usage.every((hour) => hour.requests === 0)).toBe(true);
    const tooLong = await env.api.call(ApiKeyUsageDocument, { id: used.id, last: 169 }, { token: owner.token });
    expect(errorCodes(tooLong)).toEqual(['BAD_USER_INPUT']);

    const ids = async (filter: object) => {
      const page = await env.api.call(FilteredApiKeysDocument, { filter }, { token: owner.token });
      expect(page.errors).toBeUndefined();
      return page.data!.apiKeys.edges.map((edge) => edge.node.id).sort();
    };
    expect(await ids({ neverUsed: true })).toEqual([unused.id, memberOwned.id].sort());
    expect(await ids({ noExpiry: true })).toEqual([used.id]);
    expect(await ids({ expiringWithinDays: 7 })).toEqual([unused.id]);
    expect(await ids({ unusedForDays: 30 })).toEqual([stale.id]);
    expect(await ids({ ownerId: member.userId })).toEqual([memberOwned.id]);
    expect(await ids({ ownerCannotManageKeys: true })).toEqual([memberOwned.id]);
    expect(await ids({ ownerCannotManageKeys: false })).toEqual([used.id, unused.id, stale.id].sort());
    expect(await ids({ search: 'FORGOT' })).toEqual([unused.id]);
    expect(await ids({ search: '%' })).toEqual([]);
    expect(await ids({ purpose: 'TEAM_HANDOFF' })).toEqual([]);

    const health = await env.api.call(KeyHealthDocument, {}, { token: owner.token });
    expect(health.data!.viewer.account!.keyHealth).toEqual({
      neverUsed: 2,
      unusedFor30Days: 1,
      expiringSoon: 1,
      noExpiry: 1,
      ownerNotAdmin: 1,
    });

    // Demoting a member who owns nothing changes nothing; promoting the key's owner clears ownerNotAdmin.
    const promoted = await env.api.call(
      ChangeMemberRoleDocument,
      { input: { userId: member.userId, role: 'ADMIN' } },
      { token: owner.token },
    );
    expect(promoted.errors).toBeUndefined();
    const healthAfter = await env.api.call(KeyHealthDocument, {}, { token: owner.token });
    expect(healthAfter.data!.viewer.account!.keyHealth.ownerNotAdmin).toBe(0);
    expect(await ids({ ownerCannotManageKeys: true })).toEqual([]);
  });

  it('refuses malformed filters with BAD_USER_INPUT naming the field', async () => {
    const owner = await premium();
    for (const filter of [
      { expiringWithinDays: 0 },
      { unusedForDays: 100000 },
      { ownerId: 'not-a-uuid' },
      { search: 'x'.repeat(101) },
    ]) {
      const refused = await env.api.call(FilteredApiKeysDocument, { filter }, { token: owner.token });
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('shows usage and health only within the caller’s account', async () => {
    const owner = await premium();
    const other = await premium();
    const key = await createApiKey(env.api, owner.token, { name: 'private' });
    await env.api.call(ViewerDocument, {}, { token: key.secret });
    await env.api.app.services.keyUsage.drain();
    const foreign = await env.api.call(ApiKeyUsageDocument, { id: key.id }, { token: other.token });
    expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
    const health = await env.api.call(KeyHealthDocument, {}, { token: other.token });
    expect(health.errors).toBeUndefined();
    expect(health.data!.viewer.account!.keyHealth.neverUsed).toBe(0);
    const byOwner = await env.api.call(
      FilteredApiKeysDocument,
      { filter: { ownerId: owner.userId } },
      { token: other.token },
    );
    expect(byOwner.data!.apiKeys.totalCount).toBe(0);
  });
});
