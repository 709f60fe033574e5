import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import path from 'node:path';
import { Plan } from '../../src/entitlements/plans';
import type { Browser, Page } from 'playwright-core';
import { UpdateApiKeyDocument } from '../../src/client/generated/graphql';
import { createApiKey, createApiKeys } from '../support/fixtures';
import { type SeededAccount, startTestEnv, type TestEnv } from '../support/harness';
import {
  describeInBrowser,
  launchChromium,
  openPage,
  SCREENSHOTS_DIR,
  seedNamedAccount,
  seriousAxeViolations,
  signIn,
} from './support/browser';

/** What the page keeps (web/src/audit/audit-page.tsx). */
const MAX_ROWS = 200;

describeInBrowser('the audit page in Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let owner: SeededAccount;
  /** Every WebSocket the server accepted, to drop them as a network failure would. */
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    [env, browser] = await Promise.all([startTestEnv(), launchChromium()]);
    env.api.app.httpServer.on('upgrade', (_request, socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    ({ page, errors } = await openPage(browser));
    owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKeys(env.api, owner.token, 3, { namePrefix: 'seed' });
    await signIn(env, page, owner);
  });

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  afterEach(() => expect(errors).toEqual([]));

  const auditUrl = (query = '') => `${env.api.url}/app/settings/audit${query}`;
  /** The seqs of the rows shown, top to bottom. */
  const shownSeqs = async () =>
    (
      await page.locator('tbody tr[data-seq]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-seq')))
    ).map(Number);

  it('explains on a FREE account that the log is a Premium and Enterprise capability, asking nothing it lacks', async () => {
    const free = await env.seedAccount({ plan: Plan.FREE });
    const { context: other, page: freePage } = await openPage(browser);
    const operations: string[] = [];
    freePage.on('request', (request) => {
      const body = request.postData();
      if (request.url().endsWith('/graphql') && body) operations.push(String(JSON.parse(body).operationName));
    });
    await signIn(env, freePage, free);
    await freePage.goto(auditUrl());
    await freePage.getByText('The Audit Log is a Premium and Enterprise capability').waitFor();
    await freePage.getByRole('heading', { name: 'Premium', exact: true }).waitFor();
    // The plans' numbers are the API's (plans), not a copy kept by the page.
    const enterprise = freePage.getByRole('article', { name: 'Enterprise' });
    await enterprise.getByText('400 days of history').waitFor();
    await enterprise.getByText('1,000 active API keys').waitFor();
    expect(operations).toContain('AuditEntitlements');
    expect(operations).not.toContain('AuditPage');
    expect(await seriousAxeViolations(freePage)).toEqual([]);
    await other.close();
  });

  it('lists events newest first and opens one in a details panel with its changes', async () => {
    await page.goto(auditUrl());
    await page.locator('tbody tr').first().waitFor();
    const seqs = await shownSeqs();
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    await page.locator('tbody tr', { hasText: 'api_key.created' }).first().getByRole('button').click();
    const details = page.getByRole('dialog', { name: 'api_key.created' });
    await details.getByText('Metadata').waitFor();
    await details.getByText('"scopes"').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
  });

  it('keeps the filters in the URL: they survive a reload, and a range past the retention is clamped', async () => {
    await createApiKey(env.api, owner.token, { name: 'filtered' });
    await page.getByLabel('Action').fill('api_key.created');
    await page.getByLabel('Outcome').selectOption('SUCCESS');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=api_key.created/);
    expect(page.url()).toContain('outcome=SUCCESS');
    await page.reload();
    await page.locator('tbody tr').first().waitFor();
    expect(await page.getByLabel('Action').inputValue()).toBe('api_key.created');
    expect(await page.getByLabel('Outcome').inputValue()).toBe('SUCCESS');
    const actions = await page.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions.length).toBe(4);
    expect(new Set(actions)).toEqual(new Set(['api_key.created']));

    await page.goto(auditUrl('?from=2020-01-01T00:00:00.000Z'));
    await page.getByText('The time range was moved to start at').waitFor();
    await page.getByText('Your PREMIUM plan keeps 90 days of history.').waitFor();
  });

  it('shows live events, and after the socket drops resumes with no gap and no duplicate', async () => {
    await page.goto(auditUrl());
    await page.locator('tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Live' }).click();
    await page.getByRole('status', { name: 'Live feed' }).getByText('Live', { exact: true }).waitFor();
    const before = await shownSeqs();

    await createApiKey(env.api, owner.token, { name: 'live-1' });
    await page.locator('tbody tr', { hasText: 'live-1' }).waitFor();

    for (const socket of sockets) socket.destroy();
    await page.getByText('Reconnecting…').waitFor();
    await createApiKeys(env.api, owner.token, 3, { namePrefix: 'while-away' });
    await page.getByRole('status', { name: 'Live feed' }).getByText('Live', { exact: true }).waitFor();
    await page.locator('tbody tr', { hasText: 'while-away 2' }).waitFor();
    await createApiKey(env.api, owner.token, { name: 'live-2' });
    await page.locator('tbody tr', { hasText: 'live-2' }).waitFor();

    // Scrolled away from the top, new events are counted for the reader.
    await page.setViewportSize({ width: 1360, height: 400 });
    await page.locator('tbody tr').last().scrollIntoViewIfNeeded();
    await createApiKey(env.api, owner.token, { name: 'live-3' });
    const newEvents = page.getByRole('button', { name: '1 new event' });
    await newEvents.click();
    await newEvents.waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1360, height: 900 });

    const seqs = await shownSeqs();
    expect(seqs.length).toBeGreaterThan(before.length + 5);
    // Every seq from the newest down to the oldest shown, once each: nothing lost, nothing twice.
    expect(seqs).toEqual(seqs.map((_seq, index) => seqs[0]! - index));
    await page.getByRole('button', { name: 'Live' }).click();
    await page.getByText('Live off').waitFor();
  });

  it('keeps at most 200 rows while live, the older ones behind "Load older events"', async () => {
    await page.goto(auditUrl());
    await page.locator('tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Live' }).click();
    await page.getByRole('status', { name: 'Live feed' }).getByText('Live', { exact: true }).waitFor();
    const key = await createApiKey(env.api, owner.token, { name: 'renamed-0' });
    for (let batch = 1; batch <= 210; batch += 30) {
      await Promise.all(
        Array.from({ length: 30 }, (_unused, index) =>
          env.api.call(UpdateApiKeyDocument, { input: { id: key.id, description: `d${batch + index}` } }, owner),
        ),
      );
    }
    const last = (await env.api.call(UpdateApiKeyDocument, { input: { id: key.id, name: 'renamed-last' } }, owner))
      .data!.updateApiKey;
    await page.locator('tbody tr', { hasText: last.name }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(MAX_ROWS);
    await page.getByRole('button', { name: 'Load older events' }).click();
    await page.locator('tbody tr').nth(MAX_ROWS).waitFor();
    await page.getByRole('button', { name: 'Live' }).click();
  });

  it('exports the filtered log as CSV through a visible download link', async () => {
    await page.goto(auditUrl('?action=api_key.created'));
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel('Export as').selectOption('CSV');
    await page.getByRole('button', { name: 'Export' }).click();
    const link = page.getByRole('link', { name: 'Download CSV export' });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.slice(1).every((line) => line.includes('api_key.created'))).toBe(true);
  });

  it("shows the chain's verdict", async () => {
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByText(/Chain intact: \d+ events verified/).waitFor();
  });

  it('has no serious or critical axe-core violation and takes the README screenshot', async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);

    const acme = await seedNamedAccount(env, { name: 'Acme Corp', email: 'ada@acme.example', plan: Plan.ENTERPRISE });
    const token = await env.tokenFor(acme.accountId, acme.userId);
    const key = await createApiKey(env.api, token, { name: 'billing-sync', scopes: ['KEYS_READ', 'AUDIT_READ'] });
    await createApiKey(env.api, token, {
      name: 'partner-onboarding',
      purpose: 'TEAM_HANDOFF',
      handoffTo: 'Partner success team',
    });
    // A key reaching past its scopes is refused, and the refusal is on record.
    await createApiKey(env.api, key.secret, { name: 'sneaky' }).catch(() => undefined);
    const { context: other, page: shot } = await openPage(browser);
    await shot.setViewportSize({ width: 1360, height: 860 });
    await signIn(env, shot, acme);
    await shot.goto(auditUrl());
    await shot.locator('tbody tr').nth(2).waitFor();
    await shot.getByRole('button', { name: 'Live' }).click();
    await shot.getByRole('status', { name: 'Live feed' }).getByText('Live', { exact: true }).waitFor();
    await shot.screenshot({ path: path.join(SCREENSHOTS_DIR, 'audit.png') });
    await other.close();
  });
});
