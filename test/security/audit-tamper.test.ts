import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { AccountService } from '../../src/accounts/account.service';
import { purgeExpiredAuditEvents } from '../../src/audit/audit-retention';
import { verifyChain } from '../../src/audit/audit.service';
import { VerifyAuditChainDocument } from '../../src/client/generated/graphql';
import { openOrm } from '../../src/db/orm';
import { Plan } from '../../src/entitlements/plans';
import { auditRecords, chainHeadSeq, tamperAuditEvents } from '../support/audit';
import { backdateAuditEvents } from '../support/backdate';
import { createApiKeys, freshEmail } from '../support/fixtures';
import { startTestEnv, type SeededAccount, type TestEnv } from '../support/harness';

/**
 * The audit log against the application's own database role: a role with every
 * table privilege the service could be given, but not superuser and not the
 * owner of the audit tables, cannot delete events, choose what the purge
 * deletes, or edit checkpoints and chain heads. What a superuser can still do
 * (switch the triggers off) is then reported by verification.
 */
let env: TestEnv;
/** The application's role: LOGIN, every privilege on every table and the schema, no superuser, owns no audit table. */
let appRole: string;
let appUrl: string;
let app: pg.Client;

beforeAll(async () => {
  env = await startTestEnv();
  appRole = `kl_app_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const role = pg.escapeIdentifier(appRole);
  await env.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await env.sql(`GRANT USAGE, CREATE ON SCHEMA public TO ${role}`);
  await env.sql(`GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO ${role}`);
  await env.sql(`GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  await env.sql(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${role}`);
  const url = new URL(env.databaseUrl);
  url.username = appRole;
  url.password = password;
  appUrl = url.toString();
  app = new pg.Client({ connectionString: appUrl });
  await app.connect();
});

afterAll(async () => {
  await app?.end();
  if (appRole) {
    await env.sql(`DROP OWNED BY ${pg.escapeIdentifier(appRole)}`);
    await env.sql(`DROP ROLE ${pg.escapeIdentifier(appRole)}`);
  }
  await env.close();
});

/** Runs `text` as the application's role in a transaction of its own (rolled back when it fails). */
async function asApp(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  await app.query('BEGIN');
  try {
    const result = await app.query(text, params);
    await app.query('COMMIT');
    return result;
  } catch (error) {
    await app.query('ROLLBACK');
    throw error;
  }
}

async function accountWithEvents(keys: number, plan = Plan.PREMIUM): Promise<SeededAccount> {
  const owner = await env.seedAccount({ plan });
  await createApiKeys(env.api, owner.token, keys, { pauseMs: 3 });
  return owner;
}

async function seqs(accountId: string): Promise<number[]> {
  return (await auditRecords(env, accountId)).map((event) => event.seq);
}

async function checkpoints(accountId: string) {
  return env.sql<{ purged_through_seq: string; last_hash: string }>(
    'SELECT purged_through_seq, last_hash FROM audit_checkpoints WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
}

async function head(accountId: string) {
  const [row] = await env.sql<{ last_seq: string; last_hash: string }>(
    'SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = $1',
    [accountId],
  );
  return row;
}

async function verify(owner: SeededAccount) {
  const result = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
  expect(result.errors).toBeUndefined();
  return result.data!.verifyAuditChain!;
}

describe('the application role against the audit tables', () => {
  it('is neither superuser nor owner of the audit tables', async () => {
    const [role] = await env.sql<{ rolsuper: boolean; rolcreaterole: boolean }>(
      'SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = $1',
      [appRole],
    );
    expect(role).toEqual({ rolsuper: false, rolcreaterole: false });
    const owners = await env.sql<{ relname: string; owner: string }>(
      `SELECT relname, pg_get_userbyid(relowner) AS owner FROM pg_class
        WHERE relname IN ('audit_events', 'audit_checkpoints', 'audit_chain_heads') ORDER BY relname`,
    );
    expect(owners.map((row) => row.owner)).toEqual(Array(3).fill('keyledger_audit_owner'));
  });

  it('cannot delete audit events, also after SET keyledger.audit_purge', async () => {
    const owner = await accountWithEvents(2);
    await expect(
      asApp(`SET LOCAL keyledger.audit_purge = 'on'; DELETE FROM audit_events WHERE account_id = '${owner.accountId}'`),
    ).rejects.toThrow(/append-only: DELETE/);
    await expect(
      asApp(`SELECT set_config('keyledger.audit_purge', 'on', true); TRUNCATE audit_events`),
    ).rejects.toThrow(/append-only: TRUNCATE/);
    expect(await seqs(owner.accountId)).toEqual([1, 2, 3]);
  });

  it('cannot purge up to a date of its choosing, and the purge it may call keeps what the plan retains', async () => {
    const owner = await accountWithEvents(2);
    const future = new Date(Date.now() + 1000 * 86_400_000);
    await expect(asApp('SELECT purge_audit_events($1, $2)', [owner.accountId, future])).rejects.toThrow();
    const purged = await asApp('SELECT purge_audit_events($1) AS deleted', [owner.accountId]);
    expect(purged.rows).toEqual([{ deleted: '0' }]);
    expect(await seqs(owner.accountId)).toEqual([1, 2, 3]);
    expect(await checkpoints(owner.accountId)).toEqual([]);
    const [grant] = await env.sql<{ public: boolean }>(
      `SELECT has_function_privilege('public', 'purge_audit_events(uuid)', 'EXECUTE') AS public`,
    );
    expect(grant!.public).toBe(false);
  });

  it('cannot write, change or delete purge checkpoints', async () => {
    const owner = await accountWithEvents(3);
    await backdateAuditEvents(env, owner.accountId, { 1: 200, 2: 100 });
    expect(await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId)).toEqual({ accounts: 1, deleted: 2 });
    const before = await checkpoints(owner.accountId);
    expect(before).toHaveLength(1);

    const [event] = await auditRecords(env, owner.accountId);
    await expect(
      asApp(
        `INSERT INTO audit_checkpoints (account_id, purged_through_seq, last_hash, purged_count) VALUES ($1, 3, $2, 1)`,
        [owner.accountId, event!.hash],
      ),
    ).rejects.toThrow(/only by purge_audit_events: INSERT/);
    await expect(
      asApp(`UPDATE audit_checkpoints SET purged_through_seq = 3 WHERE account_id = $1`, [owner.accountId]),
    ).rejects.toThrow(/only by purge_audit_events: UPDATE/);
    await expect(asApp('DELETE FROM audit_checkpoints WHERE account_id = $1', [owner.accountId])).rejects.toThrow(
      /only by purge_audit_events: DELETE/,
    );
    await expect(asApp('TRUNCATE audit_checkpoints')).rejects.toThrow(/only by purge_audit_events: TRUNCATE/);
    expect(await checkpoints(owner.accountId)).toEqual(before);
  });

  it('cannot move a chain head back, onto a hash of its choosing, or delete it', async () => {
    const owner = await accountWithEvents(3);
    const events = await auditRecords(env, owner.accountId);
    const before = await head(owner.accountId);
    expect(before).toEqual({ last_seq: '4', last_hash: events[3]!.hash });

    await expect(
      asApp('UPDATE audit_chain_heads SET last_seq = 2, last_hash = $2 WHERE account_id = $1', [
        owner.accountId,
        events[1]!.hash,
      ]),
    ).rejects.toThrow(/only moves forward/);
    await expect(
      asApp(`UPDATE audit_chain_heads SET last_hash = repeat('a', 64) WHERE account_id = $1`, [owner.accountId]),
    ).rejects.toThrow(/only moves forward/);
    // Forward, but past events that do not exist, or onto a hash that is not the newest event's.
    await expect(
      asApp(`UPDATE audit_chain_heads SET last_seq = 9, last_hash = repeat('a', 64) WHERE account_id = $1`, [
        owner.accountId,
      ]),
    ).rejects.toThrow(/only onto the events appended/);
    await expect(asApp('DELETE FROM audit_chain_heads WHERE account_id = $1', [owner.accountId])).rejects.toThrow(
      /DELETE is not allowed/,
    );
    await expect(asApp('TRUNCATE audit_chain_heads')).rejects.toThrow(/TRUNCATE is not allowed/);
    await expect(
      asApp(`INSERT INTO audit_chain_heads (account_id, last_seq, last_hash) VALUES ($1, 7, repeat('a', 64))`, [
        (await env.seedAccount()).accountId,
      ]),
    ).rejects.toThrow(/starts at seq 0/);
    expect(await head(owner.accountId)).toEqual(before);
  });

  it('cannot switch a guard off, replace it, or act as the owner role', async () => {
    await expect(asApp('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only')).rejects.toThrow(
      /must be owner/,
    );
    await expect(asApp('ALTER TABLE audit_chain_heads DISABLE TRIGGER USER')).rejects.toThrow(/must be owner/);
    await expect(
      asApp(
        `CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN OLD; END'`,
      ),
    ).rejects.toThrow(/must be owner/);
    await expect(
      asApp(`CREATE OR REPLACE FUNCTION audit_retention_days(p text) RETURNS integer LANGUAGE sql AS 'SELECT 0'`),
    ).rejects.toThrow(/must be owner/);
    await expect(asApp('SET ROLE keyledger_audit_owner')).rejects.toThrow(/permission denied/);
  });

  it('cannot clear the record of a plan change to purge a downgraded account’s history at once', async () => {
    const owner = await accountWithEvents(2, Plan.ENTERPRISE);
    await backdateAuditEvents(env, owner.accountId, { 1: 200 });
    await asApp(`UPDATE accounts SET plan = 'PREMIUM' WHERE id = $1`, [owner.accountId]);
    await asApp('UPDATE accounts SET previous_plan = NULL, plan_changed_at = NULL WHERE id = $1', [owner.accountId]);
    const [account] = await env.sql<{ previous_plan: string | null }>(
      'SELECT previous_plan FROM accounts WHERE id = $1',
      [owner.accountId],
    );
    expect(account!.previous_plan).toBe('ENTERPRISE');
    expect((await asApp('SELECT purge_audit_events($1) AS deleted', [owner.accountId])).rows).toEqual([
      { deleted: '0' },
    ]);
    expect(await seqs(owner.accountId)).toEqual([1, 2, 3]);
  });

  it('still appends, purges and verifies through the service when connected as that role', async () => {
    let orm: MikroORM | undefined;
    try {
      orm = await openOrm(appUrl, 2);
      const created = await new AccountService().bootstrap(
        orm.em.fork(),
        { accountName: 'Runs as the app role', email: freshEmail('approle'), plan: Plan.PREMIUM },
        { requestId: 'approle', ip: null, userAgent: null },
      );
      const accountId = created.account.id;
      expect(await chainHeadSeq(env, accountId)).toBe(1);
      await backdateAuditEvents(env, accountId, { 1: 100 });
      expect(await purgeExpiredAuditEvents(orm.em.fork(), accountId)).toEqual({ accounts: 1, deleted: 1 });
      expect(await seqs(accountId)).toEqual([]);
      expect(await verifyChain(orm.em.fork(), accountId)).toMatchObject({ ok: true, checkedCount: 0 });
    } finally {
      await orm?.close();
    }
  });
});

