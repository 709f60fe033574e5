import { Authorized, Query, Resolver } from 'type-graphql';
import { PlanEntitlementsType } from './entitlements.types';
import { PLAN_ORDER } from './plans';

/** The plans and what each includes, read from the one table (`plans.ts`), so no client keeps a copy. */
@Resolver(() => PlanEntitlementsType)
export class PlansResolver {
  // Pricing facts are public, but every query needs a caller (README, Authentication); no role or scope is asked.
  @Authorized()
  @Query(() => [PlanEntitlementsType], {
    description: 'Every plan, cheapest first, with what it includes (any caller; no scope needed).',
  })
  plans(): PlanEntitlementsType[] {
    return PLAN_ORDER.map((plan) => PlanEntitlementsType.ofPlan(plan));
  }
}
