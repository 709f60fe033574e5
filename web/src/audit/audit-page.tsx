import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient, useQuery } from 'urql';
import {
  AuditEntitlementsDocument,
  type AuditEntitlementsQuery,
  AuditPageDocument,
  type AuditRowFragment,
} from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { formatDateTime } from '../shared/format';
import type { PageViewer } from '../shared/shell';
import { AuditTable } from './audit-table';
import { EventDetailsDialog } from './event-details-dialog';
import { type AuditFilters, liveFilter, readFilters, toApiFilter, writeFilters } from './filters';
import { FiltersForm } from './filters-form';
import { type LiveState, startLiveTail } from './live-tail';
import { ExportControl, VerifyChainControl } from './tools';
import { AuditUpsell } from './upsell';

/** Events per page. */
const PAGE_SIZE = 50;
/** Rows kept in the page; the oldest go (and "Load older" brings them back) as live events arrive. */
export const MAX_ROWS = 200;

const LIVE_LABELS: Record<LiveState | 'off', string> = {
  off: 'Live off',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

type Entitlements = AuditEntitlementsQuery['entitlements'];

/** /app/settings/audit: reads the plan first; the log itself only where the plan and the role include it. */
export function AuditPage({ viewer }: { viewer: PageViewer }) {
  const [{ data, error }] = useQuery({ query: AuditEntitlementsDocument });
  if (error) {
    return (
      <p role="alert" className="alert alert-error">
        {errorMessage(error)}
      </p>
    );
  }
  if (!data) return <p className="muted">Loading…</p>;
  const entitlements = data.entitlements;
  if (!entitlements.features.includes('AUDIT_LOG')) return <AuditUpsell plan={entitlements.plan} plans={data.plans} />;
  if (viewer.role !== 'OWNER' && viewer.role !== 'ADMIN') {
    return (
      <>
        <h1>Audit log</h1>
        <p className="panel">Only owners and admins can read the audit log. Ask one of them for the events you need.</p>
      </>
    );
  }
  return <AuditLog entitlements={entitlements} />;
}

function AuditLog({ entitlements }: { entitlements: Entitlements }) {
  const client = useClient();
  const [filters, setFilters] = useState<AuditFilters>(() => readFilters(window.location.search));
  const filtersKey = writeFilters(filters);
  const retentionDays = entitlements.auditRetentionDays ?? null;
  const { filter, clampedFrom } = useMemo(() => toApiFilter(filters, retentionDays), [filters, retentionDays]);

  const [rows, setRows] = useState<AuditRowFragment[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<AuditRowFragment | null>(null);

  const [live, setLive] = useState(false);
  const [liveState, setLiveState] = useState<LiveState | 'off'>('off');
  const [liveError, setLiveError] = useState('');
  const [newCount, setNewCount] = useState(0);
  const newest = useRef<{ seq: number; cursor: string } | null>(null);
  const freshSeqs = useRef(new Set<number>());
  const atTop = useRef(true);
  const top = useRef<HTMLDivElement>(null);

  const canStream = entitlements.features.includes('AUDIT_STREAM');
  const canExport = entitlements.features.includes('AUDIT_EXPORT');

  useEffect(() => {
    const onPopState = () => setFilters(readFilters(window.location.search));
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  const apply = (next: AuditFilters) => {
    window.history.pushState(null, '', `${window.location.pathname}${writeFilters(next)}`);
    setFilters(next);
  };

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError('');
    client
      .query(AuditPageDocument, { first: PAGE_SIZE, filter }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        if (cancelled) return;
        setLoading(false);
        const connection = result.data?.auditEvents;
        if (result.error || !connection) return setError(errorMessage(result.error));
        const events = connection.edges.map((edge) => edge.node);
        newest.current = events[0] ? { seq: events[0].seq, cursor: events[0].cursor } : null;
        freshSeqs.current.clear();
        setRows(events);
        setHasMore(connection.pageInfo.hasNextPage);
      });
    return () => {
      cancelled = true;
    };
  }, [client, filter]);

  const loadOlder = async () => {
    const last = rows[rows.length - 1];
    if (!last) return;
    setLoadingOlder(true);
    const result = await client
      .query(AuditPageDocument, { first: PAGE_SIZE, after: last.cursor, filter }, { requestPolicy: 'network-only' })
      .toPromise();
    setLoadingOlder(false);
    const connection = result.data?.auditEvents;
    if (result.error || !connection) return setError(errorMessage(result.error));
    setRows((current) => {
      const known = new Set(current.map((event) => event.id));
      return [...current, ...connection.edges.map((edge) => edge.node).filter((event) => !known.has(event.id))];
    });
    setHasMore(connection.pageInfo.hasNextPage);
  };

  const addLive = useCallback((event: AuditRowFragment) => {
    // A replay after a reconnect may repeat what is shown: seqs only grow, so anything not newer is a repeat.
    if (newest.current && event.seq <= newest.current.seq) return;
    newest.current = { seq: event.seq, cursor: event.cursor };
    if (freshSeqs.current.size > MAX_ROWS) freshSeqs.current.clear();
    freshSeqs.current.add(event.seq);
    setRows((current) => [event, ...current].slice(0, MAX_ROWS));
    if (!atTop.current) setNewCount((count) => count + 1);
  }, []);

  // Rows trimmed off the bottom come back through "Load older events".
  useEffect(() => {
    if (rows.length >= MAX_ROWS) setHasMore(true);
  }, [rows.length]);

  const liveFilterValue = useMemo(() => liveFilter(filter), [filter]);
  // Live follows new events: a time range with an end ("Until") has none to follow.
  const following = live && !filters.to;
  useEffect(() => {
    if (!following || loading) return undefined;
    setLiveError('');
    const stop = startLiveTail({
      filter: liveFilterValue,
      resumeAfter: () => newest.current?.cursor ?? null,
      onEvent: addLive,
      onState: setLiveState,
      onFatal: (message) => {
        setLiveError(message);
        setLive(false);
      },
    });
    return () => {
      stop();
      setLiveState('off');
    };
  }, [following, loading, liveFilterValue, addLive]);

  useEffect(() => {
    const observer = new IntersectionObserver(([entry]) => {
      atTop.current = !!entry?.isIntersecting;
      if (atTop.current) setNewCount(0);
    });
    observer.observe(top.current!);
    return () => observer.disconnect();
  }, []);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">
            Every change to keys, members and settings, and every refused attempt, in a tamper-evident hash chain.
          </p>
        </div>
      </div>

      <section className="panel" aria-label="Filters">
        <FiltersForm key={filtersKey} filters={filters} onApply={apply} />
        {retentionDays !== null && (
          <p className={`alert ${clampedFrom ? 'alert-warning' : 'alert-info'}`} role="note">
            Your {entitlements.plan} plan keeps {retentionDays} days of history.
            {clampedFrom &&
              ` The time range was moved to start at ${formatDateTime(clampedFrom)}, the oldest event it shows.`}
          </p>
        )}
      </section>

      <section className="panel" aria-labelledby="events-title">
        <div className="panel-head">
          <h2 id="events-title">Events</h2>
          <div className="toolbar">
            {canStream && (
              <>
                <button
                  type="button"
                  className="button"
                  aria-pressed={following}
                  disabled={!!filters.to}
                  onClick={() => setLive((on) => !on)}
                >
                  Live
                </button>
                <span className="connection" role="status" aria-label="Live feed">
                  <span className={`dot dot-${liveState}`} aria-hidden="true" />
                  {LIVE_LABELS[liveState]}
                </span>
              </>
            )}
            <VerifyChainControl />
          </div>
        </div>
        {canStream && filters.to && <p className="hint">Live follows new events: clear “Until” to turn it on.</p>}
        {liveError && (
          <p role="alert" className="alert alert-error">
            {liveError}
          </p>
        )}
        {canExport && <ExportControl filter={filter} />}

        <div ref={top} />
        {newCount > 0 && (
          <div className="new-events">
            <button
              type="button"
              className="button button-primary"
              onClick={() => top.current?.scrollIntoView({ behavior: 'smooth' })}
            >
              {newCount} new {newCount === 1 ? 'event' : 'events'}
            </button>
          </div>
        )}
        {error && (
          <p role="alert" className="alert alert-error">
            {error}
          </p>
        )}
        {loading && <p className="muted">Loading events…</p>}
        {!loading && rows.length === 0 && !error && <p className="empty">No events match these filters.</p>}
        {rows.length > 0 && (
          <AuditTable events={rows} selectedId={selected?.id} freshSeqs={freshSeqs.current} onOpen={setSelected} />
        )}
        {hasMore && !loading && (
          <div className="pager">
            <button type="button" className="button" onClick={loadOlder} disabled={loadingOlder}>
              {loadingOlder ? 'Loading…' : 'Load older events'}
            </button>
          </div>
        )}
      </section>

      {selected && (
        <EventDetailsDialog
          event={selected}
          onClose={() => setSelected(null)}
          onFilter={(patch) => {
            setSelected(null);
            apply({ ...filters, ...patch });
          }}
        />
      )}
    </>
  );
}
