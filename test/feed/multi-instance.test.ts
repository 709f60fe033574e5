import { AuditEventStreamDocument } from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { chainHeadSeq, storedEvents } from '../support/audit';
import { createApiKey } from '../support/fixtures';
import { startTestEnv, type TestEnv } from '../support/harness';
import { serviceEnv, startService, stopServices, type ChildService } from '../support/processes';
import { eventually, sleep } from '../support/wait';
import { connectWs } from '../support/ws';

/**
 * Several instances on one PostgreSQL behave as one service: a subscriber on
 * any instance (another process, or another server in this process) gets
 * every event of its account, in seq order, exactly once — also while the
 * instances' LISTEN connections are being killed and re-established.
 */
let env: TestEnv;
let shared: ChildService;

beforeAll(async () => {
  env = await startTestEnv();
  shared = await startService(serviceEnv(env.databaseUrl));
});
afterAll(async () => {
  await stopServices();
  await env?.close();
});

let keyCounter = 0;
/** One audited mutation through the in-process instance: writes exactly one event. */
async function writeEvent(token: string): Promise<void> {
  keyCounter += 1;
  await createApiKey(env.api, token, { name: `feed key ${keyCounter}` });
}

/** Writes events one after another until `stop()` is called; resolves with how many it wrote. */
function keepWriting(token: string): { stop(): Promise<number> } {
  let running = true;
  let written = 0;
  const loop = (async () => {
    while (running) {
      await writeEvent(token);
      written += 1;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return written;
    },
  };
}

/** Backend pids of every audit LISTEN connection on the test database. */
async function listenerPids(): Promise<number[]> {
  const rows = await env.sql<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE application_name = 'keyledger-audit-listener' AND datname = current_database()
      ORDER BY pid`,
  );
  return rows.map((row) => row.pid);
}

describe('live feed across instances on one database', () => {
  it('delivers every event written through one instance to a subscriber on another process, in order', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const head = await chainHeadSeq(env, owner.accountId);
    const ws = connectWs(shared, owner.token);
    try {
      const sub = ws.subscribe(AuditEventStreamDocument, {});
      await sleep(200);
      for (let i = 0; i < 8; i++) await writeEvent(owner.token);

      const stored = await storedEvents(env, owner.accountId, head);
      expect(stored).toHaveLength(8);
      await sub.waitFor(stored.length);
      expect(sub.errors).toEqual([]);
      expect(sub.results.map(({ auditEvents: e }) => ({ seq: e.seq, id: e.id, action: e.action }))).toEqual(stored);
    } finally {
      await ws.dispose();
    }
  });

  it('keeps every event, once and in order, while the LISTEN connections are killed, and reconnects them', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const head = await chainHeadSeq(env, owner.accountId);
    const ws = connectWs(shared, owner.token);
    try {
      const sub = ws.subscribe(AuditEventStreamDocument, {});
      await sleep(200);
      for (let i = 0; i < 3; i++) await writeEvent(owner.token);

      const before = await listenerPids();
      // The in-process instance and the child process each hold one.
      expect(before.length).toBeGreaterThanOrEqual(2);
      const writer = keepWriting(owner.token);
      try {
        await sleep(100);
        await env.sql(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'keyledger-audit-listener' AND datname = current_database()`,
        );
        await eventually('every instance opens a new LISTEN connection', async () => {
          const now = await listenerPids();
          return now.length === before.length && now.every((pid) => !before.includes(pid));
        });
        await sleep(100);
      } finally {
        const duringWrites = await writer.stop();
        expect(duringWrites).toBeGreaterThan(0);
      }
      for (let i = 0; i < 3; i++) await writeEvent(owner.token);

      const stored = await storedEvents(env, owner.accountId, head);
      await sub.waitFor(stored.length);
      expect(sub.errors).toEqual([]);
      expect(sub.results.map(({ auditEvents: e }) => ({ seq: e.seq, id: e.id, action: e.action }))).toEqual(stored);
    } finally {
      await ws.dispose();
    }
  });

  it('delivers to a subscriber on a second in-process instance, also after its own LISTEN connection is killed', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const head = await chainHeadSeq(env, owner.accountId);
    const others = await listenerPids();
    const second = await env.startInstance();
    const [secondListener, ...extra] = (await listenerPids()).filter((pid) => !others.includes(pid));
    expect(secondListener).toBeDefined();
    expect(extra).toEqual([]);

    const ws = connectWs(second, owner.token);
    try {
      const sub = ws.subscribe(AuditEventStreamDocument, {});
      await sleep(200);
      for (let i = 0; i < 3; i++) await writeEvent(owner.token);
      await sub.waitFor(3);

      const writer = keepWriting(owner.token);
      try {
        await sleep(100);
        const [terminated] = await env.sql<{ pg_terminate_backend: boolean }>('SELECT pg_terminate_backend($1)', [
          secondListener,
        ]);
        expect(terminated!.pg_terminate_backend).toBe(true);
        await eventually('the second instance opens a new LISTEN connection', async () => {
          const now = await listenerPids();
          return !now.includes(secondListener!) && now.filter((pid) => !others.includes(pid)).length === 1;
        });
        await sleep(100);
      } finally {
        await writer.stop();
      }
      // The other instances' listeners were left alone.
      expect(await listenerPids()).toEqual(expect.arrayContaining(others));
      for (let i = 0; i < 3; i++) await writeEvent(owner.token);

      const stored = await storedEvents(env, owner.accountId, head);
      await sub.waitFor(stored.length);
      expect(sub.errors).toEqual([]);
      expect(sub.results.map(({ auditEvents: e }) => ({ seq: e.seq, id: e.id, action: e.action }))).toEqual(stored);
    } finally {
      await ws.dispose();
    }
  });

  it('closes open subscriptions with 1001 on SIGTERM and exits 0', async () => {
    const service = await startService(serviceEnv(env.databaseUrl));
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const ws = connectWs(service, owner.token);
    try {
      const sub = ws.subscribe(AuditEventStreamDocument, {});
      await sleep(200);
      await writeEvent(owner.token);
      await sub.waitFor(1);

      service.process.kill('SIGTERM');
      expect(await ws.closed).toMatchObject({ code: 1001 });
      expect(await service.exited).toBe(0);
    } finally {
      await ws.dispose();
    }
  });
});
