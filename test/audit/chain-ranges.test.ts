import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { computeEventHash } from '../../src/audit/audit-chain';
import { AuditActorType, AuditOutcome } from '../../src/audit/audit-event.entity';
import { auditedTransaction, type Caller } from '../../src/audit/audit.recorder';
import type { AuditEventRecord } from '../../src/audit/audit.records';
import { VerifyAuditChainDocument } from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRecords, tamperAuditEvents } from '../support/audit';
import { createApiKey, createApiKeys } from '../support/fixtures';
import { startTestEnv, type SeededAccount, type TestEnv } from '../support/harness';
import { eventually } from '../support/wait';

/**
 * Verification goes on past a broken event and reports every broken range,
 * over chains longer than one read batch, and reads one consistent snapshot
 * while events are being appended.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const ALTERED = 'content does not match its hash (event altered or hash forged)';
const RELINKED = 'prevHash does not match the previous event’s hash (events reordered, removed or forged)';

/** A PREMIUM account with `keys` created keys: events seq 1 (account.created) to keys + 1. */
async function accountWithEvents(keys: number): Promise<SeededAccount> {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  await createApiKeys(env.api, owner.token, keys);
  return owner;
}

/** Appends `count` events to the account's chain through the service's own recorder, in one transaction. */
async function appendEvents(accountId: string, count: number): Promise<void> {
  const caller: Caller = { accountId, principal: null, meta: { requestId: 'bulk', ip: null, userAgent: 'chain-test' } };
  await auditedTransaction(env.api.orm.em.fork(), caller, async (_tx, audit) => {
    for (let i = 0; i < count; i++) await audit({ action: 'test.appended', target: { type: 'test', id: String(i) } });
  });
}

async function eventAt(accountId: string, seq: number): Promise<AuditEventRecord> {
  const event = (await auditRecords(env, accountId)).find((candidate) => candidate.seq === seq);
  if (!event) throw new Error(`no event seq ${seq}`);
  return event;
}

/** Changes event `seq`'s metadata and stores a hash recomputed over the new content, so the row is self-consistent. */
async function forgeEvent(accountId: string, seq: number): Promise<void> {
  const event = await eventAt(accountId, seq);
  const forged: AuditEventRecord = { ...event, metadata: { ...event.metadata, forged: true } };
  await tamperAuditEvents(env, [
    'UPDATE audit_events SET metadata = $1, hash = $2 WHERE account_id = $3 AND seq = $4',
    [JSON.stringify(forged.metadata), computeEventHash(forged.prevHash, forged), accountId, seq],
  ]);
}

function alterIp(accountId: string, condition: string): [string, unknown[]] {
  return [`UPDATE audit_events SET ip = '203.0.113.66' WHERE account_id = $1 AND ${condition}`, [accountId]];
}

async function verify(owner: SeededAccount) {
  const result = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
  expect(result.errors).toBeUndefined();
  return result.data!.verifyAuditChain!;
}

describe('every broken range', () => {
  it('keeps verifying past the first broken event and reports every broken range', async () => {
    const owner = await accountWithEvents(9);
    const third = await eventAt(owner.accountId, 3);
    await tamperAuditEvents(env, alterIp(owner.accountId, 'seq IN (3, 4)'), [
      'DELETE FROM audit_events WHERE account_id = $1 AND seq IN (6, 7)',
      [owner.accountId],
    ]);
    await forgeEvent(owner.accountId, 9);
    expect(await verify(owner)).toEqual({
      ok: false,
      checkedCount: 8,
      firstBrokenSeq: 3,
      firstBrokenEventId: third.id,
      reason: ALTERED,
      brokenRanges: [
        { firstSeq: 3, lastSeq: 4, count: 2, reason: ALTERED },
        {
          firstSeq: 6,
          lastSeq: 7,
          count: 2,
          reason: 'events seq 6 to 7 are missing (deleted); the next stored event is seq 8',
        },
        { firstSeq: 10, lastSeq: 10, count: 1, reason: RELINKED },
      ],
      brokenRangeCount: 3,
    });
  });

  it('keeps firstBrokenSeq on a missing event and reports the altered events after it', async () => {
    const owner = await accountWithEvents(5);
    await tamperAuditEvents(
      env,
      ['DELETE FROM audit_events WHERE account_id = $1 AND seq = 2', [owner.accountId]],
      alterIp(owner.accountId, 'seq = 5'),
    );
    const result = await verify(owner);
    expect(result).toMatchObject({ ok: false, checkedCount: 5, firstBrokenSeq: 2, firstBrokenEventId: null });
    expect(result.brokenRanges).toEqual([
      {
        firstSeq: 2,
        lastSeq: 2,
        count: 1,
        reason: 'event seq 2 is missing (deleted); the next stored event is seq 3',
      },
      { firstSeq: 5, lastSeq: 5, count: 1, reason: ALTERED },
    ]);
  });

  it('reports a removed tail up to the chain head after an altered event', async () => {
    const owner = await accountWithEvents(4);
    await tamperAuditEvents(env, alterIp(owner.accountId, 'seq = 2'), [
      'DELETE FROM audit_events WHERE account_id = $1 AND seq >= 4',
      [owner.accountId],
    ]);
    expect((await verify(owner)).brokenRanges).toEqual([
      { firstSeq: 2, lastSeq: 2, count: 1, reason: ALTERED },
      { firstSeq: 4, lastSeq: 5, count: 2, reason: 'events after seq 3 are missing (the chain head is at seq 5)' },
    ]);
  });

  it('reports events stored past the chain head as not appended through it', async () => {
    const owner = await accountWithEvents(2);
    const newest = await eventAt(owner.accountId, 3);
    const extra: AuditEventRecord = {
      ...newest,
      id: randomUUID(),
      seq: 4,
      prevHash: newest.hash,
      occurredAt: new Date(),
    };
    extra.hash = computeEventHash(extra.prevHash, extra);
    // Inserting is what the application may do; only the chain head was left behind.
    await env.sql(
      `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display,
                                 actor_scopes, target_type, target_id, target_display, changes, metadata, ip, user_agent,
                                 request_id, prev_hash, hash)
       SELECT $1, account_id, 4, $2, action, outcome, actor_type, actor_id, actor_display, actor_scopes, target_type,
              target_id, target_display, changes, metadata, ip, user_agent, request_id, $3, $4
         FROM audit_events WHERE account_id = $5 AND seq = 3`,
      [extra.id, extra.occurredAt, extra.prevHash, extra.hash, owner.accountId],
    );
    expect(await verify(owner)).toMatchObject({
      ok: false,
      firstBrokenSeq: 4,
      brokenRanges: [
        {
          firstSeq: 4,
          lastSeq: 4,
          count: 1,
          reason: 'events after seq 3 were not appended through the chain head (the head is at seq 3)',
        },
      ],
    });
  });
});

