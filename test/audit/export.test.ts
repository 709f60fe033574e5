import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { computeEventHash } from '../../src/audit/audit-chain';
import { ExportLinks } from '../../src/audit/audit-export.links';
import { AuditActorType, AuditChannel } from '../../src/audit/audit-event.entity';
import type { AuditEventRecord } from '../../src/audit/audit.records';
import { scopeNames } from '../../src/auth/permissions';
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
import { parseCsv } from '../support/csv';
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
  'via',
  'prevHash',
  'hash',
  'reportedAt',
  'submittedByType',
  'submittedById',
  'submittedByDisplay',
  'submittedByScopes',
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
       target_type, target_id, target_display, changes, metadata, ip, user_agent, request_id, prev_hash, hash,
       via, reported_at, submitted_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
       COALESCE($21, 'GRAPHQL'), $22, $23)`,
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
      event.via ?? null,
      event.reportedAt ?? null,
      event.submittedBy ? JSON.stringify(event.submittedBy) : null,
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
    via: event.via ?? 'GRAPHQL',
    prevHash: event.prevHash,
    hash: event.hash,
    reportedAt: event.reportedAt ? event.reportedAt.toISOString() : '',
    submittedByType: text(event.submittedBy?.type ?? null),
    submittedById: text(event.submittedBy?.id ?? null),
    submittedByDisplay: text(event.submittedBy?.display ?? null),
    submittedByScopes: text(event.submittedBy?.scopes ? scopeNames(event.submittedBy.scopes).join(' ') : null),
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

  it('writes hostile text as JSON.stringify would: backslashes, quotes, control characters, line breaks, unicode', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const hostile = 'tab\there \u0001\u001f\u007f "quoted" back\\slash \\" \b\f\r\n end';
    const unicode = 'é 中文 😀 \u2028\u2029 \ufeff';
    await appendRawEvent(owner.accountId, {
      actorId: 'line\nbreak\r\n',
      actorDisplay: hostile,
      targetType: 'note',
      targetId: unicode,
      targetDisplay: '\\',
      changes: [{ field: hostile, before: '\\"', after: { [unicode]: [1.5, null, true, '\u0007'] } }],
      metadata: { 'k\n': 'v\t\\', '': '', nested: { a: ['x, "y": z'] } },
      ip: '"',
      userAgent: 'Mozilla \\ "x" \u0002',
      requestId: unicode,
    });
    // A target type of '' is no target, whatever its id says.
    await appendRawEvent(owner.accountId, { targetType: '', targetId: 'orphan', targetDisplay: hostile });
    await appendRawEvent(owner.accountId, {
      via: AuditChannel.MCP,
      reportedAt: new Date('2026-11-30T01:02:03.456Z'),
      submittedBy: {
        type: AuditActorType.API_KEY,
        id: 'key "1"\\',
        display: hostile,
        scopes: ['audit:write', 'keys:read'],
      },
    });
    const { downloadUrl } = await createExport(owner.token, { format: 'NDJSON' });

    const body = await (await fetch(downloadUrl)).text();
    const lines = body.slice(0, -1).split('\n');
    expect(lines).toHaveLength(5); // account.created, the three above, audit.exported
    for (const line of lines) expect(line).toBe(JSON.stringify(JSON.parse(line)));
    const events = ndjsonLines(body) as ExportedEvent[];
    expect(events[1]).toMatchObject({ actor: { id: 'line\nbreak\r\n', display: hostile }, target: { id: unicode } });
    expect(events[2]!.target).toBeNull();
    expect(events[3]).toMatchObject({
      via: 'MCP',
      submittedBy: { display: hostile, scopes: ['AUDIT_WRITE', 'KEYS_READ'] },
    });
    expect(events).toEqual(await apiEvents(owner.token));
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

describe('CSV cells a spreadsheet would run', () => {
  it('prefixes a quote to every cell starting with = + - @, tab, CR or a quote, and nothing else changes', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const planted: Partial<AuditEventRecord> = {
      action: "=cmd|' /C calc'!A0",
      actorId: '+1+1',
      actorDisplay: '-2+3',
      targetType: '@SUM(A1:A9)',
      targetId: '\t=1+1',
      targetDisplay: '\r\n=HYPERLINK("https://evil.example","x"), "quoted"',
      userAgent: "'=already quoted",
      requestId: '=HYPERLINK("https://evil.example")',
      metadata: '=1+1' as unknown as AuditEventRecord['metadata'],
    };
    await appendRawEvent(owner.accountId, planted);
    await appendRawEvent(owner.accountId, {
      action: 'test.negative',
      metadata: -5 as unknown as AuditEventRecord['metadata'],
    });
    const { downloadUrl } = await createExport(owner.token, { format: 'CSV' });

    const [header, ...rows] = parseCsv(await (await fetch(downloadUrl)).text());
    const parsed = rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i]!])));
    const row = parsed.find((candidate) => candidate.targetType === "'@SUM(A1:A9)")!;
    expect(row).toMatchObject({
      action: `'${planted.action}`,
      actorId: `'${planted.actorId}`,
      actorDisplay: `'${planted.actorDisplay}`,
      targetType: `'${planted.targetType}`,
      targetId: `'${planted.targetId}`,
      targetDisplay: `'${planted.targetDisplay}`,
      userAgent: `'${planted.userAgent}`,
      requestId: `'${planted.requestId}`,
      metadata: "'=1+1",
    });
    expect(parsed.find((candidate) => candidate.action === 'test.negative')!.metadata).toBe("'-5");
    for (const cells of parsed) for (const cell of Object.values(cells)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);

    // Dropping the one leading quote of a cell that has one gives back every stored value.
    const stored = await auditRecords(env, owner.accountId);
    const unquote = (cell: string) => (cell.startsWith("'") ? cell.slice(1) : cell);
    parsed.forEach((cells, i) => {
      const {
        changes: _changes,
        metadata,
        ...plain
      } = Object.fromEntries(Object.entries(cells).map(([column, cell]) => [column, unquote(cell)]));
      expect(plain).toEqual(csvValues(stored[i]!));
      const storedMetadata = stored[i]!.metadata as unknown;
      const shown = typeof storedMetadata === 'string' ? storedMetadata : JSON.stringify(storedMetadata);
      expect(metadata).toBe(storedMetadata === null ? '' : shown);
    });
  });
});

