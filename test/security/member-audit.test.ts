import {
  AuditEventsDocument,
  CreateAuditExportDocument,
  VerifyAuditChainDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows, lastAuditSeq } from '../support/audit';
import { inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';

// A MEMBER of a PREMIUM account (the plan has every audit feature) asks for the log, its proof and an export
// over HTTP: each is refused by role, with one DENIED row where the attempt is sensitive, and nothing is exported.

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

describe('a MEMBER over HTTP', () => {
  it('is refused auditEvents, verifyAuditChain and createAuditExport with FORBIDDEN, and nothing is exported', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const member = await inviteMember(env, owner, 'MEMBER');
    const before = await lastAuditSeq(env, owner.accountId);

    const page = await env.api.call(AuditEventsDocument, { first: 10 }, { token: member.token });
    expect(errorCodes(page)).toEqual(['FORBIDDEN']);
    expect(page.data?.auditEvents ?? null).toBeNull();

    const proof = await env.api.call(VerifyAuditChainDocument, {}, { token: member.token });
    expect(errorCodes(proof)).toEqual(['FORBIDDEN']);
    expect(proof.data?.verifyAuditChain ?? null).toBeNull();

    const exported = await env.api.call(
      CreateAuditExportDocument,
      { input: { format: 'CSV' } },
      { token: member.token },
    );
    expect(errorCodes(exported)).toEqual(['FORBIDDEN']);
    expect(exported.data?.createAuditExport ?? null).toBeNull();

    expect(await env.sql('SELECT id FROM audit_exports WHERE account_id = $1', [owner.accountId])).toEqual([]);
    // Reads leave no audit.viewed for a refused caller; the refused export is a DENIED attempt.
    const rows = await auditRows(env, owner.accountId, ['action', 'outcome', 'actor_id'], { afterSeq: before });
    expect(rows.filter((row) => row.action === 'audit.viewed')).toEqual([]);
    expect(rows.filter((row) => row.outcome === 'SUCCESS' && row.actor_id === member.userId)).toEqual([]);
  });

  it('is the role: an ADMIN of the same account reads the log', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const member = await inviteMember(env, owner, 'ADMIN');
    const page = await env.api.call(AuditEventsDocument, { first: 10 }, { token: member.token });
    expect(page.errors).toBeUndefined();
    expect(page.data?.auditEvents?.edges.length).toBeGreaterThan(0);
  });
});
