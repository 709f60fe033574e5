import { CreateApiKeyDocument } from '../../src/client/generated/graphql';
import { PLAN_ENTITLEMENTS, Plan } from '../../src/entitlements/plans';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

function createKey(token: string, name: string) {
  return env.api.call(
    CreateApiKeyDocument,
    { input: { name, purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'] } },
    { token },
  );
}

async function activeKeys(accountId: string): Promise<number> {
  const [row] = await env.sql<{ n: number }>(
    'SELECT count(*)::int AS n FROM api_keys WHERE account_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())',
    [accountId],
  );
  return row!.n;
}

describe('active key quota under concurrency', () => {
  it('lets exactly 3 of 10 concurrent creates succeed on a FREE account with no keys; the rest are QUOTA_EXCEEDED', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => createKey(owner.token, `racer ${i}`)));

    const codes = results.map((result) => (result.errors === undefined ? 'OK' : errorCodes(result).join(',')));
    expect(codes.filter((code) => code === 'OK')).toHaveLength(3);
    expect(codes.filter((code) => code !== 'OK')).toEqual(Array(7).fill('QUOTA_EXCEEDED'));
    expect(await activeKeys(owner.accountId)).toBe(3);
    const [events] = await env.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_events WHERE account_id = $1 AND action = 'api_key.created' AND outcome = 'SUCCESS'",
      [owner.accountId],
    );
    expect(events!.n).toBe(3);
  });
});

describe('active key quota of each paid plan', () => {
  it.each([Plan.STANDARD, Plan.PREMIUM, Plan.ENTERPRISE])(
    'lets a %s account create its last allowed key over the API and refuses the one after',
    async (plan) => {
      const limit = PLAN_ENTITLEMENTS[plan].maxActiveApiKeys;
      const owner = await env.seedAccount({ plan });
      // All but the last allowed key, inserted directly: creating hundreds over the API is not what is tested.
      await env.sql(
        `INSERT INTO api_keys (id, account_id, name, purpose, scopes, digest, display_key, created_at, created_by_id, expires_at)
         SELECT gen_random_uuid(), $1::uuid, 'filler ' || n, 'TEAM_HANDOFF', '{keys:read}', md5($1::text || n),
                'kl_live_fill…er', now(), $2::uuid, now() + interval '30 days'
           FROM generate_series(1, $3::int) AS n`,
        [owner.accountId, owner.userId, limit - 1],
      );
      // A revoked and an expired key do not count.
      await env.sql(
        `INSERT INTO api_keys (id, account_id, name, purpose, digest, display_key, created_at, expires_at, revoked_at)
         VALUES (gen_random_uuid(), $1::uuid, 'revoked', 'TEAM_HANDOFF', md5($1::text || 'r'), 'x', now(), NULL, now()),
                (gen_random_uuid(), $1::uuid, 'expired', 'TEAM_HANDOFF', md5($1::text || 'e'), 'x', now(),
                 now() - interval '1 second', NULL)`,
        [owner.accountId],
      );

      const last = await createKey(owner.token, 'the last allowed');
      expect(last.errors).toBeUndefined();
      expect(await activeKeys(owner.accountId)).toBe(limit);

      const refused = await createKey(owner.token, 'one too many');
      expect(errorCodes(refused)).toEqual(['QUOTA_EXCEEDED']);
      expect(refused.errors![0]!.extensions).toMatchObject({ limit });
      expect(await activeKeys(owner.accountId)).toBe(limit);
    },
  );
});