describe('export retention', () => {
  const DAY_MS = 86_400_000;

  it.each([
    [Plan.PREMIUM, 90],
    [Plan.ENTERPRISE, 400],
  ])('never exports %s events older than its %i days of retention, whatever the filter', async (plan, days) => {
    const owner = await env.seedAccount({ plan });
    const now = Date.now();
    await appendRawEvent(owner.accountId, {
      action: 'test.past_retention',
      occurredAt: new Date(now - (days + 1) * DAY_MS),
    });
    await appendRawEvent(owner.accountId, {
      action: 'test.within_retention',
      occurredAt: new Date(now - (days - 1) * DAY_MS),
    });
    const longAgo = new Date(now - 5 * 365 * DAY_MS).toISOString();

    for (const filter of [undefined, { occurredAfter: longAgo }, { actions: ['test.*'], occurredAfter: longAgo }]) {
      const ndjson = await createExport(owner.token, { format: 'NDJSON', filter });
      const lines = ndjsonLines(await (await fetch(ndjson.downloadUrl)).text()) as ExportedEvent[];
      expect(lines.map((line) => line.action)).toContain('test.within_retention');
      expect(lines.map((line) => line.action)).not.toContain('test.past_retention');

      const csv = await createExport(owner.token, { format: 'CSV', filter });
      const actions = parseCsv(await (await fetch(csv.downloadUrl)).text()).map((row) => row[3]);
      expect(actions).toContain('test.within_retention');
      expect(actions).not.toContain('test.past_retention');
    }
  });
});

