import { AuditEventStreamDocument, ChangePlanDocument, CreateApiKeyDocument } from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { startTestEnv, type TestEnv } from '../support/harness';
import { connectWs } from '../support/ws';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

it('streams live events', async () => {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  const ws = connectWs(env.api, owner.token);
  const sub = ws.subscribe(AuditEventStreamDocument, {});
  await new Promise((r) => setTimeout(r, 200));
  await env.api.call(CreateApiKeyDocument, { input: { name: 'k', purpose: 'TEAM_HANDOFF', scopes: ['KEYS_READ'] } }, { token: owner.token });
  const got = await sub.waitFor(1);
  expect(got[0]!.auditEvents.action).toBe('api_key.created');
  const replay = ws.subscribe(AuditEventStreamDocument, { after: null as never });
  void replay;
  await env.api.call(ChangePlanDocument, { input: { plan: 'FREE' } }, { token: owner.token });
  const closed = await ws.closed;
  expect(closed.code).toBe(4403);
  await ws.dispose();
});

it('refuses FREE with an error message and keeps the socket', async () => {
  const owner = await env.seedAccount();
  const ws = connectWs(env.api, owner.token);
  const sub = ws.subscribe(AuditEventStreamDocument, {});
  expect(await sub.ended).toBe('error');
  expect(sub.errors[0]!.extensions!.code).toBe('ENTITLEMENT_REQUIRED');
  await ws.dispose();
});

it('closes 4401 without credentials', async () => {
  const ws = connectWs(env.api, undefined);
  expect((await ws.closed).code).toBe(4401);
});
