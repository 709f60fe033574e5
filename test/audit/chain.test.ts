import 'reflect-metadata';
import { computeEventHash } from '../../src/audit/audit-chain';
import type { AuditEventRecord } from '../../src/audit/audit.records';
import { VerifyAuditChainDocument, type VerifyAuditChainQueryVariables } from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRecords, tamperAuditEvents } from '../support/audit';
import { createApiKeys } from '../support/fixtures';
import { startTestEnv, TEST_SESSION_SECRET, type SeededAccount, type TestEnv } from '../support/harness';
import { CLI_JS, runNode, type ProcessOutput } from '../support/processes';

/**
 * Tamper evidence of the audit log: every event is made by a real mutation,
 * then the rows are altered as a superuser would, and verification must name
 * the first event that no longer fits the chain.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

/** A PREMIUM account with `keys` created keys: events seq 1 (account.created) to keys + 1. */
async function accountWithEvents(keys: number): Promise<SeededAccount> {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  // A short pause keeps every event's occurredAt distinct, so time windows can split between them.
  await createApiKeys(env.api, owner.token, keys, { pauseMs: 3 });
  return owner;
}

async function eventAt(accountId: string, seq: number): Promise<AuditEventRecord> {
  const event = (await auditRecords(env, accountId)).find((candidate) => candidate.seq === seq);
  if (!event) throw new Error(`no event seq ${seq}`);
  return event;
}

/** Changes event `seq`'s metadata and stores a hash recomputed over the new content, so the row is self-consistent. */
async function forgeEvent(accountId: string, seq: number, prevHash?: string): Promise<void> {
  const event = await eventAt(accountId, seq);
  const forged: AuditEventRecord = {
    ...event,
    metadata: { ...event.metadata, forged: true },
    prevHash: prevHash ?? event.prevHash,
  };
  const hash = computeEventHash(forged.prevHash, forged);
  await tamperAuditEvents(env, [
    'UPDATE audit_events SET metadata = $1, prev_hash = $2, hash = $3 WHERE account_id = $4 AND seq = $5',
    [JSON.stringify(forged.metadata), forged.prevHash, hash, accountId, seq],
  ]);
}

async function verify(owner: SeededAccount, range: VerifyAuditChainQueryVariables = {}) {
  const result = await env.api.call(VerifyAuditChainDocument, range, { token: owner.token });
  expect(result.errors).toBeUndefined();
  return result.data!.verifyAuditChain!;
}

/** Runs the built CLI against the test database. */
function cli(...args: string[]): Promise<ProcessOutput> {
  return runNode(CLI_JS, args, {
    env: { ...process.env, DATABASE_URL: env.databaseUrl, SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: 'warn' },
  });
}

