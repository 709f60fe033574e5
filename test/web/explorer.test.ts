import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Plan } from '../../src/entitlements/plans';
import { EXPLORER_SECURITY_HEADERS } from '../../src/server/pages';
import { createApiKey } from '../support/fixtures';
import { type SeededAccount, startTestEnv, type TestEnv } from '../support/harness';
import { eventually } from '../support/wait';
import { describeInBrowser, launchChromium, openPage, signIn } from './support/browser';

describeInBrowser('the API explorer (GraphiQL) in Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let owner: SeededAccount;
  /** The instance a test drives: every request must go to it. */
  let serviceUrl: string;
  /** Every URL the browser asked for in a test (documents, scripts, styles, fonts, workers, fetches, sockets). */
  let requested: string[];

  beforeAll(async () => {
    [env, browser] = await Promise.all([startTestEnv(), launchChromium()]);
    owner = await env.seedAccount({ plan: Plan.PREMIUM, name: 'Explorer Test Co' });
  });

  beforeEach(async () => {
    ({ context, page, errors } = await openPage(browser));
    serviceUrl = env.api.url;
    requested = [];
    context.on('request', (request) => requested.push(request.url()));
    page.on('websocket', (socket) => requested.push(socket.url()));
    page.on('worker', (worker) => requested.push(worker.url()));
  });

  // Nothing from a CDN or anywhere else: every request (data: URLs are no request) goes to the service itself.
  afterEach(async () => {
    await context.close();
    expect(errors).toEqual([]);
    const { host } = new URL(serviceUrl);
    expect(requested.filter((url) => !url.startsWith('data:') && new URL(url).host !== host)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  /** Opens the explorer on GET /graphql, under its own CSP, and waits for the editor to show the first query. */
  async function openExplorer(target: Page): Promise<void> {
    const response = await target.goto(`${env.api.url}/graphql`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toBe(EXPLORER_SECURITY_HEADERS['content-security-policy']);
    await target.getByRole('button', { name: /^Execute query/ }).waitFor();
    await target.locator('.graphiql-query-editor .view-lines').getByText('viewer').waitFor();
  }

  /** Pastes `text` into the Headers editor (through the clipboard, as a user would). */
  async function pasteHeaders(target: Page, text: string): Promise<void> {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.api.url });
    await target.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
    await target.getByRole('button', { name: 'Headers', exact: true }).click();
    await target.locator('.monaco-editor[data-uri$="request-headers.json"]').click();
    await target.keyboard.press('ControlOrMeta+V');
    await target.getByRole('region', { name: 'Headers' }).getByText('Authorization').waitFor();
  }

  /** Runs the operation in the editor and returns the response pane's text once it shows `expected`. */
  async function run(target: Page, expected: string): Promise<string> {
    await target.getByRole('button', { name: /^Execute query/ }).click();
    const result = target.locator('.result-window');
    await result.getByText(expected).first().waitFor();
    return result.innerText();
  }

  it('opens on GET /graphql and runs { viewer { account { name } } } with a pasted bearer token', async () => {
    await openExplorer(page);
    await pasteHeaders(page, `{"Authorization": "Bearer ${owner.token}"}`);
    const sent = page.waitForRequest(
      (request) => request.method() === 'POST' && (request.postData() ?? '').includes('viewer'),
    );
    const text = await run(page, 'Explorer Test Co');
    const request = await sent;
    expect(request.url()).toBe(`${env.api.url}/graphql`);
    expect(request.headers()['authorization']).toBe(`Bearer ${owner.token}`);
    expect(request.headers()['content-type']).toBe('application/json');
    expect(text).not.toContain('errors');
    // Headers (and so the token) are not kept in the browser's storage.
    expect(await page.evaluate('JSON.stringify([localStorage, sessionStorage])')).not.toContain(owner.token);
    // Monaco's workers (operation validation, JSON) are files of the service (afterEach checks the origin).
    // Monaco starts them when it first needs them, which on a loaded machine can come after the answer.
    const workers = [/\/app\/assets\/graphql\.worker-[\w-]+\.js$/, /\/app\/assets\/json\.worker-[\w-]+\.js$/];
    await eventually(
      () => `both Monaco workers requested (requested: ${requested.join(', ')})`,
      () => workers.every((worker) => requested.some((url) => worker.test(url))),
      { timeoutMs: 15_000 },
    );
    expect(requested).toEqual(expect.arrayContaining(workers.map((worker) => expect.stringMatching(worker))));
  });

  it('runs as the member signed in to the settings pages, by their session cookie', async () => {
    await signIn(env, page, owner);
    await openExplorer(page);
    const sent = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/graphql'));
    await run(page, 'Explorer Test Co');
    expect((await sent).headers()['authorization']).toBeUndefined();
  });

  it('follows a subscription over graphql-ws on its own host', async () => {
    await openExplorer(page);
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    // Monaco closes brackets as they are typed: type the opening ones only.
    await page.keyboard.type('subscription Live { auditEvents { action');
    await pasteHeaders(page, `{"Authorization": "Bearer ${owner.token}"}`);
    const socket = page.waitForEvent('websocket');
    await page.getByRole('button', { name: /^Execute query/ }).click();
    expect((await socket).url()).toBe(`${env.api.url.replace(/^http/, 'ws')}/graphql`);
    await page.getByRole('button', { name: /^Stop query/ }).waitFor();
    // An audited change made elsewhere reaches the explorer live.
    await createApiKey(env.api, owner.token, { name: 'from-elsewhere' });
    await page.locator('.result-window').getByText('api_key.created').first().waitFor();
    await page.getByRole('button', { name: /^Stop query/ }).click();
  });

  it('is not served in production: a browser GET /graphql gets no explorer', async () => {
    const production = await env.startInstance({ NODE_ENV: 'production', PUBLIC_URL: 'https://keyledger.example' });
    serviceUrl = production.url;
    const response = await page.goto(`${production.url}/graphql`);
    expect(response!.headers()['content-type']).not.toContain('text/html');
    expect(await page.content()).not.toMatch(/graphiql|explorer/i);
    expect(await page.locator('.graphiql-container').count()).toBe(0);
  });
});
