import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { Plan } from '../../src/entitlements/plans';
import { purgeStaleSessions } from '../../src/sessions/session.service';
import { startTestEnv, type TestEnv } from '../support/harness';
import { SIGN_IN, loginCode, postGraphql, signIn, withCookie } from './session-helpers';

/**
 * The settings pages' sign-in: one-time login links exchanged for a
 * server-side session in an HttpOnly cookie, authenticated by the one
 * authenticator. Attacks first, then the path a browser takes.
 */
let env: TestEnv;

beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env.close();
});

const REFUSED = 'This sign-in link has expired or was already used; ask for a new one';
const VIEWER = '{ viewer { role user { email } account { id } } }';

function codeOf(answer: { body: { errors?: { extensions?: { code?: string } }[] } }): string | undefined {
  return answer.body.errors?.[0]?.extensions?.code;
}

describe('login links: attacks', () => {
  it('refuses a code used once already, without setting a cookie', async () => {
    const owner = await env.seedAccount();
    const { code } = await signIn(env.api, owner);
    const again = await postGraphql(env.api, SIGN_IN, { code });
    expect(codeOf(again)).toBe('UNAUTHENTICATED');
    expect(again.body.errors?.[0]?.message).toBe(REFUSED);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an expired code', async () => {
    const owner = await env.seedAccount();
    const code = await loginCode(env.api, owner.accountId, owner.email);
    await env.sql(`UPDATE login_links SET expires_at = now() - interval '1 second' WHERE account_id = $1`, [
      owner.accountId,
    ]);
    const answer = await postGraphql(env.api, SIGN_IN, { code });
    expect(answer.body.errors?.[0]?.message).toBe(REFUSED);
    expect(answer.headers.get('set-cookie')).toBeNull();
  });

  it('refuses forged, malformed and empty codes with the same answer', async () => {
    for (const code of [randomBytes(32).toString('base64url'), 'x', '', `${'A'.repeat(43)}'--`]) {
      const answer = await postGraphql(env.api, SIGN_IN, { code });
      expect(codeOf(answer)).toBe('UNAUTHENTICATED');
      expect(answer.body.errors?.[0]?.message).toBe(REFUSED);
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
  });

  it('lets only one of two simultaneous exchanges of a code succeed', async () => {
    const owner = await env.seedAccount();
    const code = await loginCode(env.api, owner.accountId, owner.email);
    const answers = await Promise.all([1, 2, 3].map(() => postGraphql(env.api, SIGN_IN, { code })));
    expect(answers.filter((answer) => answer.headers.get('set-cookie')).length).toBe(1);
    const rows = await env.sql('SELECT count(*)::int AS n FROM sessions WHERE account_id = $1', [owner.accountId]);
    expect(rows[0]!.n).toBe(1);
  });

  it('refuses to issue a link for someone who is not a member', async () => {
    const owner = await env.seedAccount();
    const other = await env.seedAccount();
    const services = env.api.app.services;
    await expect(
      services.sessions.issueLoginLink(env.api.orm.em.fork(), { accountId: owner.accountId, email: other.email }),
    ).rejects.toThrow(/is not a member of account/);
    await expect(
      services.sessions.issueLoginLink(env.api.orm.em.fork(), { accountId: 'not-an-id', email: owner.email }),
    ).rejects.toThrow(/is not a member of account/);
  });

  it('refuses a link whose member was removed before it was used', async () => {
    const owner = await env.seedAccount();
    const admin = await invite(owner.token, `admin.${Date.now()}@example.test`);
    const code = await loginCode(env.api, owner.accountId, admin.email);
    await removeMember(owner.token, admin.id);
    const answer = await postGraphql(env.api, SIGN_IN, { code });
    expect(answer.body.errors?.[0]?.message).toBe(REFUSED);
  });
});

describe('session cookie: attacks', () => {
  it('stops working on the very next request after sign-out', async () => {
    const owner = await env.seedAccount();
    const { secret } = await signIn(env.api, owner);
    expect((await postGraphql(env.api, VIEWER, {}, withCookie(secret))).body.data).toBeTruthy();
    const out = await postGraphql(env.api, 'mutation { signOut }', {}, withCookie(secret));
    expect(out.body).toEqual({ data: { signOut: true } });
    expect(out.headers.get('set-cookie')).toBe('kl_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    const after = await postGraphql(env.api, VIEWER, {}, withCookie(secret));
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    // Signing out again ends nothing more.
    expect((await postGraphql(env.api, 'mutation { signOut }', {}, withCookie(secret))).body).toEqual({
      data: { signOut: false },
    });
  });

  it('stops working at once when the member is removed, and re-inviting revives nothing', async () => {
    const owner = await env.seedAccount();
    const email = `member.${Date.now()}@example.test`;
    const member = await invite(owner.token, email);
    const { secret } = await signIn(env.api, { accountId: owner.accountId, email });
    expect((await postGraphql(env.api, VIEWER, {}, withCookie(secret))).body.data).toMatchObject({
      viewer: { role: 'ADMIN' },
    });
    await removeMember(owner.token, member.id);
    expect(codeOf(await postGraphql(env.api, VIEWER, {}, withCookie(secret)))).toBe('UNAUTHENTICATED');
    const [row] = await env.sql('SELECT ended_at FROM sessions WHERE account_id = $1 AND user_id = $2', [
      owner.accountId,
      member.id,
    ]);
    expect(row!.ended_at).toBeInstanceOf(Date);
    await invite(owner.token, email);
    expect(codeOf(await postGraphql(env.api, VIEWER, {}, withCookie(secret)))).toBe('UNAUTHENTICATED');
  });

  it('reads the role fresh on every request (a demotion applies at once)', async () => {
    const owner = await env.seedAccount();
    const email = `demoted.${Date.now()}@example.test`;
    const member = await invite(owner.token, email);
    const { secret } = await signIn(env.api, { accountId: owner.accountId, email });
    await env.api.call(
      gql('mutation($id: ID!) { changeMemberRole(input: { userId: $id, role: MEMBER }) { role } }'),
      { id: member.id },
      { token: owner.token },
    );
    expect((await postGraphql(env.api, VIEWER, {}, withCookie(secret))).body.data).toMatchObject({
      viewer: { role: 'MEMBER' },
    });
  });

  it('stops working once the session has expired', async () => {
    const owner = await env.seedAccount();
    const { secret } = await signIn(env.api, owner);
    await env.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE account_id = $1`, [
      owner.accountId,
    ]);
    expect(codeOf(await postGraphql(env.api, VIEWER, {}, withCookie(secret)))).toBe('UNAUTHENTICATED');
  });

  it('is refused by CSRF prevention in a form-style text/plain POST', async () => {
    const owner = await env.seedAccount();
    const { secret } = await signIn(env.api, owner);
    const before = await env.sql('SELECT count(*)::int AS n FROM api_keys WHERE account_id = $1', [owner.accountId]);
    const response = await fetch(`${env.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie: `kl_session=${secret}` },
      body: JSON.stringify({
        query:
          'mutation { createApiKey(input: { name: "csrf", purpose: LONG_RUNNING_WORKFLOW, scopes: [KEYS_READ] }) { secret } }',
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('kl_live_');
    const after = await env.sql('SELECT count(*)::int AS n FROM api_keys WHERE account_id = $1', [owner.accountId]);
    expect(after[0]!.n).toBe(before[0]!.n);
    // A GET without a preflight-forcing header is refused the same way.
    const get = await fetch(`${env.api.url}/graphql?query=${encodeURIComponent(VIEWER)}`, {
      headers: { cookie: `kl_session=${secret}` },
    });
    expect(get.status).toBe(400);
  });

  it('never reads another account: a cookie of account A is account A only', async () => {
    const a = await env.seedAccount({ plan: Plan.PREMIUM });
    const b = await env.seedAccount({ plan: Plan.PREMIUM });
    const created = await env.api.call(
      gql(
        'mutation { createApiKey(input: { name: "b-key", purpose: LONG_RUNNING_WORKFLOW, scopes: [KEYS_READ] }) { apiKey { id } } }',
      ),
      {},
      { token: b.token },
    );
    const bKeyId = (created.data as { createApiKey: { apiKey: { id: string } } }).createApiKey.apiKey.id;
    const { secret } = await signIn(env.api, a);
    const answer = await postGraphql(
      env.api,
      'query($id: ID!) { viewer { account { id } } apiKey(id: $id) { id } apiKeys { edges { node { id } } } }',
      { id: bKeyId },
      withCookie(secret),
    );
    expect(answer.body.data).toMatchObject({ viewer: { account: { id: a.accountId } }, apiKey: null });
    expect(JSON.stringify(answer.body)).not.toContain(bKeyId);
    const events = await postGraphql(
      env.api,
      '{ auditEvents(first: 50) { edges { node { id } } } }',
      {},
      withCookie(secret),
    );
    const ids = (events.body.data as { auditEvents: { edges: { node: { id: string } }[] } }).auditEvents.edges.map(
      (edge) => edge.node.id,
    );
    expect(ids.length).toBeGreaterThan(0);
    const owners = await env.sql('SELECT DISTINCT account_id FROM audit_events WHERE id = ANY($1::uuid[])', [ids]);
    expect(owners).toEqual([{ account_id: a.accountId }]);
  });

  it('lets a bearer token win over a cookie when both are sent, and keeps refusing a bad bearer token', async () => {
    const a = await env.seedAccount();
    const b = await env.seedAccount();
    const { secret } = await signIn(env.api, a);
    const both = await postGraphql(env.api, VIEWER, {}, withCookie(secret, { authorization: `Bearer ${b.token}` }));
    expect(both.body.data).toMatchObject({ viewer: { account: { id: b.accountId } } });
    const bad = await postGraphql(env.api, VIEWER, {}, withCookie(secret, { authorization: 'Bearer nonsense' }));
    expect(bad.status).toBe(401);
  });

  it('treats an unknown or malformed cookie as no sign-in (the sign-in page still works)', async () => {
    for (const secret of [randomBytes(32).toString('base64url'), 'x', '%00']) {
      expect(codeOf(await postGraphql(env.api, VIEWER, {}, withCookie(secret)))).toBe('UNAUTHENTICATED');
    }
    const owner = await env.seedAccount();
    const code = await loginCode(env.api, owner.accountId, owner.email);
    const answer = await postGraphql(env.api, SIGN_IN, { code }, withCookie('stale-cookie'));
    expect(answer.headers.get('set-cookie')).toMatch(/^kl_session=/);
  });

  it('keeps codes, secrets and cookies out of the database, the audit log and the logs', async () => {
    const owner = await env.seedAccount();
    const { secret, code } = await signIn(env.api, owner);
    await postGraphql(env.api, VIEWER, {}, withCookie(secret));
    await postGraphql(env.api, 'mutation { signOut }', {}, withCookie(secret));
    const dump = await env.sql<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM login_links t WHERE account_id = $1
       UNION ALL SELECT row_to_json(t)::text FROM sessions t WHERE account_id = $1
       UNION ALL SELECT row_to_json(t)::text FROM audit_events t WHERE account_id = $1`,
      [owner.accountId],
    );
    const text = dump.map((row) => row.row).join('\n') + env.api.logs.join('');
    expect(dump.length).toBeGreaterThan(3);
    expect(text).not.toContain(code);
    expect(text).not.toContain(secret);
    const [stored] = await env.sql<{ digest: string }>('SELECT digest FROM sessions WHERE account_id = $1', [
      owner.accountId,
    ]);
    expect(stored!.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('sign-in records: housekeeping', () => {
  it('purges links a day past expiry and sessions 30 days after they ended, and nothing newer', async () => {
    const owner = await env.seedAccount();
    await loginCode(env.api, owner.accountId, owner.email);
    await loginCode(env.api, owner.accountId, owner.email);
    await signIn(env.api, owner);
    const live = await signIn(env.api, owner);
    await env.sql(
      `UPDATE login_links SET expires_at = now() - interval '25 hours'
        WHERE id = (SELECT id FROM login_links WHERE account_id = $1 AND used_at IS NULL LIMIT 1)`,
      [owner.accountId],
    );
    await env.sql(
      `UPDATE sessions SET ended_at = now() - interval '31 days'
        WHERE id = (SELECT id FROM sessions WHERE account_id = $1 ORDER BY created_at LIMIT 1)`,
      [owner.accountId],
    );
    const purged = await purgeStaleSessions(env.api.orm.em.fork());
    expect(purged).toEqual({ loginLinks: 1, sessions: 1 });
    const [left] = await env.sql('SELECT count(*)::int AS n FROM sessions WHERE account_id = $1', [owner.accountId]);
    expect(left!.n).toBe(1);
    expect((await postGraphql(env.api, VIEWER, {}, withCookie(live.secret))).body.data).toBeTruthy();
  });
});

describe('sign-in: the browser path', () => {
  it('signs in with a link, sets the session cookie, answers as the member and records both events', async () => {
    const owner = await env.seedAccount();
    const { answer, setCookie, secret } = await signIn(env.api, owner);
    expect(setCookie).toMatch(/^kl_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
    expect(setCookie).not.toContain('Secure');
    const payload = (answer.body.data as { signInWithLoginLink: { sessionExpiresAt: string; viewer: unknown } })
      .signInWithLoginLink;
    expect(payload.viewer).toEqual({
      role: 'OWNER',
      user: { id: owner.userId, email: owner.email },
      account: { id: owner.accountId },
    });
    const hours = (Date.parse(payload.sessionExpiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);

    const viewer = await postGraphql(env.api, VIEWER, {}, withCookie(secret, { 'user-agent': 'settings-test' }));
    expect(viewer.body.data).toEqual({
      viewer: { role: 'OWNER', user: { email: owner.email }, account: { id: owner.accountId } },
    });
    await postGraphql(env.api, 'mutation { signOut }', {}, withCookie(secret));

    const events = await env.sql<{ action: string; actor_type: string; actor_id: string; target_id: string }>(
      `SELECT action, actor_type, actor_id, target_id FROM audit_events
        WHERE account_id = $1 AND action LIKE 'session.%' ORDER BY seq`,
      [owner.accountId],
    );
    expect(events).toEqual([
      { action: 'session.signed_in', actor_type: 'USER', actor_id: owner.userId, target_id: owner.userId },
      { action: 'session.signed_out', actor_type: 'USER', actor_id: owner.userId, target_id: owner.userId },
    ]);
  });

  it('marks the cookie Secure when PUBLIC_URL is https, and builds links from it', async () => {
    const instance = await env.startInstance({ PUBLIC_URL: 'https://keys.example.test' });
    const owner = await env.seedAccount();
    const link = await instance.app.services.sessions.issueLoginLink(instance.orm.em.fork(), {
      accountId: owner.accountId,
      email: owner.email.toUpperCase(),
    });
    expect(link.url).toBe(`https://keys.example.test/app/login#code=${link.code}`);
    expect((link.expiresAt.getTime() - Date.now()) / 60_000).toBeCloseTo(10, 0);
    const answer = await postGraphql(instance, SIGN_IN, { code: link.code });
    expect(answer.headers.get('set-cookie')).toMatch(/; Secure$/);
  });
});

/** The harness's call takes a typed document; these operations are not among the partner's. */
function gql(query: string): TypedDocumentNode<unknown, Record<string, unknown>> {
  return parse(query);
}

async function invite(token: string, email: string): Promise<{ id: string; email: string }> {
  const answer = await env.api.call(
    gql('mutation($email: String!) { inviteMember(input: { email: $email, role: ADMIN }) { user { id email } } }'),
    { email },
    { token },
  );
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return (answer.data as { inviteMember: { user: { id: string; email: string } } }).inviteMember.user;
}

async function removeMember(token: string, userId: string): Promise<void> {
  const answer = await env.api.call(
    gql('mutation($id: ID!) { removeMember(input: { userId: $id }) }'),
    { id: userId },
    { token },
  );
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
}