describe('export download links', () => {
  const links = new ExportLinks(new TextEncoder().encode(TEST_SESSION_SECRET));

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
    const expired = links.path(owner.accountId, id, new Date(Date.now() - 1000));
    const response = await fetch(`${env.api.url}${expired}`);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/expired/);
  });

  it('answers 404 to a validly signed link of another account naming this account’s export', async () => {
    const victim = await env.seedAccount({ plan: Plan.PREMIUM });
    const other = await env.seedAccount({ plan: Plan.PREMIUM });
    const { id } = await createExport(victim.token, { format: 'NDJSON' });
    const ownPath = links.path(victim.accountId, id, new Date(Date.now() + 60_000));
    const own = await fetch(`${env.api.url}${ownPath}`);
    expect(own.status).toBe(200);
    await own.text();

    const crossed = links.path(other.accountId, id, new Date(Date.now() + 60_000));
    const response = await fetch(`${env.api.url}${crossed}`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain(victim.accountId);
  });

  it('refuses a still-valid link with 403 once the account is downgraded to FREE', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const { downloadUrl } = await createExport(owner.token, { format: 'CSV' });

    const downgraded = await env.api.call(ChangePlanDocument, { input: { plan: 'FREE' } }, { token: owner.token });
    expect(downgraded.errors).toBeUndefined();
    const response = await fetch(downloadUrl);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).not.toMatch(/csv/);
  });
});

describe('export volume', () => {
  /**
   * `links` CSV exports (each link downloads once) of an account with `count` more events appended straight into
   * the table after them (chain not verified): each export holds 1 + `links` + `count` events.
   */
  async function csvExportsOf(count: number, links: number): Promise<{ token: string; downloadUrls: string[] }> {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const downloadUrls: string[] = [];
    for (let i = 0; i < links; i += 1)
      downloadUrls.push((await createExport(owner.token, { format: 'CSV' })).downloadUrl);
    await env.sql(
      `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_display, changes, metadata, prev_hash, hash)
       SELECT gen_random_uuid(), $1, $3::int + 1 + g, now(), 'api_key.updated', 'SUCCESS', 'SYSTEM', 'system, "ops"', '[]',
              jsonb_build_object('n', g, 'note', 'a, b: c'), repeat('0', 64), repeat('1', 64)
         FROM generate_series(1, $2::int) AS g`,
      [owner.accountId, count, links],
    );
    return { token: owner.token, downloadUrls };
  }

  it('serves more downloads in a row than the pool has connections (5 in tests)', async () => {
    const { token, downloadUrls } = await csvExportsOf(5_000, 7);
    for (const [i, downloadUrl] of downloadUrls.entries()) {
      const body = await within(
        fetch(downloadUrl).then((response) => response.text()),
        `download ${i + 1}`,
      );
      expect(body.split('\r\n')).toHaveLength(1 + 5_008 + 1); // header, events, the empty end
    }
    const viewer = await within(env.api.call(ViewerDocument, {}, { token }), 'a query after the downloads');
    expect(viewer.errors).toBeUndefined();
  });

  it('stops the database work of an aborted download and frees its slot', async () => {
    const { downloadUrls } = await csvExportsOf(100_000, 7);
    const noCopyRunning = async () => {
      const running = await env.sql(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (SELECT%'`,
      );
      return running.length === 0;
    };
    // More aborted downloads than there are download slots and pool connections: one kept would starve the rest.
    for (const [i, downloadUrl] of downloadUrls.slice(0, 6).entries()) {
      const abort = new AbortController();
      const response = await within(fetch(downloadUrl, { signal: abort.signal }), `download ${i + 1}`);
      expect(response.status).toBe(200);
      const first = await response.body!.getReader().read();
      expect(first.done).toBe(false);
      abort.abort();
      await eventually(`the COPY of aborted download ${i + 1} ends`, noCopyRunning);
    }

    const body = await within(
      fetch(downloadUrls[6]!).then((response) => response.text()),
      'a whole download after the aborted ones',
      30_000,
    );
    expect(body.split('\r\n')).toHaveLength(1 + 100_008 + 1);
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
