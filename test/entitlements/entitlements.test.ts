import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type DirectiveDefinitionNode,
} from 'graphql';
import {
  AccountDocument,
  AccountWithAuditEventsDocument,
  type ApiKeyScope,
  AuditEventsDocument,
  ChangePlanDocument,
  CreateAuditExportDocument,
  EntitlementsDocument,
  type Feature,
  VerifyAuditChainDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { auditRows } from '../support/audit';
import { createApiKey } from '../support/fixtures';
import { errorCodes, startTestEnv, type GraphQLResult, type Instance, type TestEnv } from '../support/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Creates an API key with `scopes` as `ownerToken`'s caller and returns its secret. */
async function createKey(ownerToken: string, scopes: ApiKeyScope[]): Promise<string> {
  return (await createApiKey(env.api, ownerToken, { name: `key ${scopes.join(' ')}`, scopes })).secret;
}

/** The account's audit rows of `action`, outcome only. */
function auditOutcomes(accountId: string, action: string) {
  return auditRows(env, accountId, ['outcome'], { action });
}

async function exportRowCount(accountId: string): Promise<number> {
  const [row] = await env.sql<{ count: string }>('SELECT count(*) FROM audit_exports WHERE account_id = $1', [
    accountId,
  ]);
  return Number(row!.count);
}

/** Asserts the one ENTITLEMENT_REQUIRED error a plan without `feature` gets for `field`, and that the field is null. */
function expectEntitlementRequired(result: GraphQLResult<unknown>, field: string, feature: Feature, plan: Plan): void {
  expect(result.status).toBe(200);
  expect(result.data).toMatchObject({ [field]: null });
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]!.path).toEqual([field]);
  expect(result.errors![0]!.extensions).toEqual({
    code: 'ENTITLEMENT_REQUIRED',
    feature,
    requiredPlan: 'PREMIUM',
    plan,
  });
}

type GatedField = 'auditEvents' | 'verifyAuditChain' | 'createAuditExport';

interface Gate {
  feature: Feature;
  /** The scope an API key needs besides the plan. */
  scope: ApiKeyScope;
  /** What a key lacking `scope` holds instead: the other audit scope, so the two are shown to be distinct. */
  otherScopes: ApiKeyScope[];
  call(token: string, instance?: Instance): Promise<GraphQLResult<unknown>>;
  /** Asserts a granted answer, given the actions the account's log held before the call (oldest first). */
  expectGranted(result: GraphQLResult<unknown>, accountId: string, actionsBefore: string[]): Promise<void>;
}

const GATES: Record<GatedField, Gate> = {
  auditEvents: {
    feature: 'AUDIT_LOG',
    scope: 'AUDIT_READ',
    otherScopes: ['KEYS_READ', 'AUDIT_EXPORT'],
    call: (token, instance = env.api) => instance.call(AuditEventsDocument, { first: 10 }, { token }),
    async expectGranted(result, _accountId, actionsBefore) {
      expect(result.errors).toBeUndefined();
      const { auditEvents } = result.data as { auditEvents: { edges: { node: { action: string } }[] } };
      expect(auditEvents.edges.map((edge) => edge.node.action)).toEqual([...actionsBefore].reverse());
    },
  },
  verifyAuditChain: {
    feature: 'AUDIT_LOG',
    scope: 'AUDIT_READ',
    otherScopes: ['KEYS_READ', 'AUDIT_EXPORT'],
    call: (token, instance = env.api) => instance.call(VerifyAuditChainDocument, {}, { token }),
    async expectGranted(result, _accountId, actionsBefore) {
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        verifyAuditChain: {
          ok: true,
          checkedCount: actionsBefore.length,
          firstBrokenSeq: null,
          firstBrokenEventId: null,
          reason: null,
          brokenRanges: [],
          brokenRangeCount: 0,
        },
      });
    },
  },
  createAuditExport: {
    feature: 'AUDIT_EXPORT',
    scope: 'AUDIT_EXPORT',
    otherScopes: ['KEYS_READ', 'AUDIT_READ'],
    call: (token, instance = env.api) =>
      instance.call(CreateAuditExportDocument, { input: { format: 'NDJSON' } }, { token }),
    async expectGranted(result, accountId) {
      expect(result.errors).toBeUndefined();
      const { createAuditExport } = result.data as {
        createAuditExport: { id: string; format: string; downloadUrl: string };
      };
      expect(createAuditExport.id).toMatch(UUID);
      expect(createAuditExport.format).toBe('NDJSON');
      expect(createAuditExport.downloadUrl).toContain(`/exports/${createAuditExport.id}?sig=`);
      expect(await exportRowCount(accountId)).toBe(1);
      expect(await auditOutcomes(accountId, 'audit.exported')).toEqual([{ outcome: 'SUCCESS' }]);
    },
  },
};

