/** Billing plans. There is no billing yet: `changePlan` stands in for it. */
export enum Plan {
  FREE = 'FREE',
  STANDARD = 'STANDARD',
  PREMIUM = 'PREMIUM',
  ENTERPRISE = 'ENTERPRISE',
}

/** Plan-gated capabilities; gated schema fields name one with `@entitled(feature: …)`. */
export enum Feature {
  AUDIT_LOG = 'AUDIT_LOG',
  AUDIT_EXPORT = 'AUDIT_EXPORT',
  AUDIT_STREAM = 'AUDIT_STREAM',
}

export interface PlanEntitlements {
  features: readonly Feature[];
  maxActiveApiKeys: number;
  /** Days of audit history visible; null when the plan cannot see the log at all. */
  auditRetentionDays: number | null;
}

const AUDIT = [Feature.AUDIT_LOG, Feature.AUDIT_EXPORT, Feature.AUDIT_STREAM] as const;

/** The one table of what each plan includes (DESIGN.md §1.4). */
export const PLAN_ENTITLEMENTS: Readonly<Record<Plan, PlanEntitlements>> = {
  [Plan.FREE]: { features: [], maxActiveApiKeys: 3, auditRetentionDays: null },
  [Plan.STANDARD]: { features: [], maxActiveApiKeys: 25, auditRetentionDays: null },
  [Plan.PREMIUM]: { features: AUDIT, maxActiveApiKeys: 100, auditRetentionDays: 90 },
  [Plan.ENTERPRISE]: { features: AUDIT, maxActiveApiKeys: 1000, auditRetentionDays: 400 },
};

/** Plans from cheapest to dearest, for naming the lowest plan that has a feature. */
export const PLAN_ORDER: readonly Plan[] = [Plan.FREE, Plan.STANDARD, Plan.PREMIUM, Plan.ENTERPRISE];
