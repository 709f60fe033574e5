import { PlansDocument } from '../../src/client/generated/graphql';
import { PLAN_ENTITLEMENTS, PLAN_ORDER, Plan } from '../../src/entitlements/plans';
import { createApiKey, inviteMember } from '../support/fixtures';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

describe('plans', () => {
  it('lists every plan cheapest first with what plans.ts says it includes', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const result = await env.api.call(PlansDocument, {}, { token: owner.token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.plans).toEqual(
      PLAN_ORDER.map((plan) => ({
        plan,
        features: [...PLAN_ENTITLEMENTS[plan].features],
        maxActiveApiKeys: PLAN_ENTITLEMENTS[plan].maxActiveApiKeys,
        auditRetentionDays: PLAN_ENTITLEMENTS[plan].auditRetentionDays,
      })),
    );
    expect(result.data!.plans.find((entry) => entry.plan === 'STANDARD')!.maxActiveApiKeys).toBe(25);
  });

  it('answers any caller, a MEMBER or a key without a related scope alike, and refuses no caller', async () => {
    const owner = await env.seedAccount({ plan: Plan.STANDARD });
    const member = await inviteMember(env, owner, 'MEMBER');
    const key = await createApiKey(env.api, owner.token, { name: 'members only', scopes: ['MEMBERS_READ'] });
    for (const token of [member.token, key.secret]) {
      const result = await env.api.call(PlansDocument, {}, { token });
      expect(result.errors).toBeUndefined();
      expect(result.data!.plans.map((entry) => entry.plan)).toEqual([...PLAN_ORDER]);
    }
    const anonymous = await env.api.call(PlansDocument, {});
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });
});