type Caller = 'OWNER session' | 'API key with the scope' | 'API key without the scope';
type Outcome = 'data' | 'ENTITLEMENT_REQUIRED' | 'FORBIDDEN';

const PLANS = [Plan.FREE, Plan.STANDARD, Plan.PREMIUM, Plan.ENTERPRISE];
const CALLERS: Caller[] = ['OWNER session', 'API key with the scope', 'API key without the scope'];
const FIELDS = Object.keys(GATES) as GatedField[];

function outcomeOf(plan: Plan, caller: Caller): Outcome {
  // The plan is checked before the key's scopes: a FREE key without the scope is told to upgrade.
  if (plan === Plan.FREE || plan === Plan.STANDARD) return 'ENTITLEMENT_REQUIRED';
  return caller === 'API key without the scope' ? 'FORBIDDEN' : 'data';
}

const MATRIX = FIELDS.flatMap((field) =>
  PLANS.flatMap((plan) =>
    CALLERS.map((caller) => {
      const outcome = outcomeOf(plan, caller);
      const who =
        caller === 'OWNER session' ? 'an OWNER session' : `an ${caller.replace('the scope', GATES[field].scope)}`;
      const answer = outcome === 'data' ? 'answers with data' : `answers null with ${outcome}`;
      return { title: `${field} on ${plan} for ${who} ${answer}`, field, plan, caller, outcome };
    }),
  ),
);

describe('plan gating of the audit fields', () => {
  it.each(MATRIX)('$title', async ({ field, plan, caller, outcome }) => {
    const gate = GATES[field];
    const owner = await env.seedAccount({ plan });
    const actionsBefore = ['account.created'];
    let token = owner.token;
    if (caller !== 'OWNER session') {
      token = await createKey(owner.token, caller === 'API key with the scope' ? [gate.scope] : gate.otherScopes);
      actionsBefore.push('api_key.created');
    }

    const result = await gate.call(token);

    if (outcome === 'ENTITLEMENT_REQUIRED') {
      expectEntitlementRequired(result, field, gate.feature, plan);
    } else if (outcome === 'FORBIDDEN') {
      expect(result.data).toEqual({ [field]: null });
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
      expect(result.errors![0]!.path).toEqual([field]);
      expect(await exportRowCount(owner.accountId)).toBe(0);
    } else {
      await gate.expectGranted(result, owner.accountId, actionsBefore);
    }
  });
});

describe('partial responses', () => {
  it.each([Plan.FREE, Plan.STANDARD])(
    'on %s resolves the account and nulls only auditEvents, with one error',
    async (plan) => {
      const owner = await env.seedAccount({ plan, name: 'Partial Ltd' });
      const result = await env.api.call(AccountWithAuditEventsDocument, { first: 1 }, { token: owner.token });
      expect(result.data).toEqual({ account: { id: owner.accountId, name: 'Partial Ltd' }, auditEvents: null });
      expectEntitlementRequired(result, 'auditEvents', 'AUDIT_LOG', plan);
    },
  );

  it('gives a FREE API key with audit:read the account name and the same single error', async () => {
    const owner = await env.seedAccount({ name: 'Keyed Ltd' });
    const secret = await createKey(owner.token, ['AUDIT_READ']);
    const result = await env.api.call(AccountWithAuditEventsDocument, { first: 1 }, { token: secret });
    expect(result.data).toEqual({ account: { id: owner.accountId, name: 'Keyed Ltd' }, auditEvents: null });
    expectEntitlementRequired(result, 'auditEvents', 'AUDIT_LOG', Plan.FREE);
  });
});

