import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { EndGraceDocument, KeyRotationDocument, type KeyRowFragment } from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { Dialog } from '../shared/dialog';
import { formatCount, formatDateTime } from '../shared/format';
import { When } from './keys-table';

export interface RotationPanelProps {
  apiKey: KeyRowFragment;
  /** Whether the caller may end the grace (keys:write); a reader sees the panel without the button. */
  canEnd: boolean;
  onEnded: (key: KeyRowFragment) => void;
  onClose: () => void;
}

/**
 * A rotated key in its grace period: whether the integration still uses the old secret (last use, requests
 * since the rotation) and when the grace ends; "End grace now" (confirmed) makes it fail from the next request.
 */
export function RotationPanel({ apiKey: row, canEnd, onEnded, onClose }: RotationPanelProps) {
  const client = useClient();
  // The row may be minutes old: the panel reads the key afresh on opening and on Refresh.
  const [fresh, refetch] = useQuery({
    query: KeyRotationDocument,
    variables: { id: row.id },
    requestPolicy: 'network-only',
  });
  const apiKey = fresh.data?.apiKey ?? row;
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const requests = apiKey.requestsSinceRotation ?? 0;

  const end = async () => {
    if (busy) return;
    setBusy(true);
    setError('');
    const result = await client.mutation(EndGraceDocument, { input: { id: apiKey.id } }).toPromise();
    setBusy(false);
    if (result.error) return setError(errorMessage(result.error));
    onEnded(result.data!.endRotationGrace);
  };

  return (
    <Dialog
      title={`Rotation of ${apiKey.name}`}
      onClose={onClose}
      description="The old secret keeps working until its grace period ends. When it no longer serves requests, the integration has switched to the new one."
    >
      <dl className="facts">
        <dt>Requests since rotation</dt>
        <dd>
          {formatCount(requests)} {requests === 1 ? 'request' : 'requests'}
          {requests === 0 && <span className="hint">Nothing has used the old secret since the rotation.</span>}
        </dd>
        <dt>Last used</dt>
        <dd>
          {apiKey.lastUsedAt ? (
            <>
              {formatDateTime(apiKey.lastUsedAt)}
              {apiKey.lastUsedIp && <span className="mono"> from {apiKey.lastUsedIp}</span>}
            </>
          ) : (
            'Never used'
          )}
        </dd>
        <dt>Rotated</dt>
        <dd>{apiKey.rotatedAt ? formatDateTime(apiKey.rotatedAt) : '—'}</dd>
        <dt>Grace ends</dt>
        <dd>
          {apiKey.expiresAt ? (
            <>
              {formatDateTime(apiKey.expiresAt)} (<When iso={apiKey.expiresAt} />)
            </>
          ) : (
            '—'
          )}
        </dd>
      </dl>
      <p className="hint">
        Counts arrive a few seconds behind the requests.{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => refetch({ requestPolicy: 'network-only' })}
          disabled={fresh.fetching}
        >
          {fresh.fetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </p>
      {error && (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      )}
      {canEnd && confirming ? (
        <div className="confirm" role="group" aria-label="End the grace period now?">
          <p>The old secret of {apiKey.name} will fail from the next request. This cannot be undone.</p>
          <div className="actions">
            <button type="button" className="button" onClick={() => setConfirming(false)} autoFocus>
              Keep the grace
            </button>
            <button type="button" className="button button-danger" onClick={end} disabled={busy}>
              {busy ? 'Ending…' : 'End grace'}
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="button" onClick={onClose} data-autofocus>
            Close
          </button>
          {canEnd && (
            <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
              End grace now
            </button>
          )}
        </div>
      )}
    </Dialog>
  );
}
