import type { KeyQuotaQuery } from '../gql/graphql';
import { formatCount } from '../shared/format';
import { HEALTH_FILTERS, type HealthFlag } from './constants';

export interface KeyHealthSummaryProps {
  health: KeyQuotaQuery['account']['keyHealth'];
  /** The count whose filter narrows the table, if any. */
  selected: HealthFlag | null;
  onSelect: (flag: HealthFlag | null) => void;
}

/** Counts of the active keys that need a look; each is a one-click filter of the table (again to clear it). */
export function KeyHealthSummary({ health, selected, onSelect }: KeyHealthSummaryProps) {
  return (
    <section className="panel health" aria-labelledby="health-title">
      <div className="panel-head">
        <h2 id="health-title">Key health</h2>
        <span className="muted">Active keys that need a look. Pick one to list them.</span>
      </div>
      <ul className="health-list">
        {HEALTH_FILTERS.map((item) => (
          <li key={item.flag}>
            <button
              type="button"
              className={`health-item${health[item.flag] > 0 ? ' health-flagged' : ''}`}
              aria-pressed={selected === item.flag}
              onClick={() => onSelect(selected === item.flag ? null : item.flag)}
            >
              <strong className="health-count">{formatCount(health[item.flag])}</strong>
              <span>{item.label}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
