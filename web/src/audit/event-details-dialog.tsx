import type { AuditRowFragment } from '../gql/graphql';
import { Dialog } from '../shared/dialog';
import { formatDateTime } from '../shared/format';
import { actorLabel, targetLabel } from './audit-table';

export interface EventDetailsDialogProps {
  event: AuditRowFragment;
  onClose: () => void;
  /** Narrows the log to this event's actor or target. */
  onFilter: (filter: { actor?: string; target?: string }) => void;
}

function json(value: unknown): string {
  return value === undefined || value === null ? '—' : JSON.stringify(value, null, 2);
}

/** One event in full: who, what, the before/after of each changed field, and its metadata. */
export function EventDetailsDialog({ event, onClose, onFilter }: EventDetailsDialogProps) {
  return (
    <Dialog title={event.action} tone="wide" onClose={onClose}>
      <dl className="facts">
        <dt>When</dt>
        <dd>
          <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt, true)}</time>
        </dd>
        <dt>Outcome</dt>
        <dd>
          <span className={`badge badge-${event.outcome === 'DENIED' ? 'denied' : 'success'}`}>{event.outcome}</span>
        </dd>
        <dt>Actor</dt>
        <dd>
          {actorLabel(event.actor)} {event.actor.id && <code className="muted">{event.actor.id}</code>}{' '}
          {event.actor.id && (
            <button
              type="button"
              className="link-button"
              onClick={() => onFilter({ actor: event.actor.id ?? undefined })}
            >
              Only this actor
            </button>
          )}
        </dd>
        <dt>Target</dt>
        <dd>
          {targetLabel(event.target)} {event.target?.id && <code className="muted">{event.target.id}</code>}{' '}
          {event.target?.id && (
            <button
              type="button"
              className="link-button"
              onClick={() => onFilter({ target: event.target?.id ?? undefined })}
            >
              Only this target
            </button>
          )}
        </dd>
        <dt>IP</dt>
        <dd className="mono">{event.ip ?? '—'}</dd>
        <dt>User agent</dt>
        <dd>{event.userAgent ?? '—'}</dd>
        <dt>Request</dt>
        <dd className="mono">{event.requestId ?? '—'}</dd>
        <dt>Sequence</dt>
        <dd>#{event.seq}</dd>
      </dl>
      <h3>Changes</h3>
      {event.changes.length === 0 ? (
        <p className="muted">No field changed.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {event.changes.map((change) => (
                <tr key={change.field}>
                  <th scope="row">
                    <code>{change.field}</code>
                  </th>
                  <td>
                    <pre className="json" tabIndex={0}>
                      {json(change.before)}
                    </pre>
                  </td>
                  <td>
                    <pre className="json" tabIndex={0}>
                      {json(change.after)}
                    </pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Metadata</h3>
      <pre className="json" tabIndex={0}>
        {json(event.metadata)}
      </pre>
    </Dialog>
  );
}
