import { formatCount } from '../shared/format';

/** One hour of a key's requests, as `usage(last:)` answers it. */
export interface UsageHour {
  hour: string;
  requests: number;
}

const WIDTH = 84;
const HEIGHT = 22;

/** The requests of `usage`, summed. */
function total(usage: readonly UsageHour[]): number {
  return usage.reduce((sum, hour) => sum + hour.requests, 0);
}

/** "212 requests in 7 days" for `usage` (hourly counts, oldest first). */
export function usageLabel(usage: readonly UsageHour[]): string {
  const requests = total(usage);
  const days = Math.max(1, Math.round(usage.length / 24));
  return `${formatCount(requests)} ${requests === 1 ? 'request' : 'requests'} in ${days} ${days === 1 ? 'day' : 'days'}`;
}

/**
 * A key's requests per hour as an inline SVG line (no chart library), scaled to its busiest hour, with the
 * total as its accessible name.
 */
export function UsageSparkline({ usage }: { usage: readonly UsageHour[] }) {
  const label = usageLabel(usage);
  const peak = Math.max(1, ...usage.map((hour) => hour.requests));
  const step = usage.length > 1 ? WIDTH / (usage.length - 1) : WIDTH;
  const points = usage
    .map((hour, index) => {
      const x = (index * step).toFixed(1);
      const y = (HEIGHT - 1 - (hour.requests / peak) * (HEIGHT - 2)).toFixed(1);
      return `${x},${y}`;
    })
    .join(' ');
  return (
    <span className="usage">
      <svg
        className="sparkline"
        role="img"
        aria-label={label}
        width={WIDTH}
        height={HEIGHT}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
      >
        <title>{label}</title>
        <line className="sparkline-base" x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} />
        {usage.length > 0 && <polyline className="sparkline-line" points={points} />}
      </svg>
      {/* The column says "Last 7 days"; the number alone keeps the column narrow. */}
      <span className="hint" aria-hidden="true">
        {formatCount(total(usage))}
      </span>
    </span>
  );
}
