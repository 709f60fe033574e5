import pg from 'pg';
import { createTestDatabase } from '../support/database';
import { serviceEnv, startService, stopServices, type ChildService } from '../support/processes';
import { eventually } from '../support/wait';

/**
 * /readyz asks the database: a load balancer takes an instance out while its database is unreachable and puts it
 * back once it answers again. The service runs as a child process on a database of its own, so shutting that
 * database off touches no other test.
 */
let database: { url: string; drop(): Promise<void> };
let service: ChildService;

beforeAll(async () => {
  database = await createTestDatabase();
  service = await startService(serviceEnv(database.url));
});
afterAll(async () => {
  await stopServices();
  await setConnectionsAllowed(true).catch(() => undefined);
  await database?.drop();
});

/** Runs `text` as the superuser on the server's maintenance connection. */
async function asSuperuser(text: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.KL_TEST_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

const databaseName = () => decodeURIComponent(new URL(database.url).pathname.slice(1));

/** Lets connections to the service's database in, or keeps every new one (a superuser's too) out. */
function setConnectionsAllowed(allowed: boolean): Promise<void> {
  return asSuperuser(`ALTER DATABASE ${pg.escapeIdentifier(databaseName())} ALLOW_CONNECTIONS ${allowed}`);
}

async function readiness(): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${service.url}/readyz`);
  return { status: response.status, body: await response.json() };
}

describe('/readyz', () => {
  it('answers 503 while the database refuses connections, and 200 again once it accepts them', async () => {
    expect(await readiness()).toEqual({ status: 200, body: { status: 'ready' } });

    await setConnectionsAllowed(false);
    await asSuperuser('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [databaseName()]);
    // Every pooled connection is gone and no new one gets in: whichever the check tries, it fails.
    const down = await readiness();
    expect(down).toEqual({ status: 503, body: { status: 'database unavailable' } });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);

    await setConnectionsAllowed(true);
    let last = down;
    await eventually(
      () => `/readyz to answer 200 again (last: ${JSON.stringify(last)})`,
      async () => (last = await readiness()).status === 200,
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(last.body).toEqual({ status: 'ready' });
    expect(service.process.exitCode).toBeNull();
  });
});
