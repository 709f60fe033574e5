import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Feature, PLAN_ENTITLEMENTS, Plan, RETENTION_GRACE_DAYS, retentionGraceEnd, type PlanChange } from './plans';

registerEnumType(Plan, { name: 'Plan' });
registerEnumType(Feature, { name: 'Feature', description: 'Plan-gated capabilities.' });

@ObjectType('Entitlements', {
  simpleResolvers: true,
  description: "What the account's plan includes; clients hide what it lacks.",
})
export class EntitlementsType {
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

  @Field(() => Date, {
    nullable: true,
    description: `After a plan change that shortened the audit retention, older events stay stored (not shown) until this instant, ${RETENTION_GRACE_DAYS} days after the change, and are purged after it; changing back before then shows them again. Null when nothing is held back.`,
  })
  auditHistoryKeptUntil!: Date | null;

  /** The entitlements of an account on `plan`, with what its last plan change still holds back. */
  static of(account: { plan: Plan } & PlanChange): EntitlementsType {
    const entitlements = PLAN_ENTITLEMENTS[account.plan];
    return Object.assign(new EntitlementsType(), {
      plan: account.plan,
      features: [...entitlements.features],
      maxActiveApiKeys: entitlements.maxActiveApiKeys,
      auditRetentionDays: entitlements.auditRetentionDays,
      auditHistoryKeptUntil: retentionGraceEnd(account.plan, account) ?? null,
    });
  }
}
