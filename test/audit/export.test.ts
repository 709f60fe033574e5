import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { computeEventHash } from '../../src/audit/audit-chain';
import { AuditExportService } from '../../src/audit/audit-export.service';
import type { AuditEventRecord } from '../../src/audit/audit.records';
import {
  AuditEventsDocument,
  type AuditEventsQuery,
  ChangePlanDocument,
  CreateApiKeyDocument,
  CreateAuditExportDocument,
  type CreateAuditExportInput,
  RevokeApiKeyDocument,
  UpdateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRecords } from '../support/audit';
import { createApiKey } from '../support/fixtures';
import { startTestEnv, TEST_SESSION_SECRET, type TestEnv } from '../support/harness';
import { eventually, within } from '../support/wait';

/** Audit exports: what a signed link downloads, in which format, and who may download it. */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const CSV_HEADER = [
  'seq',
  'id',
  'occurredAt',
  'action',
  'outcome',
  'actorType',
  'actorId',
  'actorDisplay',
  'actorScopes',
  'targetType',
  'targetId',
  'targetDisplay',
  'changes',
  'metadata',
  'ip',
  'userAgent',
  'requestId',
  'prevHash',
  'hash',
];

type ExportedEvent = NonNullable<AuditEventsQuery['auditEvents']>['edges'][number]['node'];

async function createExport(
  token: string,
  input: CreateAuditExportInput,
): Promise<{ id: string; downloadUrl: string }> {
  const created = await env.api.call(CreateAuditExportDocument, { input }, { token });
  expect(created.errors).toBeUndefined();
  return created.data!.createAuditExport!;
}

/** The account's events as the GraphQL API shows them, oldest first. */
async function apiEvents(token: string, filter?: CreateAuditExportInput['filter']): Promise<ExportedEvent[]> {
  const page = await env.api.call(AuditEventsDocument, { first: 500, order: 'OLDEST_FIRST', filter }, { token });
  expect(page.errors).toBeUndefined();
  // The documents select no __typename; the JSON round trip only drops undefined members.
  return JSON.parse(JSON.stringify(page.data!.auditEvents!.edges.map((edge) => edge.node))) as ExportedEvent[];
}

