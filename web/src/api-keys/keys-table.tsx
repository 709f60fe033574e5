import type { KeyRowFragment } from '../gql/graphql';
import { formatDateTime, formatRelative } from '../shared/format';
import { PURPOSE_LABELS, SCOPE_LABELS } from './constants';
import { BADGE_LABELS, keyBadge } from './key-status';

export interface KeysTableProps {
  keys: KeyRowFragment[];
  /** Row actions; absent for callers who may not change keys. */
  actions?: {
    onEdit: (key: KeyRowFragment) => void;
    onRotate: (key: KeyRowFragment) => void;
    onRevoke: (key: KeyRowFragment) => void;
  };
}

function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

/** The account's keys, one row each, with what a reviewer needs to judge them. */
export function KeysTable({ keys, actions }: KeysTableProps) {
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
            <th scope="col">Created by</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const badge = keyBadge(key);
            const live = key.status === 'ACTIVE';
            return (
              <tr key={key.id} data-key-id={key.id}>
                <th scope="row" className="key-name">
                  {key.name}
                  {key.description && <span className="hint">{key.description}</span>}
                </th>
                <td>{PURPOSE_LABELS[key.purpose]}</td>
                <td>
                  <code className="mono nowrap">{key.displayKey}</code>
                </td>
                <td>
                  <ul className="chips" aria-label="Scopes">
                    {key.scopes.map((scope) => (
                      <li key={scope} className="chip">
                        {SCOPE_LABELS[scope]}
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
                <td>{key.createdBy?.email ?? <span className="muted">—</span>}</td>
                <td>
                  <When iso={key.createdAt} />
                </td>
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
                {actions && (
                  <td className="row-actions">
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Edit ${key.name}`}
                      onClick={() => actions.onEdit(key)}
                    >
                      Edit
                    </button>
                    {live && badge !== 'grace' && (
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Rotate ${key.name}`}
                        onClick={() => actions.onRotate(key)}
                      >
                        Rotate
                      </button>
                    )}
                    {live && (
                      <button
                        type="button"
                        className="button button-small button-danger-quiet"
                        aria-label={`Revoke ${key.name}`}
                        onClick={() => actions.onRevoke(key)}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
