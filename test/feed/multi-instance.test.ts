import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { AuditEventStreamDocument, CreateApiKeyDocument } from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { startTestEnv, TEST_SESSION_SECRET, type Instance, type TestEnv } from '../support/harness';
import { connectWs } from '../support/ws';

/**
 * Several instances on one PostgreSQL behave as one service: a subscriber on
 * any instance (another process, or another server in this process) gets
 * every event of its account, in seq order, exactly once — also while the
 * instances' LISTEN connections are being killed and re-established.
 */
const root = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A `node dist/src/main.js` child process serving the test database. */
interface ChildService {
  process: ChildProcess;
  /** Base URL, e.g. http://127.0.0.1:51234 */
  url: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

let env: TestEnv;
let shared: ChildService;
const children: ChildService[] = [];

async function startChild(): Promise<ChildService> {
  const child = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      PORT: '0',
      SESSION_SECRET: TEST_SESSION_SECRET,
      LOG_LEVEL: 'warn',
    },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^/\s]+)\/graphql/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
  const service = { process: child, url, exited };
  children.push(service);
  return service;
}

/** What connectWs needs of an instance: its URL. */
function remote(service: ChildService): Instance {
  return { url: service.url } as Partial<Instance> as Instance;
}

beforeAll(async () => {
  env = await startTestEnv();
  shared = await startChild();
});
afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  }
  await Promise.all(children.map((child) => child.exited));
  await env?.close();
});

async function lastSeq(accountId: string): Promise<number> {
  const [row] = await env.sql<{ last_seq: string }>('SELECT last_seq FROM audit_chain_heads WHERE account_id = $1', [
    accountId,
  ]);
  return Number(row!.last_seq);
}

/** The account's stored events after `afterSeq`, oldest first. */
async function storedEvents(
  accountId: string,
  afterSeq: number,
): Promise<{ seq: number; id: string; action: string }[]> {
  const rows = await env.sql<{ seq: string; id: string; action: string }>(
    'SELECT seq, id, action FROM audit_events WHERE account_id = $1 AND seq > $2 ORDER BY seq',
    [accountId, afterSeq],
  );
  return rows.map((row) => ({ seq: Number(row.seq), id: row.id, action: row.action }));
}

let keyCounter = 0;
/** One audited mutation through the in-process instance: writes exactly one event. */
async function writeEvent(token: string): Promise<void> {
  keyCounter += 1;
  const result = await env.api.call(
    CreateApiKeyDocument,
    { input: { name: `feed key ${keyCounter}`, purpose: 'TEAM_HANDOFF', scopes: ['KEYS_READ'] } },
    { token },
  );
  expect(result.errors).toBeUndefined();
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

/** Polls until `check` holds (a reconnection is asynchronous); fails with `what` after `timeoutMs`. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(50);
  }
}

describe('live feed across instances on one database', () => {
  it('delivers every event written through one instance to a subscriber on another process, in order', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const head = await lastSeq(owner.accountId);
    const ws = connectWs(remote(shared), owner.token);
    try {
      const sub = ws.subscribe(AuditEventStreamDocument, {});
      await sleep(200);
      for (let i = 0; i < 8; i++) await writeEvent(owner.token);

      const stored = await storedEvents(owner.accountId, head);
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
    const head = await lastSeq(owner.accountId);
    const ws = connectWs(remote(shared), owner.token);
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

      const stored = await storedEvents(owner.accountId, head);
      await sub.waitFor(stored.length);
      expect(sub.errors).toEqual([]);
      expect(sub.results.map(({ auditEvents: e }) => ({ seq: e.seq, id: e.id, action: e.action }))).toEqual(stored);
    } finally {
      await ws.dispose();
    }
  });

  it('delivers to a subscriber on a second in-process instance, also after its own LISTEN connection is killed', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const head = await lastSeq(owner.accountId);
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

      const stored = await storedEvents(owner.accountId, head);
      await sub.waitFor(stored.length);
      expect(sub.errors).toEqual([]);
      expect(sub.results.map(({ auditEvents: e }) => ({ seq: e.seq, id: e.id, action: e.action }))).toEqual(stored);
    } finally {
      await ws.dispose();
    }
  });

  it('closes open subscriptions with 1001 on SIGTERM and exits 0', async () => {
    const service = await startChild();
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const ws = connectWs(remote(service), owner.token);
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
