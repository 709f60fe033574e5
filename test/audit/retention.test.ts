import 'reflect-metadata';
import { purgeExpiredAuditEvents } from '../../src/audit/audit-retention';
import { auditCursorOf } from '../../src/audit/audit.records';
import { verifyChain } from '../../src/audit/audit.service';
import {
  AuditEventStreamDocument,
  AuditEventsDocument,
  ChangePlanDocument,
  EntitlementsDocument,
} from '../../src/client/generated/graphql';
import { Plan, RETENTION_GRACE_DAYS, storedRetentionDays } from '../../src/entitlements/plans';
import { auditRecords } from '../support/audit';
import { backdateAuditEvents } from '../support/backdate';
import { createApiKeys } from '../support/fixtures';
import { startTestEnv, TEST_SESSION_SECRET, type SeededAccount, type TestEnv } from '../support/harness';
import { CLI_JS, runNode } from '../support/processes';
import { connectWsPerTest } from '../support/ws';

/**
 * Retention: what each plan keeps stored, purged by the hourly job, the CLI
 * and the database function alike (the cut-off is the database's own), with a
 * grace after a plan change that shortens it; and no face shows events past
 * the plan's retention. Events are back-dated through SQL and re-chained, so
 * the log still verifies.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const DAY_MS = 86_400_000;
const connect = connectWsPerTest();

async function accountWithEvents(plan: Plan, keys = 3): Promise<SeededAccount> {
  const owner = await env.seedAccount({ plan });
  await createApiKeys(env.api, owner.token, keys, { pauseMs: 3 });
  return owner;
}

async function seqs(accountId: string): Promise<number[]> {
  return (await auditRecords(env, accountId)).map((event) => event.seq);
}

async function checkpointsOf(accountId: string) {
  return env.sql<{ purged_through_seq: string; purged_count: string }>(
    'SELECT purged_through_seq, purged_count FROM audit_checkpoints WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
}

async function verified(accountId: string) {
  return verifyChain(env.api.orm.em.fork(), accountId);
}

/** Moves the account's last plan change `days` into the past, as the passing of time would (the trigger is off). */
async function planChangedDaysAgo(accountId: string, days: number): Promise<void> {
  await env.sql('ALTER TABLE accounts DISABLE TRIGGER accounts_plan_change');
  try {
    await env.sql(`UPDATE accounts SET plan_changed_at = now() - make_interval(days => $2) WHERE id = $1`, [
      accountId,
      days,
    ]);
  } finally {
    await env.sql('ALTER TABLE accounts ENABLE TRIGGER accounts_plan_change');
  }
}

describe('audit retention purge', () => {
  it.each([
    [Plan.PREMIUM, 90],
    [Plan.ENTERPRISE, 400],
    [Plan.FREE, 400],
    [Plan.STANDARD, 400],
  ])('keeps what a %s account’s last %i days hold: older events go, younger ones stay', async (plan, days) => {
    const owner = await accountWithEvents(plan);
    await backdateAuditEvents(env, owner.accountId, { 1: days + 2, 2: days + 1, 3: days - 1 });
    expect(await verified(owner.accountId)).toMatchObject({ ok: true, checkedCount: 4 });

    expect(await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId)).toEqual({
      accounts: 1,
      deleted: 2,
    });
    expect(await seqs(owner.accountId)).toEqual([3, 4]);
    expect(await checkpointsOf(owner.accountId)).toEqual([{ purged_through_seq: '2', purged_count: '2' }]);
    expect(await verified(owner.accountId)).toMatchObject({ ok: true, checkedCount: 2 });
  });

  it('keeps in the database the same retention per plan as the plan table', async () => {
    for (const plan of Object.values(Plan)) {
      const [row] = await env.sql<{ days: number }>('SELECT audit_retention_days($1) AS days', [plan]);
      expect({ plan, days: row!.days }).toEqual({ plan, days: storedRetentionDays(plan) });
    }
  });

  it('purges nothing within retention and chains new events onto the checkpoint after a purge', async () => {
    const owner = await accountWithEvents(Plan.PREMIUM, 2);
    expect(await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId)).toEqual({
      accounts: 1,
      deleted: 0,
    });
    await backdateAuditEvents(env, owner.accountId, { 1: 120, 2: 110, 3: 100 });
    expect(await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId)).toEqual({
      accounts: 1,
      deleted: 3,
    });
    expect(await verified(owner.accountId)).toMatchObject({ ok: true, checkedCount: 0 });
    await createApiKeys(env.api, owner.token, 1);
    expect(await seqs(owner.accountId)).toEqual([4]);
    expect(await verified(owner.accountId)).toMatchObject({ ok: true, checkedCount: 1 });
  });

  it('purges every account by its own plan in the hourly job', async () => {
    const premium = await accountWithEvents(Plan.PREMIUM, 1);
    const enterprise = await accountWithEvents(Plan.ENTERPRISE, 1);
    for (const owner of [premium, enterprise]) await backdateAuditEvents(env, owner.accountId, { 1: 100 });

    const result = await purgeExpiredAuditEvents(env.api.orm.em.fork());
    expect(result.accounts).toBeGreaterThanOrEqual(2);
    expect(await seqs(premium.accountId)).toEqual([2]);
    expect(await seqs(enterprise.accountId)).toEqual([1, 2]);
  });

  it('purges through `keyledger audit purge` by the plan, printing the counts', async () => {
    const owner = await accountWithEvents(Plan.PREMIUM, 2);
    await backdateAuditEvents(env, owner.accountId, { 1: 95, 2: 91, 3: 89 });
    const purged = await runNode(CLI_JS, ['audit', 'purge', '--account', owner.accountId], {
      env: { ...process.env, DATABASE_URL: env.databaseUrl, SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: 'warn' },
    });
    expect(purged).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(purged.stdout)).toEqual({ accounts: 1, deleted: 2 });
    expect(await seqs(owner.accountId)).toEqual([3]);
    expect(await verified(owner.accountId)).toMatchObject({ ok: true, checkedCount: 1 });
  });
});