function ndjsonLines(body: string): unknown[] {
  expect(body.endsWith('\n')).toBe(true);
  return body
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

/** RFC 4180: fields separated by commas, records by CRLF (or LF); quoted fields may hold commas, CR, LF and doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"' && field === '') {
      // A quoted field runs to the next quote that is not doubled.
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        throw new Error(`unexpected character after a quoted field at ${i}`);
      }
      continue;
    }
    if (char === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (char === '\r' || char === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      if (char === '"') throw new Error(`bare quote inside an unquoted field at ${i}`);
      field += char;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/**
 * Appends an event straight into the table as the next link of the account's
 * chain (head updated), for content no mutation can produce: a raw line break
 * in a plain text column.
 */
async function appendRawEvent(accountId: string, fields: Partial<AuditEventRecord>): Promise<void> {
  const [head] = await env.sql<{ last_seq: string; last_hash: string }>(
    'SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = $1',
    [accountId],
  );
  const event: AuditEventRecord = {
    id: randomUUID(),
    accountId,
    seq: Number(head!.last_seq) + 1,
    occurredAt: new Date(),
    action: 'test.raw_event',
    outcome: 'SUCCESS' as AuditEventRecord['outcome'],
    actorType: 'SYSTEM' as AuditEventRecord['actorType'],
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
    prevHash: head!.last_hash,
    hash: '',
    ...fields,
  };
  event.hash = computeEventHash(event.prevHash, event);
  await env.sql(
    `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display, actor_scopes,
       target_type, target_id, target_display, changes, metadata, ip, user_agent, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
    [
      event.id,
      accountId,
      event.seq,
      event.occurredAt,
      event.action,
      event.outcome,
      event.actorType,
      event.actorId,
      event.actorDisplay,
      event.actorScopes,
      event.targetType,
      event.targetId,
      event.targetDisplay,
      JSON.stringify(event.changes),
      event.metadata === null ? null : JSON.stringify(event.metadata),
      event.ip,
      event.userAgent,
      event.requestId,
      event.prevHash,
      event.hash,
    ],
  );
  await env.sql('UPDATE audit_chain_heads SET last_seq = $1, last_hash = $2 WHERE account_id = $3', [
    event.seq,
    event.hash,
    accountId,
  ]);
}

/** The CSV row an event should export as. */
function csvValues(event: AuditEventRecord): Record<string, string> {
  const text = (value: string | null) => value ?? '';
  return {
    seq: String(event.seq),
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    action: event.action,
    outcome: event.outcome,
    actorType: event.actorType,
    actorId: text(event.actorId),
    actorDisplay: text(event.actorDisplay),
    actorScopes: text(event.actorScopes?.join(' ') ?? null),
    targetType: text(event.targetType),
    targetId: text(event.targetId),
    targetDisplay: text(event.targetDisplay),
    ip: text(event.ip),
    userAgent: text(event.userAgent),
    requestId: text(event.requestId),
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

describe('NDJSON audit export', () => {
  it('downloads every event as one AuditEvent-shaped JSON object per line, in seq order, ending with the export itself', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const keyId = (await createApiKey(env.api, owner.token, { name: 'first' })).id;
    await env.api.call(
      UpdateApiKeyDocument,
      { input: { id: keyId, description: 'used by CI' } },
      { token: owner.token },
    );
    await env.api.call(RevokeApiKeyDocument, { input: { id: keyId, reason: 'rotated out' } }, { token: owner.token });
    await createApiKey(env.api, owner.token, { name: 'second' });
    const { downloadUrl } = await createExport(owner.token, { format: 'NDJSON' });

    const response = await fetch(downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson\b/);
    const lines = ndjsonLines(await response.text()) as ExportedEvent[];
    expect(lines.map((line) => line.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines.map((line) => line.action)).toEqual([
      'account.created',
      'api_key.created',
      'api_key.updated',
      'api_key.revoked',
      'api_key.created',
      'audit.exported',
    ]);
    expect(lines).toEqual(await apiEvents(owner.token));
  });

  it('writes each event as JSON.stringify prints it, strings holding JSON separators included', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await appendRawEvent(owner.accountId, {
      targetType: 'note',
      targetDisplay: 'a, "b": c',
      changes: [{ field: 'note: a, b', before: 'x\\', after: { 'k, "q"': [1, 'y: z'] } }],
      metadata: { reason: 'line\nbreak, "quoted": yes' },
    });
    const { downloadUrl } = await createExport(owner.token, { format: 'NDJSON' });

    const body = await (await fetch(downloadUrl)).text();
    const lines = body.slice(0, -1).split('\n');
    for (const line of lines) expect(line).toBe(JSON.stringify(JSON.parse(line)));
    expect(ndjsonLines(body)).toEqual(await apiEvents(owner.token));
  });

  it('applies the export’s filter and records the export, with that filter, as audit.exported', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const keyId = (await createApiKey(env.api, owner.token, { name: 'filtered' })).id;
    await env.api.call(RevokeApiKeyDocument, { input: { id: keyId } }, { token: owner.token });
    const created = await createExport(owner.token, { format: 'NDJSON', filter: { actions: ['api_key.*'] } });

    const [recorded, ...others] = await env.sql<{ actor_id: string; target_type: string; metadata: unknown }>(
      "SELECT actor_id, target_type, metadata FROM audit_events WHERE account_id = $1 AND action = 'audit.exported' AND target_id = $2",
      [owner.accountId, created.id],
    );
    expect(others).toEqual([]);
    expect(recorded).toEqual({
      actor_id: owner.userId,
      target_type: 'audit_export',
      metadata: { format: 'NDJSON', filter: expect.objectContaining({ actions: ['api_key.*'] }) },
    });

    const response = await fetch(created.downloadUrl);
    expect(response.status).toBe(200);
    const lines = ndjsonLines(await response.text()) as ExportedEvent[];
    expect(lines.map((line) => [line.seq, line.action])).toEqual([
      [2, 'api_key.created'],
      [3, 'api_key.revoked'],
    ]);
  });

  it('matches filter values holding quotes, backslashes and SQL as plain text', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const actorId = "o'brien\\'); DELETE FROM audit_events; --";
    const targetId = 'back\\slash "quoted" \\\'';
    await appendRawEvent(owner.accountId, { actorId });
    await appendRawEvent(owner.accountId, { targetId, targetType: 'note' });
    await appendRawEvent(owner.accountId, { actorId: "o'brien" });

    for (const [filter, expected] of [
      [{ actorId }, { actor: expect.objectContaining({ id: actorId }) }],
      [{ targetId }, { target: expect.objectContaining({ id: targetId }) }],
    ] as const) {
      const { downloadUrl } = await createExport(owner.token, { format: 'NDJSON', filter });
      const lines = ndjsonLines(await (await fetch(downloadUrl)).text());
      expect(lines).toEqual([expect.objectContaining({ action: 'test.raw_event', ...expected })]);
    }
    const [{ count }] = await env.sql<{ count: string }>('SELECT count(*) FROM audit_events WHERE account_id = $1', [
      owner.accountId,
    ]);
    expect(Number(count)).toBe(6);
  });

  it('exports an API key actor’s scopes in the same form as the GraphQL API', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const key = await env.api.call(
      CreateApiKeyDocument,
      { input: { name: 'automation', purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ', 'KEYS_WRITE'] } },
      { token: owner.token },
    );
    await createApiKey(env.api, key.data!.createApiKey.secret, { name: 'made by a key' });
    const { downloadUrl } = await createExport(owner.token, { format: 'NDJSON', filter: { actorType: 'API_KEY' } });

    const lines = ndjsonLines(await (await fetch(downloadUrl)).text()) as ExportedEvent[];
    const viaApi = await apiEvents(owner.token, { actorType: 'API_KEY' });
    expect(viaApi.map((event) => event.actor.scopes)).toEqual([['KEYS_READ', 'KEYS_WRITE']]);
    expect(lines).toEqual(viaApi);
  });
});

describe('CSV audit export', () => {
  it('quotes commas, double quotes and line breaks so every value parses back exactly', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const userAgent = 'agent, "quoted"/1.0';
    const as = { headers: { 'user-agent': userAgent } };
    const name = 'a, "b" c';
    const description = 'a, "b"\nc';
    const newDescription = 'x,\r\n"y", "z"\n';
    const reason = 'leaked, "oops"\r\nin a log';
    const keyId = (await createApiKey(env.api, owner.token, { name }, as)).id;
    const updated = await env.api.call(
      UpdateApiKeyDocument,
      { input: { id: keyId, description } },
      { token: owner.token, ...as },
    );
    expect(updated.errors).toBeUndefined();
    await env.api.call(
      UpdateApiKeyDocument,
      { input: { id: keyId, description: newDescription } },
      { token: owner.token, ...as },
    );
    await env.api.call(RevokeApiKeyDocument, { input: { id: keyId, reason } }, { token: owner.token, ...as });
    const rawDisplay = 'line one\r\nline "two", end\nthree';
    await appendRawEvent(owner.accountId, {
      targetType: 'note',
      targetDisplay: rawDisplay,
      actorDisplay: 'ops, "night" shift',
    });
    // Strings holding what separates JSON tokens (", " and ": "), escaped quotes and backslashes.
    await appendRawEvent(owner.accountId, {
      action: 'test.json_text',
      changes: [{ field: 'note: a, b', before: null, after: ['x, y', { 'k: "q"': 'end\\' }] }],
      metadata: { 'a, b': 'c: d', quoted: '"e", "f": g', n: 1.5, flag: false, empty: {}, list: [] },
    });
    const { id, downloadUrl } = await createExport(owner.token, { format: 'CSV' });

    const response = await fetch(downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv\b/);
    expect(response.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="[^"]*${id}[^"]*\\.csv"$`),
    );
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual(CSV_HEADER);

    const stored = await auditRecords(env, owner.accountId);
    expect(rows).toHaveLength(stored.length);
    const parsed = rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i]!])));
    parsed.forEach((row, i) => {
      // JSON columns read exactly as JSON.stringify prints them (no space after , or :, keys in stored order).
      expect(row.changes).toBe(JSON.stringify(stored[i]!.changes));
      expect(row.metadata).toBe(stored[i]!.metadata === null ? '' : JSON.stringify(stored[i]!.metadata));
      const { changes: _changes, metadata: _metadata, ...plain } = row;
      expect(plain).toEqual(csvValues(stored[i]!));
    });

    const byAction = (action: string) => parsed.find((row) => row.action === action)!;
    expect(byAction('api_key.created').userAgent).toBe(userAgent);
    expect(JSON.parse(byAction('api_key.created').metadata!)).toMatchObject({ name });
    expect(byAction('api_key.created').targetDisplay).toMatch(/^a, "b" c \(/);
    const descriptionChanges = parsed
      .filter((row) => row.action === 'api_key.updated')
      .map((row) => JSON.parse(row.changes!) as { field: string; before: unknown; after: unknown }[]);
    // Descriptions are stored trimmed.
    expect(descriptionChanges).toEqual([
      [{ field: 'description', before: null, after: description }],
      [{ field: 'description', before: description, after: newDescription.trim() }],
    ]);
    expect(JSON.parse(byAction('api_key.revoked').metadata!)).toEqual({ reason });
    expect(byAction('test.raw_event')).toMatchObject({ targetDisplay: rawDisplay, actorDisplay: 'ops, "night" shift' });
    expect(byAction('audit.exported').targetId).toBe(id);
  });
});

