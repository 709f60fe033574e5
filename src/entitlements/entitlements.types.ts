import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Feature, PLAN_ENTITLEMENTS, Plan, RETENTION_GRACE_DAYS, retentionGraceEnd, type PlanChange } from './plans';

registerEnumType(Plan, { name: 'Plan' });
registerEnumType(Feature, { name: 'Feature', description: 'Plan-gated capabilities.' });

@ObjectType('PlanEntitlements', {
  simpleResolvers: true,
  description: 'What a plan includes, as the one table in code says (the pricing page’s facts).',
})
export class PlanEntitlementsType {
  @Field(() => Plan)
  plan!: Plan;

  @Field(() => [Feature])
  features!: Feature[];

  @Field(() => Int)
  maxActiveApiKeys!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Days of audit history visible; null when the log is not included.',
  })
  auditRetentionDays!: number | null;

  /** What `plan` includes, from `PLAN_ENTITLEMENTS`. */
  static ofPlan(plan: Plan): PlanEntitlementsType {
    return Object.assign(new PlanEntitlementsType(), PlanEntitlementsType.fieldsOf(plan));
  }

  protected static fieldsOf(
    plan: Plan,
  ): Pick<PlanEntitlementsType, 'plan' | 'features' | 'maxActiveApiKeys' | 'auditRetentionDays'> {
    const entitlements = PLAN_ENTITLEMENTS[plan];
    return {
      plan,
      features: [...entitlements.features],
      maxActiveApiKeys: entitlements.maxActiveApiKeys,
      auditRetentionDays: entitlements.auditRetentionDays,
    };
  }
}

@ObjectType('Entitlements', {
  simpleResolvers: true,
  description: "What the account's plan includes; clients hide what it lacks.",
})
export class EntitlementsType extends PlanEntitlementsType {
  @Field(() => Date, {
    nullable: true,
    description: `After a plan change that shortened the audit retention, older events stay stored (not shown) until this instant, ${RETENTION_GRACE_DAYS} days after the change, and are purged after it; changing back before then shows them again. Null when nothing is held back.`,
  })
  auditHistoryKeptUntil!: Date | null;

  /** The entitlements of an account on `plan`, with what its last plan change still holds back. */
  static of(account: { plan: Plan } & PlanChange): EntitlementsType {
    return Object.assign(new EntitlementsType(), {
      ...PlanEntitlementsType.fieldsOf(account.plan),
      auditHistoryKeptUntil: retentionGraceEnd(account.plan, account) ?? null,
    });
  }
}