describe('verification of a trimmed log (as a superuser with the triggers off)', () => {
  it('reports the newest events removed while the chain head still points past them', async () => {
    const owner = await accountWithEvents(4);
    await tamperAuditEvents(env, ['DELETE FROM audit_events WHERE account_id = $1 AND seq >= 4', [owner.accountId]]);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      firstBrokenSeq: 4,
      reason: expect.stringMatching(/events after seq 3 are missing \(the chain head is at seq 5\)/),
      brokenRanges: [{ firstSeq: 4, lastSeq: 5, count: 2 }],
    });
  });

  it('reports the oldest events removed from a log that was never purged', async () => {
    const owner = await accountWithEvents(4);
    await tamperAuditEvents(env, ['DELETE FROM audit_events WHERE account_id = $1 AND seq <= 2', [owner.accountId]]);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      firstBrokenSeq: 1,
      firstBrokenEventId: null,
      reason: expect.stringMatching(/events seq 1 to 2 are missing/),
      brokenRanges: [{ firstSeq: 1, lastSeq: 2, count: 2 }],
    });
  });

  it('reports the oldest events removed after a purge checkpoint', async () => {
    const owner = await accountWithEvents(4);
    await backdateAuditEvents(env, owner.accountId, { 1: 200, 2: 100 });
    await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId);
    expect(await seqs(owner.accountId)).toEqual([3, 4, 5]);
    await tamperAuditEvents(env, ['DELETE FROM audit_events WHERE account_id = $1 AND seq = 3', [owner.accountId]]);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      reason: expect.stringMatching(/seq 3 is missing/),
    });
  });

  it('reports a removed purge checkpoint as the purged events missing', async () => {
    const owner = await accountWithEvents(3);
    await backdateAuditEvents(env, owner.accountId, { 1: 200, 2: 100 });
    await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId);
    expect(await verify(owner)).toMatchObject({ ok: true, checkedCount: 2 });
    await env.sql('DELETE FROM audit_checkpoints WHERE account_id = $1', [owner.accountId]);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      firstBrokenSeq: 1,
      reason: expect.stringMatching(/events seq 1 to 2 are missing/),
    });
  });

  it('reports a remaining event that does not chain from the checkpoint', async () => {
    const owner = await accountWithEvents(3);
    await backdateAuditEvents(env, owner.accountId, { 1: 200, 2: 100 });
    await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId);
    const [first] = await auditRecords(env, owner.accountId);
    await env.sql(`UPDATE audit_checkpoints SET last_hash = repeat('b', 64) WHERE account_id = $1`, [owner.accountId]);
    expect(await verify(owner)).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      firstBrokenEventId: first!.id,
      reason: expect.stringMatching(/prevHash does not match/),
    });
  });
});
