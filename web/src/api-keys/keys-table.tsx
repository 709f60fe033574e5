import type { KeyRowFragment } from '../gql/graphql';
import { formatDateTime, formatRelative } from '../shared/format';
import { PURPOSE_LABELS, SCOPE_LABELS } from './constants';
import { BADGE_LABELS, keyBadge } from './key-status';
import { type UsageHour, UsageSparkline } from './usage-sparkline';

/** A row of the table: a key and its last 7 days of requests. */
export type KeyTableRow = KeyRowFragment & { usage?: readonly UsageHour[] };

export interface KeysTableProps {
  keys: KeyTableRow[];
  /** Opens a rotating key's rotation panel; offered to every reader. */
  onShowRotation: (key: KeyTableRow) => void;
  /** Row actions that change a key; absent for callers who may not change keys. */
  actions?: {
    onEdit: (key: KeyTableRow) => void;
    onRotate: (key: KeyTableRow) => void;
    onTransfer: (key: KeyTableRow) => void;
    onRevoke: (key: KeyTableRow) => void;
  };
}

/** A time, relative, with the exact instant on hover. */
export function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

/** The account's keys, one row each, with what a reviewer needs to judge them. */
export function KeysTable({ keys, onShowRotation, actions }: KeysTableProps) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Purpose</th>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            <th scope="col">Status</th>
            <th scope="col">Owner</th>
            <th scope="col">Last 7 days</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const badge = keyBadge(key);
            const working = key.status === 'ACTIVE' || key.status === 'ROTATING';
            const inactive = new Set(key.inactiveScopes);
            return (
              <tr key={key.id} data-key-id={key.id}>
                <th scope="row" className="key-name">
                  {key.name}
                  {key.description && <span className="hint">{key.description}</span>}
                </th>
                <td>
                  {PURPOSE_LABELS[key.purpose]}
                  {key.purpose === 'TEAM_HANDOFF' && key.handoffTo && <span className="hint">to {key.handoffTo}</span>}
                </td>
                <td>
                  <code className="mono nowrap">{key.displayKey}</code>
                </td>
                <td>
                  <ul className="chips" aria-label="Scopes">
                    {key.scopes.map((scope) => (
                      <li
                        key={scope}
                        className={inactive.has(scope) ? 'chip chip-inactive' : 'chip'}
                        title={inactive.has(scope) ? "The owner's role lacks it: it grants nothing" : undefined}
                      >
                        {SCOPE_LABELS[scope]}
                        {inactive.has(scope) && <span className="visually-hidden"> (inactive)</span>}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <span className={`badge badge-${badge}`}>{BADGE_LABELS[badge]}</span>
                  {badge === 'grace' && key.expiresAt && (
                    <span className="hint">
                      until <When iso={key.expiresAt} />
                    </span>
                  )}
                  {badge === 'revoked' && key.revokeReason && <span className="hint">{key.revokeReason}</span>}
                </td>
                <td>
                  {key.owner?.email ?? <span className="muted">Left the account</span>}
                  <span className="hint">
                    created <When iso={key.createdAt} />
                    {key.createdBy && key.createdBy.id !== key.owner?.id && ` by ${key.createdBy.email}`}
                  </span>
                </td>
                <td>{key.usage && <UsageSparkline usage={key.usage} />}</td>
                <td>{key.expiresAt ? <When iso={key.expiresAt} /> : <span className="muted">Never</span>}</td>
                <td>
                  {key.lastUsedAt ? (
                    <>
                      <When iso={key.lastUsedAt} />
                      {key.lastUsedIp && <span className="hint mono">{key.lastUsedIp}</span>}
                    </>
                  ) : (
                    <span className="muted">Never used</span>
                  )}
                </td>
                <td className="row-actions">
                  {key.status === 'ROTATING' && (
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Rotation of ${key.name}`}
                      onClick={() => onShowRotation(key)}
                    >
                      Rotation
                    </button>
                  )}
                  {actions && (
                    <>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Edit ${key.name}`}
                        onClick={() => actions.onEdit(key)}
                      >
                        Edit
                      </button>
                      {key.status === 'ACTIVE' && (
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={`Rotate ${key.name}`}
                          onClick={() => actions.onRotate(key)}
                        >
                          Rotate
                        </button>
                      )}
                      {working && (
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={`Transfer ${key.name}`}
                          onClick={() => actions.onTransfer(key)}
                        >
                          Transfer
                        </button>
                      )}
                      {working && (
                        <button
                          type="button"
                          className="button button-small button-danger-quiet"
                          aria-label={`Revoke ${key.name}`}
                          onClick={() => actions.onRevoke(key)}
                        >
                          Revoke
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
