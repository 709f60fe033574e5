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

/**
 * Days a plan change that shortens the audit retention waits before the
 * older history is purged (an upgrade back within them shows it again).
 * Mirrored by the database's `purge_audit_events`.
 */
export const RETENTION_GRACE_DAYS = 30;

const DAY_MS = 86_400_000;

/** Plans without audit visibility still keep history (an upgrade shows it) for the longest retention any plan has. */
export const MAX_RETENTION_DAYS = Math.max(
  ...Object.values(PLAN_ENTITLEMENTS).map((entitlements) => entitlements.auditRetentionDays ?? 0),
);

/** Days of audit history the plan keeps stored (mirrored by the database's `audit_retention_days`). */
export function storedRetentionDays(plan: Plan): number {
  return PLAN_ENTITLEMENTS[plan].auditRetentionDays ?? MAX_RETENTION_DAYS;
}

/** When an account's plan last changed, and from what (the database records it on every change). */
export interface PlanChange {
  previousPlan: Plan | null;
  planChangedAt: Date | null;
}

/**
 * Until when history older than `plan` keeps is still stored, after a plan
 * change that shortened the retention; undefined when nothing is held back.
 */
export function retentionGraceEnd(plan: Plan, change: PlanChange, now = new Date()): Date | undefined {
  const { previousPlan, planChangedAt } = change;
  if (previousPlan === null || planChangedAt === null) return undefined;
  if (storedRetentionDays(previousPlan) <= storedRetentionDays(plan)) return undefined;
  const end = new Date(planChangedAt.getTime() + RETENTION_GRACE_DAYS * DAY_MS);
  return end > now ? end : undefined;
}

/** Plans from cheapest to dearest, for naming the lowest plan that has a feature. */
export const PLAN_ORDER: readonly Plan[] = [Plan.FREE, Plan.STANDARD, Plan.PREMIUM, Plan.ENTERPRISE];
