import type { AuditRowFragment } from '../gql/graphql';
import { formatDateTime } from '../shared/format';

export interface AuditTableProps {
  events: AuditRowFragment[];
  selectedId?: string;
  /** Seqs that arrived live, briefly highlighted. */
  freshSeqs: ReadonlySet<number>;
  onOpen: (event: AuditRowFragment) => void;
}

/** "user a@b.c", "API key kl_live_Ab12…wxyz", "system". */
export function actorLabel(actor: AuditRowFragment['actor']): string {
  if (actor.type === 'SYSTEM') return 'System';
  const kind = actor.type === 'API_KEY' ? 'API key' : 'User';
  return actor.display ? `${kind} ${actor.display}` : kind;
}

const TARGET_TYPES: Record<string, string> = {
  api_key: 'API key',
  account: 'Account',
  member: 'Member',
  user: 'User',
  audit_export: 'Export',
};

/** "API key deploy (kl_live_Ab12…wxyz)", "Account Acme". */
export function targetLabel(target: AuditRowFragment['target']): string {
  if (!target) return '—';
  const kind = TARGET_TYPES[target.type] ?? target.type;
  return target.display ? `${kind} ${target.display}` : kind;
}

/** The log, newest first; a row opens its details. */
export function AuditTable({ events, selectedId, freshSeqs, onOpen }: AuditTableProps) {
  return (
    <div className="table-wrap">
      <table className="table audit-table">
        <caption className="visually-hidden">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const classes = [
              event.outcome === 'DENIED' ? 'row-denied' : '',
              event.id === selectedId ? 'row-selected' : '',
              freshSeqs.has(event.seq) ? 'row-new' : '',
            ].join(' ');
            return (
              <tr
                key={event.id}
                className={classes.trim() || undefined}
                data-seq={event.seq}
                onClick={() => onOpen(event)}
              >
                <td>
                  <button
                    type="button"
                    className="link-button"
                    onClick={(click) => {
                      click.stopPropagation();
                      onOpen(event);
                    }}
                  >
                    <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt, true)}</time>
                  </button>
                </td>
                <td>{actorLabel(event.actor)}</td>
                <td>
                  <code>{event.action}</code>
                </td>
                <td>{targetLabel(event.target)}</td>
                <td>
                  <span className={`badge badge-${event.outcome === 'DENIED' ? 'denied' : 'success'}`}>
                    {event.outcome === 'DENIED' ? 'Denied' : 'Success'}
                  </span>
                </td>
                <td className="mono">{event.ip ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