describe('audit chain verification', () => {
  it('reports an intact log as ok with every event checked', async () => {
    const owner = await accountWithEvents(4);
    expect(await verify(owner)).toEqual({
      ok: true,
      checkedCount: 5,
      firstBrokenSeq: null,
      firstBrokenEventId: null,
      reason: null,
      brokenRanges: [],
      brokenRangeCount: 0,
    });
  });

  it.each([
    ['metadata', `'{"name": "innocent"}'::jsonb`],
    ['ip', `'203.0.113.66'`],
    ['actor_display', `'someone-else@example.test'`],
  ])('names an event whose %s was changed', async (column, value) => {
    const owner = await accountWithEvents(4);
    const target = await eventAt(owner.accountId, 3);
    await tamperAuditEvents(env, [
      `UPDATE audit_events SET ${column} = ${value} WHERE account_id = $1 AND seq = 3`,
      [owner.accountId],
    ]);
    expect(await verify(owner)).toEqual({
      ok: false,
      checkedCount: 5,
      firstBrokenSeq: 3,
      firstBrokenEventId: target.id,
      reason: expect.stringMatching(/content does not match its hash/),
      brokenRanges: [{ firstSeq: 3, lastSeq: 3, count: 1, reason: expect.stringMatching(/content does not match/) }],
      brokenRangeCount: 1,
    });
  });

  it('names the gap when an event in the middle was deleted', async () => {
    const owner = await accountWithEvents(4);
    await tamperAuditEvents(env, ['DELETE FROM audit_events WHERE account_id = $1 AND seq = 3', [owner.accountId]]);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      firstBrokenEventId: null,
      reason: expect.stringMatching(/seq 3 is missing/),
    });
  });

  it('catches a deleted newest event through the chain head', async () => {
    const owner = await accountWithEvents(4);
    await tamperAuditEvents(env, ['DELETE FROM audit_events WHERE account_id = $1 AND seq = 5', [owner.accountId]]);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      checkedCount: 4,
      firstBrokenSeq: 5,
      firstBrokenEventId: null,
      reason: expect.stringMatching(/missing.*chain head is at seq 5/),
    });
  });

  it('names the first of two events whose order was swapped', async () => {
    const owner = await accountWithEvents(4);
    const moved = await eventAt(owner.accountId, 4);
    // A temporary seq sidesteps the (account_id, seq) unique constraint during the swap.
    await tamperAuditEvents(
      env,
      ['UPDATE audit_events SET seq = -1 WHERE account_id = $1 AND seq = 3', [owner.accountId]],
      ['UPDATE audit_events SET seq = 3 WHERE account_id = $1 AND seq = 4', [owner.accountId]],
      ['UPDATE audit_events SET seq = 4 WHERE account_id = $1 AND seq = -1', [owner.accountId]],
    );
    // The swapped events and the one after them no longer link to their stored predecessors.
    expect(await verify(owner)).toMatchObject({
      ok: false,
      checkedCount: 5,
      firstBrokenSeq: 3,
      firstBrokenEventId: moved.id,
      reason: expect.stringMatching(/reordered/),
      brokenRanges: [{ firstSeq: 3, lastSeq: 5, count: 3, reason: expect.stringMatching(/reordered/) }],
    });
  });

  it('catches a forged event with a recomputed hash at the next event', async () => {
    const owner = await accountWithEvents(4);
    await forgeEvent(owner.accountId, 3);
    const next = await eventAt(owner.accountId, 4);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      checkedCount: 5,
      firstBrokenSeq: 4,
      firstBrokenEventId: next.id,
      reason: expect.stringMatching(/prevHash does not match/),
      brokenRanges: [{ firstSeq: 4, lastSeq: 4, count: 1 }],
    });
  });

  it('catches a forged newest event with a recomputed hash through the chain head, naming that event', async () => {
    const owner = await accountWithEvents(4);
    await forgeEvent(owner.accountId, 5);
    const newest = await eventAt(owner.accountId, 5);
    expect(await verify(owner)).toEqual({
      ok: false,
      checkedCount: 5,
      firstBrokenSeq: 5,
      firstBrokenEventId: newest.id,
      reason: expect.stringMatching(/chain head/),
      brokenRanges: [{ firstSeq: 5, lastSeq: 5, count: 1, reason: expect.stringMatching(/chain head/) }],
      brokenRangeCount: 1,
    });
  });

  it('catches a forged first event chained from the genesis hash at the second event', async () => {
    const owner = await accountWithEvents(2);
    await forgeEvent(owner.accountId, 1);
    const second = await eventAt(owner.accountId, 2);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      checkedCount: 3,
      firstBrokenSeq: 2,
      firstBrokenEventId: second.id,
      reason: expect.stringMatching(/prevHash does not match/),
      brokenRanges: [{ firstSeq: 2, lastSeq: 2, count: 1 }],
    });
  });

  it('names a forged first event that does not start from the genesis hash', async () => {
    const owner = await accountWithEvents(2);
    const first = await eventAt(owner.accountId, 1);
    await forgeEvent(owner.accountId, 1, 'f'.repeat(64));
    // The second event still links to the first's original hash.
    expect(await verify(owner)).toMatchObject({
      ok: false,
      checkedCount: 3,
      firstBrokenSeq: 1,
      firstBrokenEventId: first.id,
      reason: expect.stringMatching(/prevHash does not match/),
      brokenRanges: [{ firstSeq: 1, lastSeq: 2, count: 2 }],
    });
  });

  it('keeps accounts’ chains independent: tampering in one leaves the other ok', async () => {
    const tampered = await accountWithEvents(3);
    const other = await accountWithEvents(2);
    await tamperAuditEvents(env, [
      `UPDATE audit_events SET ip = '198.51.100.7' WHERE account_id = $1 AND seq = 2`,
      [tampered.accountId],
    ]);
    expect(await verify(tampered)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    expect(await verify(other)).toEqual({
      ok: true,
      checkedCount: 3,
      firstBrokenSeq: null,
      firstBrokenEventId: null,
      reason: null,
      brokenRanges: [],
      brokenRangeCount: 0,
    });
  });

  it('checks only the events inside a time window and still names tampering within it', async () => {
    const owner = await accountWithEvents(4);
    const events = await auditRecords(env, owner.accountId);
    const times = events.map((event) => event.occurredAt.getTime());
    expect([...new Set(times)]).toEqual([...times].sort((a, b) => a - b));
    // [seq 2, seq 4): seqs 2 and 3.
    const window = { from: events[1]!.occurredAt.toISOString(), to: events[3]!.occurredAt.toISOString() };
    expect(await verify(owner, window)).toEqual({
      ok: true,
      checkedCount: 2,
      firstBrokenSeq: null,
      firstBrokenEventId: null,
      reason: null,
      brokenRanges: [],
      brokenRangeCount: 0,
    });

    await tamperAuditEvents(env, [
      `UPDATE audit_events SET ip = '198.51.100.7' WHERE account_id = $1 AND seq = 5`,
      [owner.accountId],
    ]);
    expect(await verify(owner, window)).toMatchObject({ ok: true, checkedCount: 2 });
    expect(await verify(owner)).toMatchObject({ ok: false, firstBrokenSeq: 5 });

    await tamperAuditEvents(env, [
      `UPDATE audit_events SET ip = '198.51.100.7' WHERE account_id = $1 AND seq = 3`,
      [owner.accountId],
    ]);
    expect(await verify(owner, window)).toEqual({
      ok: false,
      checkedCount: 2,
      firstBrokenSeq: 3,
      firstBrokenEventId: events[2]!.id,
      reason: expect.stringMatching(/content does not match its hash/),
      brokenRanges: [{ firstSeq: 3, lastSeq: 3, count: 1, reason: expect.stringMatching(/content does not match/) }],
      brokenRangeCount: 1,
    });
  });
});

describe('keyledger audit verify (CLI)', () => {
  it('exits 0 with ok:true for an intact chain and 1 naming the broken event after tampering', async () => {
    const owner = await accountWithEvents(3);
    const intact = await cli('audit', 'verify', '--account', owner.accountId);
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toEqual({
      ok: true,
      checkedCount: 4,
      firstBrokenSeq: null,
      firstBrokenEventId: null,
      reason: null,
      brokenRanges: [],
      brokenRangeCount: 0,
    });

    const target = await eventAt(owner.accountId, 2);
    await tamperAuditEvents(env, [
      `UPDATE audit_events SET actor_display = 'mallory@example.test' WHERE account_id = $1 AND seq = 2`,
      [owner.accountId],
    ]);
    const broken = await cli('audit', 'verify', '--account', owner.accountId);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({
      ok: false,
      firstBrokenSeq: 2,
      firstBrokenEventId: target.id,
      brokenRanges: [{ firstSeq: 2, lastSeq: 2, count: 1, reason: expect.stringMatching(/content does not match/) }],
      brokenRangeCount: 1,
    });
  });
});
