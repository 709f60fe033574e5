import path from 'node:path';
import { Plan } from '../../src/entitlements/plans';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  ApiKeyDocument,
  ApiKeysDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql';
import { createApiKey, createApiKeys, inviteMember } from '../support/fixtures';
import { errorCodes, type SeededAccount, startTestEnv, type TestEnv } from '../support/harness';
import {
  describeInBrowser,
  launchChromium,
  loginLink,
  openPage,
  SCREENSHOTS_DIR,
  seedNamedAccount,
  seriousAxeViolations,
  signIn,
} from './support/browser';

describeInBrowser('the API keys page in Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let owner: SeededAccount;

  beforeAll(async () => {
    [env, browser] = await Promise.all([startTestEnv(), launchChromium()]);
    ({ context, page, errors } = await openPage(browser));
    owner = await env.seedAccount({ plan: Plan.PREMIUM });
  });

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  afterEach(() => expect(errors).toEqual([]));

  /** The table row of a key, by id. */
  const row = (id: string) => page.locator(`tr[data-key-id="${id}"]`);

  it('signs in by a one-time link, erasing the code from the address bar, and refuses the link a second time', async () => {
    const link = await loginLink(env, owner);
    expect(link).toMatch(/\/app\/login#code=/);
    await page.goto(link);
    await page.waitForURL('**/app/settings/api-keys');
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByText(owner.email).waitFor();
    expect(page.url()).not.toContain('code=');

    const other = await context.newPage();
    await other.goto(link);
    await other.getByText('This sign-in link has expired or was already used').waitFor();
    expect(other.url()).not.toContain('code=');
    await other.close();
  });

  it('creates a key whose secret is shown once, copies it, lists it, rotates it and revokes it', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.api.url });
    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create API key' });
    await create.getByLabel('Name').fill('billing-sync');
    await create.getByLabel('Long-running workflow').check();
    await create.getByLabel('audit:read').check();
    await create.getByLabel('30 days', { exact: true }).check();
    // A double click sends one create: the dialog's idempotency key makes any second request a replay.
    await create.getByRole('button', { name: 'Create key' }).dblclick();

    const shown = page.getByRole('dialog', { name: 'API key created' });
    await shown.getByText("You won't see this key again").waitFor();
    const secret = await shown.getByLabel('Secret').inputValue();
    expect(secret).toMatch(/^kl_live_/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    // The secret works, and only one key was made.
    expect((await env.api.call(ViewerDocument, {}, { token: secret })).errors).toBeUndefined();
    const keys = await env.api.call(ApiKeysDocument, { first: 10 }, { token: owner.token });
    expect(keys.data!.apiKeys.edges.filter((edge) => edge.node.name === 'billing-sync')).toHaveLength(1);
    const id = keys.data!.apiKeys.edges.find((edge) => edge.node.name === 'billing-sync')!.node.id;

    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    expect(page.url()).not.toContain(secret);
    expect(await page.evaluate('JSON.stringify([localStorage, sessionStorage])')).not.toContain(secret);

    await row(id).getByText('Active', { exact: true }).waitFor();
    await expect(row(id).textContent()).resolves.toContain('Long-running workflow');
    await expect(row(id).textContent()).resolves.toContain('audit:read');
    await expect(row(id).textContent()).resolves.toContain('Never used');

    await row(id).getByRole('button', { name: 'Rotate billing-sync' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate billing-sync' });
    await rotate.getByLabel('15 minutes').check();
    await rotate.getByRole('button', { name: 'Rotate key' }).click();
    const rotated = page.getByRole('dialog', { name: 'Key rotated' });
    const newSecret = await rotated.getByLabel('Secret').inputValue();
    expect(newSecret).not.toBe(secret);
    // Closing without copying asks first.
    await rotated.getByRole('button', { name: 'Done' }).click();
    await rotated.getByText("You haven't copied the key").waitFor();
    await rotated.getByRole('button', { name: 'Close without copying' }).click();
    await rotated.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(newSecret);
    await row(id).getByText('In rotation grace').waitFor();

    const after = await env.api.call(ApiKeysDocument, { first: 10, status: 'ACTIVE' }, { token: owner.token });
    const replacement = after.data!.apiKeys.edges.find(
      (edge) => edge.node.name === 'billing-sync' && edge.node.id !== id,
    )!.node;
    await row(replacement.id).getByRole('button', { name: 'Revoke billing-sync' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke billing-sync' });
    const confirm = revoke.getByRole('button', { name: 'Revoke key' });
    expect(await confirm.isDisabled()).toBe(true);
    await revoke.getByLabel(/Type billing-sync to confirm/).fill('billing-sync');
    await revoke.getByLabel(/Reason/).fill('project ended');
    await confirm.click();
    await revoke.waitFor({ state: 'detached' });
    await row(replacement.id).getByText('Revoked').waitFor();
    await expect(row(replacement.id).textContent()).resolves.toContain('project ended');
    expect((await env.api.call(ViewerDocument, {}, { token: newSecret })).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('edits a key, filters by status and is usable from the keyboard (Escape closes, focus returns)', async () => {
    const created = await createApiKey(env.api, owner.token, { name: 'ci-runner' });
    await page.reload();
    await row(created.id).getByRole('button', { name: 'Edit ci-runner' }).focus();
    await page.keyboard.press('Enter');
    const edit = page.getByRole('dialog', { name: 'Edit ci-runner' });
    await edit.waitFor();
    expect(await page.evaluate('document.activeElement.id')).toBe('edit-name');
    await page.keyboard.press('Escape');
    await edit.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Edit ci-runner');

    await page.keyboard.press('Enter');
    await edit.getByLabel('Name').fill('ci-runner-eu');
    await edit.getByLabel('Description').fill('Deploys the EU region');
    await edit.getByLabel('Name').press('Enter');
    await row(created.id).getByText('Deploys the EU region').waitFor();
    await expect(row(created.id).textContent()).resolves.toContain('ci-runner-eu');

    await page.getByLabel('Status').selectOption('REVOKED');
    await page.locator('tbody tr').first().getByText('Revoked').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Status').selectOption('');
    await row(created.id).waitFor();
  });

  it('pages through the keys by cursor, 20 at a time', async () => {
    await createApiKeys(env.api, owner.token, 20, { namePrefix: 'paged' });
    await page.reload();
    await page.getByText('paged 0', { exact: true }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(20);
    const total = (await env.api.call(ApiKeysDocument, { first: 1 }, { token: owner.token })).data!.apiKeys.totalCount;
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    await page.getByText('ci-runner-eu').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(total - 20);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('paged 19').waitFor();
  });

  it('creates a hand-off key naming the receiving team, and shows the team with the key', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create API key' });
    expect(await create.getByLabel('Receiving team').count()).toBe(0);
    await create.getByLabel('Name').fill('partner-handoff');
    await create.getByLabel('Hand-off to another team').check();
    await create.getByLabel('Receiving team').fill('Data platform team');
    await create.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'API key created' });
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.getByRole('button', { name: 'Close without copying' }).click();
    await shown.waitFor({ state: 'detached' });

    const keys = await env.api.call(ApiKeysDocument, { first: 5 }, { token: owner.token });
    const created = keys.data!.apiKeys.edges.find((edge) => edge.node.name === 'partner-handoff')!.node;
    expect(created).toMatchObject({ purpose: 'TEAM_HANDOFF', handoffTo: 'Data platform team' });
    await row(created.id).getByText('to Data platform team').waitFor();
    await expect(row(created.id).textContent()).resolves.toContain('Hand-off to another team');
    await expect(row(created.id).textContent()).resolves.toContain(owner.email);
  });

  it('shows a rotated key’s requests since rotation, and End grace now makes the old secret fail', async () => {
    const key = await createApiKey(env.api, owner.token, { name: 'switching-over' });
    const rotated = await env.api.call(
      RotateApiKeyDocument,
      { input: { id: key.id, gracePeriodSeconds: 3600 } },
      { token: owner.token },
    );
    expect(rotated.errors).toBeUndefined();
    for (let i = 0; i < 3; i += 1) {
      expect((await env.api.call(ViewerDocument, {}, { token: key.secret })).errors).toBeUndefined();
    }
    await env.api.app.services.keyUsage.drain();
    await page.reload();
    await row(key.id).getByText('In rotation grace').waitFor();
    await row(key.id).getByRole('button', { name: 'Rotation of switching-over' }).click();
    const panel = page.getByRole('dialog', { name: 'Rotation of switching-over' });
    await panel.getByText('3 requests', { exact: true }).waitFor();
    await panel.getByText('from 127.0.0.1').waitFor();
    await panel.getByText('Grace ends').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Still in use: Refresh shows the requests served since the panel opened.
    for (let i = 0; i < 2; i += 1) await env.api.call(ViewerDocument, {}, { token: key.secret });
    await env.api.app.services.keyUsage.drain();
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await panel.getByText('5 requests', { exact: true }).waitFor();

    await panel.getByRole('button', { name: 'End grace now' }).click();
    await panel.getByText('will fail from the next request').waitFor();
    await panel.getByRole('button', { name: 'End grace', exact: true }).click();
    await panel.waitFor({ state: 'detached' });
    await page.getByText('The grace period of switching-over ended').waitFor();
    await row(key.id).getByText('Expired').waitFor();
    expect(errorCodes(await env.api.call(ViewerDocument, {}, { token: key.secret }))).toEqual(['UNAUTHENTICATED']);
    const replacement = rotated.data!.rotateApiKey.secret;
    expect((await env.api.call(ViewerDocument, {}, { token: replacement })).errors).toBeUndefined();
  });

  it('transfers a key to a MEMBER and warns which of its scopes stop working', async () => {
    const member = await inviteMember(env, owner, 'MEMBER');
    const key = await createApiKey(env.api, owner.token, { name: 'deploy-bot', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
    await page.reload();
    await row(key.id).getByRole('button', { name: 'Transfer deploy-bot' }).click();
    const transfer = page.getByRole('dialog', { name: 'Transfer deploy-bot' });
    await transfer.getByLabel('New owner').selectOption({ label: `${member.email} (MEMBER)` });
    await transfer.getByLabel(/Reason/).fill('team change');
    await transfer.getByRole('button', { name: 'Transfer key' }).click();
    await transfer.getByText('These scopes stop working: keys:write.').waitFor();
    await transfer.getByRole('button', { name: 'Done' }).click();
    await transfer.waitFor({ state: 'detached' });
    await row(key.id).getByText(member.email).waitFor();
    await row(key.id).getByText('keys:write (inactive)').waitFor();

    const after = await env.api.call(ApiKeyDocument, { id: key.id }, { token: owner.token });
    expect(after.data!.apiKey!.owner).toEqual({ id: member.userId, email: member.email });
  });

  it('narrows the table by a key health count and by search, and draws each key’s last 7 days', async () => {
    const fresh = await env.seedAccount({ plan: Plan.PREMIUM });
    const used = await createApiKey(env.api, fresh.token, { name: 'nightly-report' });
    const idle = await createApiKey(env.api, fresh.token, { name: 'idle-import' });
    for (let i = 0; i < 5; i += 1) await env.api.call(ViewerDocument, {}, { token: used.secret });
    await env.api.app.services.keyUsage.drain();

    const { context: other, page: review, errors: reviewErrors } = await openPage(browser);
    await signIn(env, review, fresh);
    const reviewRow = (id: string) => review.locator(`tr[data-key-id="${id}"]`);
    await reviewRow(used.id).getByRole('img', { name: '5 requests in 7 days' }).waitFor();
    await reviewRow(idle.id).getByRole('img', { name: '0 requests in 7 days' }).waitFor();
    expect(await review.locator('tbody tr').count()).toBe(2);

    const health = review.getByRole('region', { name: 'Key health' });
    const neverUsed = health.getByRole('button', { name: /Never used/ });
    await expect(neverUsed.textContent()).resolves.toBe('1Never used');
    await neverUsed.click();
    await reviewRow(used.id).waitFor({ state: 'detached' });
    await reviewRow(idle.id).waitFor();
    expect(await review.locator('tbody tr').count()).toBe(1);
    expect(await neverUsed.getAttribute('aria-pressed')).toBe('true');
    await neverUsed.click();
    await reviewRow(used.id).waitFor();

    await review.getByLabel('Search').fill('nightly');
    await reviewRow(idle.id).waitFor({ state: 'detached' });
    expect(await review.locator('tbody tr').count()).toBe(1);
    await review.getByLabel('Search').fill('');
    await reviewRow(idle.id).waitFor();
    expect(reviewErrors).toEqual([]);
    await other.close();
  });

  it('has no serious or critical axe-core violation, dialogs included, and takes the README screenshot', async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('dialog', { name: 'Create API key' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');

    const acme = await seedNamedAccount(env, { name: 'Acme Corp', email: 'ada@acme.example', plan: Plan.PREMIUM });
    const token = await env.tokenFor(acme.accountId, acme.userId);
    const screenshot = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: 'en-US' });
    const shot = await screenshot.newPage();
    for (const [name, purpose, scopes] of [
      ['billing-sync', 'LONG_RUNNING_WORKFLOW', ['KEYS_READ', 'AUDIT_READ']],
      ['partner-onboarding', 'TEAM_HANDOFF', ['KEYS_READ']],
      ['load-test-nov', 'TEMPORARY_INTEGRATION', ['KEYS_READ', 'KEYS_WRITE']],
    ] as const) {
      const expiresAt = new Date(Date.now() + (name === 'load-test-nov' ? 3 : 60) * 86_400_000).toISOString();
      const key = await createApiKey(env.api, token, {
        name,
        purpose,
        scopes: [...scopes],
        expiresAt,
        ...(purpose === 'TEAM_HANDOFF' ? { handoffTo: 'Partner success team' } : {}),
      });
      if (name === 'partner-onboarding') {
        await env.api.call(ViewerDocument, {}, { token: key.secret });
      }
      if (name !== 'load-test-nov') {
        // A week of daily-rhythm traffic for the sparklines (the service only counts from now on).
        await env.sql(
          `INSERT INTO api_key_usage (key_id, account_id, hour, requests)
           SELECT $1, $2, date_trunc('hour', now()) - make_interval(hours => h), round(14 + 12 * sin(h * pi() / 12))
             FROM generate_series(1, 167) AS h`,
          [key.id, acme.accountId],
        );
      }
      if (name === 'billing-sync') {
        await env.api.call(RotateApiKeyDocument, { input: { id: key.id, gracePeriodSeconds: 86_400 } }, { token });
      }
    }
    const legacy = await createApiKey(env.api, token, { name: 'legacy-export' });
    await env.api.call(RevokeApiKeyDocument, { input: { id: legacy.id, reason: 'vendor contract ended' } }, { token });
    await env.api.app.services.keyUsage.drain();
    await signIn(env, shot, acme);
    await shot.locator('tbody tr').nth(4).waitFor();
    await shot.screenshot({ path: path.join(SCREENSHOTS_DIR, 'api-keys.png') });
    await screenshot.close();
  });

  it('disables Create at the plan limit and names the plan that lifts it', async () => {
    const free = await env.seedAccount({ plan: Plan.FREE });
    await createApiKeys(env.api, free.token, 3);
    const { context: other, page: limited } = await openPage(browser);
    await signIn(env, limited, free);
    await limited.getByText('3 of 3 active keys').waitFor();
    expect(await limited.getByRole('button', { name: 'Create key' }).isDisabled()).toBe(true);
    await limited.getByText('Upgrade to Standard (25 active keys)').waitFor();
    await other.close();
  });

  it('shows a MEMBER the keys read-only, without the controls they may not use', async () => {
    const rotating = await createApiKey(env.api, owner.token, { name: 'rotating-for-members' });
    await env.api.call(
      RotateApiKeyDocument,
      { input: { id: rotating.id, gracePeriodSeconds: 3600 } },
      { token: owner.token },
    );
    await createApiKey(env.api, owner.token, { name: 'visible-to-members' });
    const member = await inviteMember(env, owner, 'MEMBER');
    const { context: other, page: reader } = await openPage(browser);
    await signIn(env, reader, { accountId: owner.accountId, email: member.email });
    await reader.getByText('visible-to-members').waitFor();
    expect(await reader.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await reader.getByRole('button', { name: /^(Edit|Rotate|Transfer|Revoke) / }).count()).toBe(0);
    await reader
      .getByRole('region', { name: 'Key health' })
      .getByRole('button', { name: /No expiry/ })
      .waitFor();
    await reader.getByRole('button', { name: 'Rotation of rotating-for-members' }).click();
    const panel = reader.getByRole('dialog', { name: 'Rotation of rotating-for-members' });
    await panel.getByText('Requests since rotation').waitFor();
    expect(await panel.getByRole('button', { name: /End grace/ }).count()).toBe(0);
    await reader.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await reader.getByRole('button', { name: 'Save policy' }).count()).toBe(0);
    await reader.getByText('Maximum lifetime').waitFor();
    await reader.getByRole('link', { name: 'Audit log' }).click();
    await reader.getByText('Only owners and admins can read the audit log.').waitFor();
    expect(await reader.getByRole('button', { name: 'Export' }).count()).toBe(0);
    await other.close();
  });

  it('edits the expiry policy as an OWNER, and the create dialog follows it', async () => {
    await page.getByLabel('Require every new key to expire').check();
    await page.getByLabel('Default lifetime (days)').fill('7');
    await page.getByLabel('Maximum lifetime (days)').fill('30');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Expiry policy saved.').waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create API key' });
    await create.getByText('Keys can live at most 30 days').waitFor();
    expect(await create.getByLabel('Never', { exact: true }).count()).toBe(0);
    expect(await create.getByLabel('90 days', { exact: true }).count()).toBe(0);
    await create.getByRole('button', { name: 'Cancel' }).click();
  });

  it('signs out: the cookie is gone and the pages ask for a new link', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/app/login');
    await page.getByText('Sign in with a link from').waitFor();
    await page.goto(`${env.api.url}/app/settings/api-keys`);
    await page.getByText('Sign in with a link from').waitFor();
    expect((await context.cookies()).filter((cookie) => cookie.name === 'kl_session')).toEqual([]);
  });
});