describe('export download links', () => {
  const links = new AuditExportService(new TextEncoder().encode(TEST_SESSION_SECRET));

  it('refuses a link whose signature was altered with 403', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { downloadUrl } = await createExport(owner.token, { format: 'NDJSON' });
    const good = await fetch(downloadUrl);
    expect(good.status).toBe(200);
    await good.text();

    const tampered = downloadUrl.replace(/(.)$/, (last: string) => (last === 'A' ? 'B' : 'A'));
    expect(tampered).not.toBe(downloadUrl);
    const response = await fetch(tampered);
    expect(response.status).toBe(403);
    expect(await response.text()).not.toMatch(/"seq"/);
    expect((await fetch(downloadUrl.replace(/\?.*$/, ''))).status).toBe(403);
  });

  it('refuses an expired link with 403', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { id } = await createExport(owner.token, { format: 'NDJSON' });
    const expired = links.downloadPath(owner.accountId, id, new Date(Date.now() - 1000));
    const response = await fetch(`${env.api.url}${expired}`);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/expired/);
  });

  it('answers 404 to a validly signed link of another account naming this account’s export', async () => {
    const victim = await env.seedAccount({ plan: Plan.PREMIUM });
    const other = await env.seedAccount({ plan: Plan.PREMIUM });
    const { id } = await createExport(victim.token, { format: 'NDJSON' });
    const ownPath = links.downloadPath(victim.accountId, id, new Date(Date.now() + 60_000));
    const own = await fetch(`${env.api.url}${ownPath}`);
    expect(own.status).toBe(200);
    await own.text();

    const crossed = links.downloadPath(other.accountId, id, new Date(Date.now() + 60_000));
    const response = await fetch(`${env.api.url}${crossed}`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain(victim.accountId);
  });

  it('refuses a still-valid link with 403 once the account is downgraded to FREE', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { downloadUrl } = await createExport(owner.token, { format: 'CSV' });
    const before = await fetch(downloadUrl);
    expect(before.status).toBe(200);
    await before.text();

    const downgraded = await env.api.call(ChangePlanDocument, { input: { plan: 'FREE' } }, { token: owner.token });
    expect(downgraded.errors).toBeUndefined();
    const response = await fetch(downloadUrl);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).not.toMatch(/csv/);
  });
});

