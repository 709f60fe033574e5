import { closeSync, existsSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { AccountService } from '../../../src/accounts/account.service';
import type { Plan } from '../../../src/entitlements/plans';
import type { TestEnv } from '../../support/harness';

/** Debian's Chromium (`apt-get install -y chromium`); `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and quiet on a closed network (no update, sync or QUIC probes). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Where the screenshots go: docs/screenshots (shown in the README) with `UPDATE_SCREENSHOTS=1`, else a temporary
 * directory, so an ordinary test run leaves the committed images alone.
 */
export const SCREENSHOTS_DIR =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '../../../docs/screenshots')
    : path.join(os.tmpdir(), 'keyledger-screenshots');

/**
 * `describe` for tests that drive Chromium. Without it they are skipped, said in one line per run; with
 * `REQUIRE_BROWSER=1` (CI) they fail instead.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) return describe(name, body);
  if (process.env.REQUIRE_BROWSER === '1') {
    describe(name, () => {
      it('finds Chromium', () => {
        throw new Error(`REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
      });
    });
    return;
  }
  sayOnce(`browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium; CHROMIUM_PATH)\n`);
  describe.skip(name, body);
}

/** Writes `line` once per jest run, whichever worker gets here first (a run in band has one process). */
function sayOnce(line: string): void {
  if (process.env.JEST_WORKER_ID === undefined) {
    process.stderr.write(line);
    return;
  }
  try {
    closeSync(openSync(path.join(os.tmpdir(), `keyledger-no-chromium-${process.ppid}`), 'wx'));
    process.stderr.write(line);
  } catch {
    // Another worker of this run said it.
  }
}

/** One Chromium for a test file. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

/** A fresh browser profile (its own cookie jar) with one page; `errors` collects uncaught page errors and CSP violations. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // The pages run under the service's CSP (default-src 'self'): anything it blocks is a bug.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  page.setDefaultTimeout(10_000);
  return { context, page, errors };
}

/** A member to sign in as. */
export interface Member {
  accountId: string;
  email: string;
}

/** Creates an account with a readable name and OWNER email (for screenshots). */
export async function seedNamedAccount(
  env: TestEnv,
  options: { name: string; email: string; plan: Plan },
): Promise<Member & { userId: string }> {
  const { account, user } = await new AccountService().bootstrap(
    env.api.orm.em.fork(),
    { accountName: options.name, email: options.email, plan: options.plan },
    { requestId: `seed-${options.email}`, ip: null, userAgent: 'test-seed' },
  );
  return { accountId: account.id, userId: user.id, email: options.email };
}

/** A one-time login link for `member`, as `keyledger login-link` prints it. */
export async function loginLink(env: TestEnv, member: Member): Promise<string> {
  const { url } = await env.api.app.services.sessions.issueLoginLink(env.api.orm.em.fork(), member);
  return url;
}

/** Opens a login link in `page` and waits for the API keys page it leads to. */
export async function signIn(env: TestEnv, page: Page, member: Member): Promise<void> {
  await page.goto(await loginLink(env, member));
  await page.waitForURL('**/app/settings/api-keys');
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
}

/** One axe-core violation, trimmed to what a failure message needs. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * The page's serious and critical axe-core violations. axe is evaluated through the DevTools protocol, which
 * the pages' CSP (`default-src 'self'`) does not govern, so the CSP stays on while the pages are checked.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axe.source);
  const violations = (await page.evaluate(`
    axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(' ')),
      })),
    )
  `)) as AxeViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
