import {
  AuditEventStreamDocument,
  AuditEventsDocument,
  AuditReviewDocument,
  MarkAuditReviewedDocument,
  RecordAuditEventsDocument,
  SetAuditReviewerDocument,
  SetImportantAuditActionsDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq } from '../support/audit';
import { createApiKey, createApiKeys, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type SeededAccount, type TestEnv } from '../support/harness';
import { connectWsPerTest } from '../support/ws';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const connect = connectWsPerTest();

async function reviewOf(token: string) {
  const result = await env.api.call(AuditReviewDocument, {}, { token });
  expect(result.errors).toBeUndefined();
  return result.data!.account.auditReview!;
}

async function appoint(owner: SeededAccount, userId: string, reviewer = true) {
  const result = await env.api.call(SetAuditReviewerDocument, { input: { userId, reviewer } }, { token: owner.token });
  expect(result.errors).toBeUndefined();
  return result.data!.setAuditReviewer!;
}

async function recordHostEvents(token: string, actions: string[]): Promise<void> {
  const occurredAt = new Date().toISOString();
  const events = actions.map((action, i) => ({
    action,
    actor: { type: 'SERVICE' as const, id: 'billing' },
    target: { type: 'invoice', id: `inv_${i}` },
    occurredAt,
  }));
  const result = await env.api.call(RecordAuditEventsDocument, { input: { events } }, { token });
  expect(result.errors).toBeUndefined();
}

