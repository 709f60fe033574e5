import type { AuditEntitlementsQuery, Plan } from '../gql/graphql';
import { formatCount } from '../shared/format';
import { PLAN_LABELS } from '../shared/plans';

type PlanFacts = AuditEntitlementsQuery['plans'][number];

function listOf(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function pitch(days: number): string {
  return days >= 365
    ? 'Pick it when audits need more than a year of history.'
    : `Pick it to review the last ${days} days of key activity.`;
}

/**
 * What FREE and STANDARD accounts see instead of the log: what it is, and which plan to pick. The plans and
 * their numbers are the API's (`plans`), so this page keeps no copy of them.
 */
export function AuditUpsell({ plan, plans }: { plan: Plan; plans: readonly PlanFacts[] }) {
  const withLog = plans.filter((candidate) => candidate.features.includes('AUDIT_LOG'));
  const names = listOf(withLog.map((candidate) => PLAN_LABELS[candidate.plan]));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">Who did what to your keys, members and settings, and every refused attempt.</p>
        </div>
      </div>
      <section className="panel" aria-labelledby="upsell-title">
        <h2 id="upsell-title">The Audit Log is a {names} capability</h2>
        <p>
          Your account is on the <strong>{PLAN_LABELS[plan]}</strong> plan, which does not include it. Events are still
          recorded: upgrading shows them.
        </p>
        <div className="plans">
          {withLog.map((candidate) => {
            const id = `plan-${candidate.plan.toLowerCase()}`;
            const extras = [
              candidate.features.includes('AUDIT_STREAM') && 'Live feed',
              candidate.features.includes('AUDIT_EXPORT') && 'CSV and NDJSON export',
            ].filter((item): item is string => Boolean(item));
            return (
              <article key={candidate.plan} className="plan-card" aria-labelledby={id}>
                <h3 id={id}>{PLAN_LABELS[candidate.plan]}</h3>
                {candidate.auditRetentionDays != null && <p className="muted">{pitch(candidate.auditRetentionDays)}</p>}
                <ul>
                  {candidate.auditRetentionDays != null && (
                    <li>{formatCount(candidate.auditRetentionDays)} days of history</li>
                  )}
                  {extras.length > 0 && <li>{listOf(extras)}</li>}
                  <li>Hash-chain verification</li>
                  <li>{formatCount(candidate.maxActiveApiKeys)} active API keys</li>
                </ul>
              </article>
            );
          })}
        </div>
        <p className="muted">An owner of the account can change its plan.</p>
      </section>
    </>
  );
}
