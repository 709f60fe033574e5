import { parse, print } from 'graphql';
import WebSocket from 'ws';
import { AuditEventStreamDocument, RemoveMemberDocument } from '../../src/client/generated/graphql';
import { Role } from '../../src/auth/permissions';
import { Plan } from '../../src/entitlements/plans';
import { createApiKey, inviteMember } from '../support/fixtures';
import { startTestEnv, type SeededAccount, type TestEnv } from '../support/harness';
import { sleep, within } from '../support/wait';
import { connectWs, type WsConnection } from '../support/ws';
import { postGraphql, signIn, withCookie } from './session-helpers';

/**
 * The settings pages' live feed: graphql-ws authenticated by the upgrade's
 * session cookie, only from the service's own Origin (cross-site WebSocket
 * hijacking), and closed once the session ends.
 */
let env: TestEnv;
const open: WsConnection[] = [];

beforeAll(async () => {
  env = await startTestEnv({ WS_REVALIDATE_MS: '300' });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((ws) => ws.dispose()));
});
afterAll(() => env.close());

function connect(headers: Record<string, string>, token?: string): WsConnection {
  const ws = connectWs(env.api, token, { headers });
  open.push(ws);
  return ws;
}

/** The answer to a raw upgrade: the HTTP status when refused, or 101 when the socket opened. */
function upgradeStatus(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${env.api.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.on('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

async function premiumOwner(): Promise<SeededAccount & { secret: string }> {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  const { secret } = await signIn(env.api, owner);
  return { ...owner, secret };
}

/** Subscribes and proves it live: an event written afterwards arrives. */
async function liveFeed(ws: WsConnection, owner: SeededAccount) {
  const sub = ws.subscribe(AuditEventStreamDocument, {});
  await sleep(200);
  const probe = await createApiKey(env.api, owner.token, { name: `probe ${Date.now()}` });
  await sub.waitFor(1, 5_000);
  expect(sub.results[0]!.auditEvents).toMatchObject({ action: 'api_key.created', target: { id: probe.apiKey.id } });
  return sub;
}

describe('session cookie over WebSocket: attacks', () => {
  it('refuses with 403, before any WebSocket, an upgrade from a foreign Origin carrying a valid session cookie', async () => {
    const owner = await premiumOwner();
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example', 'null', `${env.api.url}.evil`]) {
      const answer = await upgradeStatus({ origin, cookie: `kl_session=${owner.secret}` });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatch(/Origin .* is not this service/);
    }
  });

  it('never takes the cookie without an Origin, or from a foreign Origin: 4401 without a bearer token', async () => {
    const owner = await premiumOwner();
    const noOrigin = connect({ cookie: `kl_session=${owner.secret}` });
    expect(await noOrigin.acked).toBe(false);
    expect((await noOrigin.closed).code).toBe(4401);
    // A foreign page without the cookie can only use a bearer token it holds itself.
    const foreign = connect({ origin: 'https://dashboard.example' });
    expect(await foreign.acked).toBe(false);
    expect((await foreign.closed).code).toBe(4401);
    const withToken = connect({ origin: 'https://dashboard.example' }, owner.token);
    expect(await withToken.acked).toBe(true);
  });

  it('closes a cookie socket with 4403 once the session is signed out', async () => {
    const owner = await premiumOwner();
    const ws = connect({ origin: env.api.url, cookie: `kl_session=${owner.secret}` });
    expect(await ws.acked).toBe(true);
    await liveFeed(ws, owner);
    await postGraphql(env.api, 'mutation { signOut }', {}, withCookie(owner.secret));
    const closed = await within(ws.closed, 'socket closed after sign-out', 5_000);
    expect(closed).toEqual({ code: 4403, reason: 'Session has ended: sign in again' });
  });

  it('closes a cookie socket with 4403 once the member is removed', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const admin = await inviteMember(env, owner, Role.ADMIN);
    const { secret } = await signIn(env.api, { accountId: owner.accountId, email: admin.email });
    const ws = connect({ origin: env.api.url, cookie: `kl_session=${secret}` });
    await liveFeed(ws, owner);
    const removed = await env.api.call(
      RemoveMemberDocument,
      { input: { userId: admin.userId } },
      { token: owner.token },
    );
    expect(removed.errors).toBeUndefined();
    expect((await within(ws.closed, 'socket closed after removal', 5_000)).code).toBe(4403);
  });

  it('refuses an ended session at connect', async () => {
    const owner = await premiumOwner();
    await postGraphql(env.api, 'mutation { signOut }', {}, withCookie(owner.secret));
    const ws = connect({ origin: env.api.url, cookie: `kl_session=${owner.secret}` });
    expect(await ws.acked).toBe(false);
    expect(await ws.closed).toEqual({ code: 4401, reason: 'Unauthorized: Session has ended: sign in again' });
  });
});

describe('session cookie over WebSocket: the browser path', () => {
  it('authenticates a same-Origin socket by its cookie and streams the account’s live events', async () => {
    const owner = await premiumOwner();
    const ws = connect({ origin: env.api.url, cookie: `kl_session=${owner.secret}` });
    expect(await ws.acked).toBe(true);
    await liveFeed(ws, owner);
  });

  it('refuses to sign in over WebSocket (the answer must set a cookie)', async () => {
    const owner = await premiumOwner();
    const ws = connect({ origin: env.api.url, cookie: `kl_session=${owner.secret}` });
    const result = await new Promise<unknown>((resolve) => {
      ws.client.subscribe(
        { query: print(parse('mutation { signOut }')) },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    expect(result).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });
});