describe('export volume', () => {
  /** A CSV export of an account with `count` more events appended straight into the table (chain not verified). */
  async function csvExportOf(count: number): Promise<{ token: string; downloadUrl: string }> {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { downloadUrl } = await createExport(owner.token, { format: 'CSV' });
    await env.sql(
      `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_display, changes, metadata, prev_hash, hash)
       SELECT gen_random_uuid(), $1, 2 + g, now(), 'api_key.updated', 'SUCCESS', 'SYSTEM', 'system, "ops"', '[]',
              jsonb_build_object('n', g, 'note', 'a, b: c'), repeat('0', 64), repeat('1', 64)
         FROM generate_series(1, $2::int) AS g`,
      [owner.accountId, count],
    );
    return { token: owner.token, downloadUrl };
  }

  it('serves more downloads in a row than the pool has connections (5 in tests)', async () => {
    const { token, downloadUrl } = await csvExportOf(5_000);
    for (let i = 0; i < 7; i += 1) {
      const body = await within(
        fetch(downloadUrl).then((response) => response.text()),
        `download ${i + 1}`,
      );
      expect(body.split('\r\n')).toHaveLength(1 + 5_002 + 1); // header, events, the empty end
    }
    const viewer = await within(env.api.call(ViewerDocument, {}, { token }), 'a query after the downloads');
    expect(viewer.errors).toBeUndefined();
  });

  it('stops the database work of an aborted download and keeps the pool usable', async () => {
    const { downloadUrl } = await csvExportOf(100_000);
    // More aborted downloads than the pool has connections: a connection kept by one would starve the others.
    for (let i = 0; i < 6; i += 1) {
      const abort = new AbortController();
      const response = await within(fetch(downloadUrl, { signal: abort.signal }), `download ${i + 1}`);
      const first = await response.body!.getReader().read();
      expect(first.done).toBe(false);
      abort.abort();
    }
    await eventually('no export COPY left running', async () => {
      const running = await env.sql(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (SELECT%'`,
      );
      return running.length === 0;
    });

    const body = await within(
      fetch(downloadUrl).then((response) => response.text()),
      'a whole download after the aborted ones',
      30_000,
    );
    expect(body.split('\r\n')).toHaveLength(1 + 100_002 + 1);
  });

  it('streams 100,000 events as NDJSON, one line each', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { downloadUrl } = await createExport(owner.token, { format: 'NDJSON' });
    const bulk = 100_000;
    // Appended after the real events (account.created, audit.exported); the chain is not verified here.
    await env.sql(
      `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_display, changes, metadata, prev_hash, hash)
       SELECT gen_random_uuid(), $1, 2 + g, now(), 'api_key.updated', 'SUCCESS', 'SYSTEM', 'system', '[]',
              jsonb_build_object('n', g), repeat('0', 64), repeat('1', 64)
         FROM generate_series(1, $2::int) AS g`,
      [owner.accountId, bulk],
    );

    const response = await fetch(downloadUrl);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let lines = 0;
    let lastByte = -1;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const byte of value) if (byte === 0x0a) lines += 1;
      lastByte = value[value.length - 1] ?? lastByte;
    }
    expect(lastByte).toBe(0x0a);
    expect(lines).toBe(bulk + 2);
  });
});