describe('chains longer than one read batch', () => {
  it('verifies a chain of more than 1,000 events', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await appendEvents(owner.accountId, 1_100);
    expect(await verify(owner)).toEqual({
      ok: true,
      checkedCount: 1_101,
      firstBrokenSeq: null,
      firstBrokenEventId: null,
      reason: null,
      brokenRanges: [],
      brokenRangeCount: 0,
    });
  });

  it('reports broken ranges in every read batch, one range across the batch boundary', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await appendEvents(owner.accountId, 1_200);
    await tamperAuditEvents(
      env,
      alterIp(owner.accountId, 'seq = 10'),
      alterIp(owner.accountId, 'seq BETWEEN 999 AND 1002'),
      ['DELETE FROM audit_events WHERE account_id = $1 AND seq = 1100', [owner.accountId]],
    );
    expect(await verify(owner)).toMatchObject({
      ok: false,
      checkedCount: 1_200,
      firstBrokenSeq: 10,
      brokenRanges: [
        { firstSeq: 10, lastSeq: 10, count: 1, reason: ALTERED },
        { firstSeq: 999, lastSeq: 1002, count: 4, reason: ALTERED },
        {
          firstSeq: 1100,
          lastSeq: 1100,
          count: 1,
          reason: 'event seq 1100 is missing (deleted); the next stored event is seq 1101',
        },
      ],
      brokenRangeCount: 3,
    });
  });
});

/** The number of sessions of this test database waiting for a lock on audit_chain_heads. */
async function waitersOnChainHeads(): Promise<number> {
  const [row] = await env.sql<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_locks
      WHERE NOT granted AND relation = 'audit_chain_heads'::regclass
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return row!.waiting;
}

/** Appends the account's next event on `client` (inside its transaction), chained from the head as the recorder does. */
async function appendOn(client: pg.Client, accountId: string): Promise<void> {
  const { rows } = await client.query<{ last_seq: string; last_hash: string }>(
    'SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = $1',
    [accountId],
  );
  const event: AuditEventRecord = {
    id: randomUUID(),
    accountId,
    seq: Number(rows[0]!.last_seq) + 1,
    occurredAt: new Date(),
    action: 'test.appended',
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
    prevHash: rows[0]!.last_hash,
    hash: '',
  };
  event.hash = computeEventHash(event.prevHash, event);
  await client.query(
    `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_display, changes,
                               prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '[]', $9, $10)`,
    [
      event.id,
      accountId,
      event.seq,
      event.occurredAt,
      event.action,
      event.outcome,
      event.actorType,
      event.actorDisplay,
      event.prevHash,
      event.hash,
    ],
  );
  await client.query('UPDATE audit_chain_heads SET last_seq = $1, last_hash = $2 WHERE account_id = $3', [
    event.seq,
    event.hash,
    accountId,
  ]);
}

describe('verification while events are appended', () => {
  it('reports no false gap when an event is appended between reading the rows and the head', async () => {
    const owner = await accountWithEvents(3);
    const writer = new pg.Client({ connectionString: env.databaseUrl });
    await writer.connect();
    try {
      // The writer holds the chain heads until its event is in: the verification must wait for them mid-way.
      await writer.query('BEGIN');
      await writer.query('LOCK TABLE audit_chain_heads IN ACCESS EXCLUSIVE MODE');
      const verifying = verify(owner);
      await eventually('the verification waits for the chain heads', async () => (await waitersOnChainHeads()) > 0);
      await appendOn(writer, owner.accountId);
      await writer.query('COMMIT');
      const result = await verifying;
      expect(result).toMatchObject({ ok: true, firstBrokenSeq: null, reason: null, brokenRanges: [] });
      expect([4, 5]).toContain(result.checkedCount);
    } finally {
      await writer.end();
    }
    expect(await verify(owner)).toMatchObject({ ok: true, checkedCount: 5, brokenRanges: [] });
  });

  it('stays ok while keys are created during verifications of a chain longer than one batch', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await appendEvents(owner.accountId, 1_050);
    let appending = true;
    const appends = (async () => {
      try {
        for (let i = 0; i < 15; i++) await createApiKey(env.api, owner.token, { name: `concurrent ${i}` });
      } finally {
        appending = false;
      }
    })();
    const results = [];
    while (appending) results.push(await verify(owner));
    await appends;
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) expect(result).toMatchObject({ ok: true, brokenRanges: [] });
    expect(await verify(owner)).toMatchObject({ ok: true, checkedCount: 1_066 });
  });
});