describe('retention after a plan change', () => {
  it(`keeps a downgraded account's older history for ${RETENTION_GRACE_DAYS} days and says so in entitlements`, async () => {
    const owner = await accountWithEvents(Plan.ENTERPRISE, 1);
    await backdateAuditEvents(env, owner.accountId, { 1: 200 });
    const changedAfter = Date.now();
    const changed = await env.api.call(ChangePlanDocument, { input: { plan: Plan.PREMIUM } }, { token: owner.token });
    expect(changed.errors).toBeUndefined();
    const { auditRetentionDays, auditHistoryKeptUntil } = changed.data!.changePlan.entitlements;
    expect(auditRetentionDays).toBe(90);
    const keptUntil = new Date(auditHistoryKeptUntil!).getTime();
    expect(keptUntil).toBeGreaterThanOrEqual(changedAfter + RETENTION_GRACE_DAYS * DAY_MS - 1000);
    expect(keptUntil).toBeLessThanOrEqual(Date.now() + RETENTION_GRACE_DAYS * DAY_MS + 1000);

    expect(await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId)).toMatchObject({ deleted: 0 });
    expect(await seqs(owner.accountId)).toEqual([1, 2, 3]);
    // Hidden at once all the same: PREMIUM shows 90 days.
    const page = await env.api.call(AuditEventsDocument, { first: 10 }, { token: owner.token });
    expect(page.data!.auditEvents!.edges.map((edge) => edge.node.seq)).toEqual([3, 2]);

    await planChangedDaysAgo(owner.accountId, RETENTION_GRACE_DAYS - 1);
    expect(await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId)).toMatchObject({ deleted: 0 });
    await planChangedDaysAgo(owner.accountId, RETENTION_GRACE_DAYS + 1);
    expect(await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId)).toMatchObject({ deleted: 1 });
    expect((await seqs(owner.accountId))[0]).toBe(2);
    const after = await env.api.call(EntitlementsDocument, {}, { token: owner.token });
    expect(after.data!.entitlements).toMatchObject({ auditRetentionDays: 90, auditHistoryKeptUntil: null });
    expect(await verified(owner.accountId)).toMatchObject({ ok: true });
  });

  it('holds nothing back after an upgrade', async () => {
    const owner = await accountWithEvents(Plan.PREMIUM, 1);
    const changed = await env.api.call(
      ChangePlanDocument,
      { input: { plan: Plan.ENTERPRISE } },
      { token: owner.token },
    );
    expect(changed.data!.changePlan.entitlements).toMatchObject({
      auditRetentionDays: 400,
      auditHistoryKeptUntil: null,
    });
  });
});

describe('reading within retention', () => {
  it('replays no event past the plan’s retention to a subscription with after:', async () => {
    const owner = await accountWithEvents(Plan.PREMIUM, 3);
    await backdateAuditEvents(env, owner.accountId, { 1: 120, 2: 100 });
    const ws = connect(env.api, owner.token);
    const stream = ws.subscribe(AuditEventStreamDocument, { after: auditCursorOf(0) });
    // Replay is in seq order: events 1 and 2, were they replayed, would come first.
    const replayed = await stream.waitFor(2);
    expect(replayed.slice(0, 2).map((result) => result.auditEvents.seq)).toEqual([3, 4]);
    expect(stream.errors).toEqual([]);
  });
});
