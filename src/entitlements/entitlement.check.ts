import { AppError, ErrorCode } from '../shared/errors';
import { type Feature, PLAN_ENTITLEMENTS, PLAN_ORDER, type Plan } from './plans';

/**
 * The one entitlement rule, for every face: the `@entitled` directive (GraphQL
 * over HTTP and WebSocket), the live feed's revalidation and the export
 * download all ask {@link assertPlanIncludes}.
 */

/** ENTITLEMENT_REQUIRED: the plan lacks `feature`; names the cheapest plan that has it. */
export class EntitlementRequiredError extends AppError {
  constructor(feature: Feature, plan: Plan) {
    const requiredPlan = lowestPlanWith(feature);
    super(
      ErrorCode.ENTITLEMENT_REQUIRED,
      `${feature} is not included in the ${plan} plan; it requires ${requiredPlan} or higher`,
      { feature, requiredPlan, plan },
    );
  }
}

/** The cheapest plan that includes `feature`. */
export function lowestPlanWith(feature: Feature): Plan {
  const plan = PLAN_ORDER.find((candidate) => PLAN_ENTITLEMENTS[candidate].features.includes(feature));
  if (!plan) throw new Error(`no plan includes ${feature}`);
  return plan;
}

/** Throws ENTITLEMENT_REQUIRED unless `plan` includes `feature`. */
export function assertPlanIncludes(plan: Plan, feature: Feature): void {
  if (!PLAN_ENTITLEMENTS[plan].features.includes(feature)) throw new EntitlementRequiredError(feature, plan);
}
