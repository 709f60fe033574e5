import type { Plan } from '../gql/graphql';

const PLAN_LABELS: Record<Plan, string> = {
  FREE: 'Free',
  STANDARD: 'Standard',
  PREMIUM: 'Premium',
  ENTERPRISE: 'Enterprise',
};

/** What FREE and STANDARD accounts see instead of the log: what it is, and which plan to pick. */
export function AuditUpsell({ plan }: { plan: Plan }) {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">Who did what to your keys, members and settings, and every refused attempt.</p>
        </div>
      </div>
      <section className="panel" aria-labelledby="upsell-title">
        <h2 id="upsell-title">The Audit Log is a Premium and Enterprise capability</h2>
        <p>
          Your account is on the <strong>{PLAN_LABELS[plan]}</strong> plan, which does not include it. Events are still
          recorded: upgrading shows them.
        </p>
        <div className="plans">
          <article className="plan-card" aria-labelledby="plan-premium">
            <h3 id="plan-premium">Premium</h3>
            <p className="muted">Pick it to review the last quarter of key activity.</p>
            <ul>
              <li>90 days of history</li>
              <li>Live feed, CSV and NDJSON export</li>
              <li>Hash-chain verification</li>
              <li>100 active API keys</li>
            </ul>
          </article>
          <article className="plan-card" aria-labelledby="plan-enterprise">
            <h3 id="plan-enterprise">Enterprise</h3>
            <p className="muted">Pick it when audits need more than a year of history.</p>
            <ul>
              <li>400 days of history</li>
              <li>Everything in Premium</li>
              <li>1,000 active API keys</li>
            </ul>
          </article>
        </div>
        <p className="muted">An owner of the account can change its plan.</p>
      </section>
    </>
  );
}
