import type { Plan } from '../gql/graphql';

/** How the pages name each plan. What a plan includes comes from the API's `plans`, never from here. */
export const PLAN_LABELS: Record<Plan, string> = {
  FREE: 'Free',
  STANDARD: 'Standard',
  PREMIUM: 'Premium',
  ENTERPRISE: 'Enterprise',
};

/** The cheapest plan (the API lists them cheapest first) allowing more active keys than `limit`. */
export function planAllowingMoreKeys<T extends { plan: Plan; maxActiveApiKeys: number }>(
  plans: readonly T[],
  limit: number,
): T | undefined {
  return plans.find((plan) => plan.maxActiveApiKeys > limit);
}
