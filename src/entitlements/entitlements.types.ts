import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Feature, PLAN_ENTITLEMENTS, Plan } from './plans';

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

  static of(plan: Plan): EntitlementsType {
    const entitlements = PLAN_ENTITLEMENTS[plan];
    return Object.assign(new EntitlementsType(), {
      plan,
      features: [...entitlements.features],
      maxActiveApiKeys: entitlements.maxActiveApiKeys,
      auditRetentionDays: entitlements.auditRetentionDays,
    });
  }
}