describe('entitlements as clients see them', () => {
  const AUDIT_FEATURES = ['AUDIT_EXPORT', 'AUDIT_LOG', 'AUDIT_STREAM'];
  const TABLE = [
    { plan: Plan.FREE, features: [], maxActiveApiKeys: 3, auditRetentionDays: null, auditHistoryKeptUntil: null },
    { plan: Plan.STANDARD, features: [], maxActiveApiKeys: 25, auditRetentionDays: null, auditHistoryKeptUntil: null },
    {
      plan: Plan.PREMIUM,
      features: AUDIT_FEATURES,
      maxActiveApiKeys: 100,
      auditRetentionDays: 90,
      auditHistoryKeptUntil: null,
    },
    {
      plan: Plan.ENTERPRISE,
      features: AUDIT_FEATURES,
      maxActiveApiKeys: 1000,
      auditRetentionDays: 400,
      auditHistoryKeptUntil: null,
    },
  ];

  it.each(TABLE)(
    'reports $plan as features $features, $maxActiveApiKeys active keys, retention $auditRetentionDays, to users and API keys alike',
    async (expected) => {
      const owner = await env.seedAccount({ plan: expected.plan });
      // No audit scopes: what the plan includes is not itself gated.
      const secret = await createKey(owner.token, ['SETTINGS_READ', 'MEMBERS_READ']);
      const sorted = <T extends { features: string[] }>(entitlements: T): T => ({
        ...entitlements,
        features: [...entitlements.features].sort(),
      });

      for (const token of [owner.token, secret]) {
        const viaQuery = await env.api.call(EntitlementsDocument, {}, { token });
        expect(viaQuery.errors).toBeUndefined();
        expect(sorted(viaQuery.data!.entitlements)).toEqual(expected);

        const viaAccount = await env.api.call(AccountDocument, {}, { token });
        expect(viaAccount.errors).toBeUndefined();
        // The account document does not select the downgrade grace.
        expect(sorted(viaAccount.data!.account.entitlements)).toEqual({
          ...expected,
          auditHistoryKeptUntil: undefined,
        });
      }
    },
  );
});

describe('plan changes', () => {
  it('opens the audit log on the very next request after an upgrade to PREMIUM, for the user and a key', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const secret = await createKey(owner.token, ['AUDIT_READ']);
    for (const token of [owner.token, secret]) {
      expectEntitlementRequired(await GATES.auditEvents.call(token), 'auditEvents', 'AUDIT_LOG', Plan.FREE);
    }

    const upgraded = await env.api.call(ChangePlanDocument, { input: { plan: 'PREMIUM' } }, { token: owner.token });
    expect(upgraded.errors).toBeUndefined();

    for (const token of [owner.token, secret]) {
      const result = await GATES.auditEvents.call(token);
      expect(result.errors).toBeUndefined();
      const { auditEvents } = result.data as { auditEvents: { edges: { node: { action: string } }[] } };
      expect(auditEvents.edges.map((edge) => edge.node.action)).toContain('plan.changed');
    }
  });

  it('closes the audit log on the very next request after a downgrade to FREE, naming the new plan', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const secret = await createKey(owner.token, ['AUDIT_READ', 'AUDIT_EXPORT']);
    for (const token of [owner.token, secret]) {
      expect((await GATES.auditEvents.call(token)).errors).toBeUndefined();
    }

    const downgraded = await env.api.call(ChangePlanDocument, { input: { plan: 'FREE' } }, { token: owner.token });
    expect(downgraded.errors).toBeUndefined();

    for (const token of [owner.token, secret]) {
      expectEntitlementRequired(await GATES.auditEvents.call(token), 'auditEvents', 'AUDIT_LOG', Plan.FREE);
      expectEntitlementRequired(await GATES.verifyAuditChain.call(token), 'verifyAuditChain', 'AUDIT_LOG', Plan.FREE);
      expectEntitlementRequired(
        await GATES.createAuditExport.call(token),
        'createAuditExport',
        'AUDIT_EXPORT',
        Plan.FREE,
      );
    }
  });

  it('applies a plan change made on one instance to the next request on another that served the account before', async () => {
    const second = await env.startInstance();
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const secret = await createKey(owner.token, ['AUDIT_READ']);
    for (const token of [owner.token, secret]) {
      expectEntitlementRequired(await GATES.auditEvents.call(token, second), 'auditEvents', 'AUDIT_LOG', Plan.FREE);
    }

    await env.api.call(ChangePlanDocument, { input: { plan: 'PREMIUM' } }, { token: owner.token });
    for (const token of [owner.token, secret]) {
      expect((await GATES.auditEvents.call(token, second)).errors).toBeUndefined();
    }

    await env.api.call(ChangePlanDocument, { input: { plan: 'FREE' } }, { token: owner.token });
    for (const token of [owner.token, secret]) {
      expectEntitlementRequired(await GATES.auditEvents.call(token, second), 'auditEvents', 'AUDIT_LOG', Plan.FREE);
    }
  });
});