describe('a review of the audit log that someone owns', () => {
  it('starts unreviewed, counting every event and the important ones', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKeys(env.api, owner.token, 2);
    const set = await env.api.call(
      SetImportantAuditActionsDocument,
      { input: { actions: ['api_key.*', 'invoice.refunded', 'api_key.*'] } },
      { token: owner.token },
    );
    expect(set.errors).toBeUndefined();
    expect(set.data!.setImportantAuditActions!.importantActions).toEqual(['api_key.*', 'invoice.refunded']);
    await recordHostEvents(owner.token, ['invoice.paid', 'invoice.refunded', 'invoice.refunded_partly']);
    const review = await reviewOf(owner.token);
    // account.created, 2 × api_key.created, audit.important_actions_changed, 3 host events.
    expect(review).toMatchObject({
      reviewedThroughSeq: 0,
      reviewedAt: null,
      reviewer: null,
      unreviewedCount: 7,
      unreviewedImportantCount: 3,
      reviewers: [],
      importantActions: ['api_key.*', 'invoice.refunded'],
    });
    expect(review.oldestUnreviewedAt).not.toBeNull();
  });

  it('lets a reviewer mark the log reviewed, audited, and does not count the review event', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const admin = await inviteMember(env, owner, 'ADMIN');
    const appointed = await appoint(owner, admin.userId);
    expect(appointed.reviewers.map((user) => user.id)).toEqual([admin.userId]);
    await env.api.call(SetImportantAuditActionsDocument, { input: { actions: ['api_key.*'] } }, owner);
    await createApiKeys(env.api, owner.token, 2);
    const head = await lastAuditSeq(env, owner.accountId);
    const marked = await env.api.call(
      MarkAuditReviewedDocument,
      { input: { throughSeq: head, note: 'Weekly review: two new keys, expected.' } },
      { token: admin.token },
    );
    expect(marked.errors).toBeUndefined();
    expect(marked.data!.markAuditReviewed).toMatchObject({
      reviewedThroughSeq: head,
      reviewer: { id: admin.userId },
      note: 'Weekly review: two new keys, expected.',
      unreviewedCount: 0,
      unreviewedImportantCount: 0,
      oldestUnreviewedAt: null,
    });
    const [event] = await auditRows(env, owner.accountId, ['action', 'outcome', 'actor_id', 'changes', 'metadata'], {
      afterSeq: head,
    });
    expect(event).toEqual({
      action: 'audit.reviewed',
      outcome: 'SUCCESS',
      actor_id: admin.userId,
      changes: [{ field: 'reviewedThroughSeq', before: 0, after: head }],
      // 5 events + the two keys' events; account.created and the reviewer/important changes included.
      metadata: { note: 'Weekly review: two new keys, expected.', reviewedCount: head, importantCount: 2 },
    });
    // One more key: one unreviewed, and important.
    await createApiKey(env.api, owner.token, { name: 'after the review' });
    expect(await reviewOf(owner.token)).toMatchObject({ unreviewedCount: 1, unreviewedImportantCount: 1 });
  });

  it('refuses a non-reviewer (even the OWNER) with FORBIDDEN and records the denial, which counts as unreviewed', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const head = await lastAuditSeq(env, owner.accountId);
    const refused = await env.api.call(MarkAuditReviewedDocument, { input: { throughSeq: head } }, owner);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.data?.markAuditReviewed ?? null).toBeNull();
    expect(await auditRows(env, owner.accountId, ['action', 'outcome'], { afterSeq: head })).toEqual([
      { action: 'audit.reviewed', outcome: 'DENIED' },
    ]);
    expect(await reviewOf(owner.token)).toMatchObject({ reviewedThroughSeq: 0, unreviewedCount: head + 1 });
  });

  it('refuses an API key even of a reviewer: a review is a person’s act', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await appoint(owner, owner.userId);
    const key = await createApiKey(env.api, owner.token, { name: 'reader', scopes: ['AUDIT_READ'] });
    const head = await lastAuditSeq(env, owner.accountId);
    const refused = await env.api.call(
      MarkAuditReviewedDocument,
      { input: { throughSeq: head } },
      { token: key.secret },
    );
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
  });

  it('refuses a throughSeq beyond the head, or not moving forward, recording nothing', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    await appoint(owner, owner.userId);
    const head = await lastAuditSeq(env, owner.accountId);
    for (const throughSeq of [head + 1, 0, -3]) {
      const refused = await env.api.call(MarkAuditReviewedDocument, { input: { throughSeq } }, owner);
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
      expect(refused.errors![0]!.extensions!.field).toBe('throughSeq');
    }
    expect(await lastAuditSeq(env, owner.accountId)).toBe(head);
    const marked = await env.api.call(MarkAuditReviewedDocument, { input: { throughSeq: head } }, owner);
    expect(marked.errors).toBeUndefined();
    const again = await env.api.call(MarkAuditReviewedDocument, { input: { throughSeq: head } }, owner);
    expect(errorCodes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors![0]!.message).toMatch(/already reviewed through seq/);
  });

  it('appoints any member, a MEMBER too, who then reads the log and reviews; only OWNER/ADMIN appoint; audited', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const member = await inviteMember(env, owner, 'MEMBER');
    const admin = await inviteMember(env, owner, 'ADMIN');
    const before = await lastAuditSeq(env, owner.accountId);
    const notYet = await env.api.call(AuditEventsDocument, { first: 1 }, member);
    expect(errorCodes(notYet)).toEqual(['FORBIDDEN']);
    const byMember = await env.api.call(
      SetAuditReviewerDocument,
      { input: { userId: admin.userId, reviewer: true } },
      member,
    );
    expect(errorCodes(byMember)).toEqual(['FORBIDDEN']);
    const stranger = await env.seedAccount({ plan: Plan.PREMIUM });
    const otherAccount = await env.api.call(
      SetAuditReviewerDocument,
      { input: { userId: stranger.userId, reviewer: true } },
      owner,
    );
    expect(errorCodes(otherAccount)).toEqual(['NOT_FOUND']);
    const appointed = await appoint(owner, member.userId);
    expect(appointed.reviewers.map((user) => user.id)).toEqual([member.userId]);
    await appoint(owner, member.userId); // no change: nothing recorded
    // The reviewer role is read on the next request: the MEMBER reads the log and marks it reviewed.
    const read = await env.api.call(AuditEventsDocument, { first: 1 }, member);
    expect(read.errors).toBeUndefined();
    const head = await lastAuditSeq(env, owner.accountId);
    const marked = await env.api.call(MarkAuditReviewedDocument, { input: { throughSeq: head } }, member);
    expect(marked.errors).toBeUndefined();
    // Still a MEMBER otherwise: no exports, no keys of their own to write.
    const removed = await appoint(owner, member.userId, false);
    expect(removed.reviewers).toEqual([]);
    const afterRemoval = await env.api.call(AuditEventsDocument, { first: 1 }, member);
    expect(errorCodes(afterRemoval)).toEqual(['FORBIDDEN']);
    const rows = await auditRows(env, owner.accountId, ['action', 'outcome', 'changes'], { afterSeq: before });
    expect(rows.filter((row) => row.action === 'audit.reviewer_changed')).toEqual([
      { action: 'audit.reviewer_changed', outcome: 'DENIED', changes: [] },
      {
        action: 'audit.reviewer_changed',
        outcome: 'SUCCESS',
        changes: [{ field: 'auditReviewer', before: false, after: true }],
      },
      {
        action: 'audit.reviewer_changed',
        outcome: 'SUCCESS',
        changes: [{ field: 'auditReviewer', before: true, after: false }],
      },
    ]);
  });

  it('refuses bad important action patterns naming the entry', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const refused = await env.api.call(
      SetImportantAuditActionsDocument,
      { input: { actions: ['api_key.*', 'API KEY'] } },
      owner,
    );
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.extensions!.field).toBe('actions[1]');
  });

  it('is gated like the log: a FREE account gets ENTITLEMENT_REQUIRED and nothing changes', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const before = await lastAuditSeq(env, owner.accountId);
    const read = await env.api.call(AuditReviewDocument, {}, owner);
    expect(read.data!.account.auditReview).toBeNull();
    expect(errorCodes(read)).toEqual(['ENTITLEMENT_REQUIRED']);
    const set = await env.api.call(
      SetAuditReviewerDocument,
      { input: { userId: owner.userId, reviewer: true } },
      owner,
    );
    expect(errorCodes(set)).toEqual(['ENTITLEMENT_REQUIRED']);
    const mark = await env.api.call(MarkAuditReviewedDocument, { input: { throughSeq: 1 } }, owner);
    expect(errorCodes(mark)).toEqual(['ENTITLEMENT_REQUIRED']);
    expect(await lastAuditSeq(env, owner.accountId)).toBe(before);
  });

  it('keeps each account’s review to itself', async () => {
    const a = await env.seedAccount({ plan: Plan.PREMIUM });
    const b = await env.seedAccount({ plan: Plan.PREMIUM });
    await appoint(a, a.userId);
    await env.api.call(MarkAuditReviewedDocument, { input: { throughSeq: await lastAuditSeq(env, a.accountId) } }, a);
    expect(await reviewOf(b.token)).toMatchObject({ reviewedThroughSeq: 0, reviewers: [], reviewer: null });
  });

  it('applies the same rules over WebSocket: a non-reviewer is refused, a reviewer marks', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const admin = await inviteMember(env, owner, 'ADMIN');
    const head = await lastAuditSeq(env, owner.accountId);
    const adminWs = connect(env.api, admin.token);
    const refused = adminWs.subscribe(MarkAuditReviewedDocument, { input: { throughSeq: head } });
    expect(await refused.ended).toBe('complete');
    expect(refused.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    await appoint(owner, admin.userId);
    const headNow = await lastAuditSeq(env, owner.accountId);
    const marked = adminWs.subscribe(MarkAuditReviewedDocument, { input: { throughSeq: headNow, note: 'via ws' } });
    const [result] = await marked.waitFor(1);
    expect(result!.markAuditReviewed).toMatchObject({
      reviewedThroughSeq: headNow,
      note: 'via ws',
      unreviewedCount: 0,
    });
  });

  it('closes a MEMBER reviewer’s live feed once the reviewer role is taken away', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const member = await inviteMember(env, owner, 'MEMBER');
    await appoint(owner, member.userId);
    const ws = connect(env.api, member.token);
    const stream = ws.subscribe(AuditEventStreamDocument, {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    await createApiKey(env.api, owner.token, { name: 'seen live' });
    const [event] = await stream.waitFor(1);
    expect(event!.auditEvents.action).toBe('api_key.created');
    await appoint(owner, member.userId, false);
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      ws.closed,
      new Promise((resolve) => (timer = setTimeout(() => resolve('still open'), 8000))),
    ]);
    clearTimeout(timer);
    expect(closed).toMatchObject({ code: 4403 });
  });
});
