import {
  AccountWithAuditEventsDocument,
  AuditEventsDocument,
  ChangePlanDocument,
  CreateAuditExportDocument,
  VerifyAuditChainDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { tamperAuditEvents } from '../support/audit';
import { createApiKeys } from '../support/fixtures';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

describe('the audit log as a product', () => {
  it('gives a FREE account the rest of the response, auditEvents null and one ENTITLEMENT_REQUIRED', async () => {
    const owner = await env.seedAccount();
    const result = await env.api.call(AccountWithAuditEventsDocument, { first: 1 }, { token: owner.token });
    expect(result.data).toEqual({ account: { id: owner.accountId, name: expect.any(String) }, auditEvents: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toEqual({
      code: 'ENTITLEMENT_REQUIRED',
      feature: 'AUDIT_LOG',
      requiredPlan: 'PREMIUM',
      plan: 'FREE',
    });
  });

  it('opens the log on the next request after an upgrade, newest first, and records the viewing once', async () => {
    const owner = await env.seedAccount();
    await createApiKeys(env.api, owner.token, 2);
    await env.api.call(ChangePlanDocument, { input: { plan: 'PREMIUM' } }, { token: owner.token });
    const page = await env.api.call(AuditEventsDocument, { first: 10 }, { token: owner.token });
    expect(page.errors).toBeUndefined();
    expect(page.data!.auditEvents!.edges.map((edge) => edge.node.action)).toEqual([
      'plan.changed',
      'api_key.created',
      'api_key.created',
      'account.created',
    ]);
    await env.api.call(AuditEventsDocument, { first: 10 }, { token: owner.token });
    const viewed = await env.sql("SELECT 1 FROM audit_events WHERE account_id = $1 AND action = 'audit.viewed'", [
      owner.accountId,
    ]);
    expect(viewed).toHaveLength(1);
  });

  it('pages forwards and backwards with opaque cursors', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    await createApiKeys(env.api, owner.token, 6);
    const first = await env.api.call(AuditEventsDocument, { first: 3, order: 'OLDEST_FIRST' }, { token: owner.token });
    expect(first.data!.auditEvents!.edges.map((edge) => edge.node.seq)).toEqual([1, 2, 3]);
    const next = await env.api.call(
      AuditEventsDocument,
      { first: 3, after: first.data!.auditEvents!.pageInfo.endCursor, order: 'OLDEST_FIRST' },
      { token: owner.token },
    );
    expect(next.data!.auditEvents!.edges.map((edge) => edge.node.seq)).toEqual([4, 5, 6]);
    const back = await env.api.call(
      AuditEventsDocument,
      { last: 2, before: next.data!.auditEvents!.pageInfo.startCursor, order: 'OLDEST_FIRST' },
      { token: owner.token },
    );
    expect(back.data!.auditEvents!.edges.map((edge) => edge.node.seq)).toEqual([2, 3]);
    expect(back.data!.auditEvents!.pageInfo.hasPreviousPage).toBe(true);
    const tooMany = await env.api.call(AuditEventsDocument, { first: 501 }, { token: owner.token });
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
  });

  it('filters by action prefix', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKeys(env.api, owner.token, 2);
    const keys = await env.api.call(
      AuditEventsDocument,
      { filter: { actions: ['api_key.*'] } },
      { token: owner.token },
    );
    expect(keys.data!.auditEvents!.edges.map((edge) => edge.node.action)).toEqual([
      'api_key.created',
      'api_key.created',
    ]);
  });

  it('verifies an intact chain and names an altered event', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKeys(env.api, owner.token, 3);
    const intact = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
    expect(intact.data!.verifyAuditChain).toMatchObject({ ok: true, checkedCount: 4 });
    await tamperAuditEvents(env, [
      "UPDATE audit_events SET action = 'api_key.updated' WHERE account_id = $1 AND seq = 3",
      [owner.accountId],
    ]);
    const broken = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
    expect(broken.data!.verifyAuditChain).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it('exports NDJSON through a signed link and records the export', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    await createApiKeys(env.api, owner.token, 2);
    const created = await env.api.call(
      CreateAuditExportDocument,
      { input: { format: 'NDJSON' } },
      { token: owner.token },
    );
    expect(created.errors).toBeUndefined();
    const response = await fetch(created.data!.createAuditExport!.downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string });
    expect(lines.map((line) => line.action)).toEqual([
      'account.created',
      'api_key.created',
      'api_key.created',
      'audit.exported',
    ]);
    const tampered = await fetch(
      created.data!.createAuditExport!.downloadUrl.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    );
    expect(tampered.status).toBe(403);
  });
});