describe('a denied gated mutation', () => {
  it('writes no export and no audit.exported event on FREE, for the user or a key with audit:export', async () => {
    const owner = await env.seedAccount({ plan: Plan.FREE });
    const secret = await createKey(owner.token, ['AUDIT_EXPORT']);
    for (const token of [owner.token, secret]) {
      const denied = await env.api.call(
        CreateAuditExportDocument,
        { input: { format: 'CSV', filter: { actions: ['api_key.*'] } } },
        { token },
      );
      expectEntitlementRequired(denied, 'createAuditExport', 'AUDIT_EXPORT', Plan.FREE);
    }
    expect(await exportRowCount(owner.accountId)).toBe(0);
    expect(await auditOutcomes(owner.accountId, 'audit.exported')).toEqual([]);

    // The same call after an upgrade does write both, so the checks above can see them.
    await env.api.call(ChangePlanDocument, { input: { plan: 'PREMIUM' } }, { token: owner.token });
    const allowed = await env.api.call(CreateAuditExportDocument, { input: { format: 'CSV' } }, { token: secret });
    expect(allowed.errors).toBeUndefined();
    expect(await exportRowCount(owner.accountId)).toBe(1);
    expect(await auditOutcomes(owner.accountId, 'audit.exported')).toEqual([{ outcome: 'SUCCESS' }]);
  });
});

describe('the committed SDL', () => {
  const sdl = readFileSync(join(__dirname, '../../schema/schema.graphql'), 'utf8');
  const schema = buildSchema(sdl);

  function entitledFeatureOf(directives: readonly ConstDirectiveNode[] | undefined): string | undefined {
    const directive = directives?.find((node) => node.name.value === 'entitled');
    if (!directive) return undefined;
    const argument = directive.arguments?.find((arg) => arg.name.value === 'feature');
    return argument?.value.kind === Kind.ENUM ? argument.value.value : `<${argument?.value.kind ?? 'missing'}>`;
  }

  it('declares directive @entitled(feature: Feature!) on FIELD_DEFINITION | OBJECT', () => {
    expect(sdl.split('\n')).toContain('directive @entitled(feature: Feature!) on FIELD_DEFINITION | OBJECT');
    const definition = parse(sdl).definitions.find(
      (node): node is DirectiveDefinitionNode =>
        node.kind === Kind.DIRECTIVE_DEFINITION && node.name.value === 'entitled',
    );
    expect(definition).toBeDefined();
    expect(definition!.arguments?.map((arg) => [arg.name.value, arg.type.kind])).toEqual([
      ['feature', Kind.NON_NULL_TYPE],
    ]);
    expect(definition!.locations.map((location) => location.value)).toEqual(['FIELD_DEFINITION', 'OBJECT']);
    expect(String(schema.getDirective('entitled')!.args[0]!.type)).toBe('Feature!');
  });

  it('gates auditEvents and verifyAuditChain by AUDIT_LOG and createAuditExport by AUDIT_EXPORT', () => {
    const featureOf = (typeName: 'Query' | 'Mutation', field: string) => {
      const type = typeName === 'Query' ? schema.getQueryType() : schema.getMutationType();
      return entitledFeatureOf(type!.getFields()[field]!.astNode?.directives);
    };
    expect(featureOf('Query', 'auditEvents')).toBe('AUDIT_LOG');
    expect(featureOf('Query', 'verifyAuditChain')).toBe('AUDIT_LOG');
    expect(featureOf('Mutation', 'createAuditExport')).toBe('AUDIT_EXPORT');
  });

  it('makes every gated query and mutation field nullable, so a refusal never nulls its parent', () => {
    const gated: string[] = [];
    const nonNull: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      // A refused subscription is an `error` message, never a null field: the contract keeps AuditEvent! there.
      if (type === schema.getSubscriptionType()) continue;
      for (const field of Object.values(type.getFields())) {
        const returned = getNamedType(field.type);
        // A field is gated by its own @entitled or by returning an object type that carries one.
        const feature =
          entitledFeatureOf(field.astNode?.directives) ??
          (isObjectType(returned) ? entitledFeatureOf(returned.astNode?.directives) : undefined);
        if (!feature) continue;
        gated.push(`${type.name}.${field.name}`);
        if (isNonNullType(field.type)) nonNull.push(`${type.name}.${field.name}: ${String(field.type)}`);
      }
    }
    expect(gated).toEqual(
      expect.arrayContaining(['Query.auditEvents', 'Query.verifyAuditChain', 'Mutation.createAuditExport']),
    );
    expect(nonNull).toEqual([]);
  });
});
