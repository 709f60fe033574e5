import { useState } from 'react';
import { useQuery } from 'urql';
import { type ApiKeyStatus, type KeyRowFragment, KeyQuotaDocument, KeysPageDocument } from '../gql/graphql';
import { errorMessage } from '../shared/client';
import type { PageViewer } from '../shared/shell';
import { PLAN_LABELS, planAllowingMoreKeys } from '../shared/plans';
import { PAGE_SIZE } from './constants';
import { CreateKeyDialog } from './create-key-dialog';
import { EditKeyDialog } from './edit-key-dialog';
import { KeyPolicyPanel } from './key-policy-panel';
import { KeysTable } from './keys-table';
import { RevokeKeyDialog } from './revoke-key-dialog';
import { RotateKeyDialog } from './rotate-key-dialog';
import { SecretDialog } from './secret-dialog';

type OpenDialog =
  | { kind: 'create' }
  | { kind: 'edit' | 'rotate' | 'revoke'; key: KeyRowFragment }
  | { kind: 'secret'; title: string; keyName: string; secret: string };

const STATUS_FILTERS: { value: ApiKeyStatus | ''; label: string }[] = [
  { value: '', label: 'All keys' },
  { value: 'ACTIVE', label: 'Active' },
  { value: 'EXPIRED', label: 'Expired' },
  { value: 'REVOKED', label: 'Revoked' },
];

/** /app/settings/api-keys: the keys, the quota, the expiry policy; controls only for those who may use them. */
export function ApiKeysPage({ viewer }: { viewer: PageViewer }) {
  const canWrite = viewer.role === 'OWNER' || viewer.role === 'ADMIN';
  const [status, setStatus] = useState<ApiKeyStatus | ''>('');
  // Cursors of the pages seen so far: [undefined, end of page 1, end of page 2, …].
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const [keys, refetchKeys] = useQuery({
    query: KeysPageDocument,
    variables: { first: PAGE_SIZE, after, status: status || null },
  });
  const [quota, refetchQuota] = useQuery({ query: KeyQuotaDocument });
  const [dialog, setDialog] = useState<OpenDialog | null>(null);
  const [notice, setNotice] = useState('');

  const refresh = () => {
    refetchKeys({ requestPolicy: 'network-only' });
    refetchQuota({ requestPolicy: 'network-only' });
  };
  const closeDialog = () => setDialog(null);

  const entitlements = quota.data?.entitlements;
  const active = quota.data?.activeKeys.totalCount ?? 0;
  const limit = entitlements?.maxActiveApiKeys ?? 0;
  const atLimit = !!entitlements && active >= limit;
  const upgrade = planAllowingMoreKeys(quota.data?.plans ?? [], limit);
  const connection = keys.data?.apiKeys;

  return (
    <>
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="muted">
            Keys let your services call keyledger. Name each after its project, give it only the scopes it needs, and
            let it expire.
          </p>
        </div>
        {canWrite && (
          <div className="page-head-actions">
            <button
              type="button"
              className="button button-primary"
              disabled={!entitlements || atLimit}
              aria-describedby="quota-meter"
              onClick={() => setDialog({ kind: 'create' })}
            >
              Create key
            </button>
          </div>
        )}
      </div>

      {entitlements && (
        <section className="panel quota" id="quota-meter" aria-label="Active key quota">
          <div className="quota-line">
            <strong>
              {active} of {limit} active keys
            </strong>
            <span className="muted">{entitlements.plan} plan</span>
          </div>
          <meter min={0} max={limit} value={active} high={limit * 0.8} optimum={0} aria-label="Active keys used" />
          {atLimit && (
            <p className="alert alert-warning">
              Your {entitlements.plan} plan allows {limit} active keys.{' '}
              {upgrade
                ? `Upgrade to ${PLAN_LABELS[upgrade.plan]} (${upgrade.maxActiveApiKeys} active keys) or revoke a key to create another.`
                : 'Revoke a key to create another.'}
            </p>
          )}
        </section>
      )}

      <p role="status" className={notice ? 'alert alert-success' : 'visually-hidden'}>
        {notice}
      </p>

      <section className="panel" aria-labelledby="keys-title">
        <div className="panel-head">
          <h2 id="keys-title">Keys {connection && <span className="muted">({connection.totalCount})</span>}</h2>
          <div className="field inline">
            <label htmlFor="status-filter">Status</label>
            <select
              id="status-filter"
              value={status}
              onChange={(event) => {
                setStatus(event.target.value as ApiKeyStatus | '');
                setCursors([undefined]);
              }}
            >
              {STATUS_FILTERS.map((item) => (
                <option key={item.value} value={item.value}>
                  {item.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        {keys.error && (
          <p role="alert" className="alert alert-error">
            {errorMessage(keys.error)}
          </p>
        )}
        {keys.fetching && !connection && <p className="muted">Loading keys…</p>}
        {connection && connection.edges.length === 0 && (
          <p className="empty">
            {status ? 'No keys with this status.' : 'No API keys yet.'}
            {canWrite && !status && ' Create one to let a service call keyledger.'}
          </p>
        )}
        {connection && connection.edges.length > 0 && (
          <KeysTable
            keys={connection.edges.map((edge) => edge.node)}
            actions={
              canWrite
                ? {
                    onEdit: (key) => setDialog({ kind: 'edit', key }),
                    onRotate: (key) => setDialog({ kind: 'rotate', key }),
                    onRevoke: (key) => setDialog({ kind: 'revoke', key }),
                  }
                : undefined
            }
          />
        )}
        <nav className="pager" aria-label="Key pages">
          <button
            type="button"
            className="button button-small"
            disabled={cursors.length === 1}
            onClick={() => setCursors((list) => list.slice(0, -1))}
          >
            Previous
          </button>
          <span className="muted">Page {cursors.length}</span>
          <button
            type="button"
            className="button button-small"
            disabled={!connection?.pageInfo.hasNextPage}
            onClick={() => setCursors((list) => [...list, connection!.pageInfo.endCursor ?? undefined])}
          >
            Next
          </button>
        </nav>
      </section>

      {quota.data && (
        <KeyPolicyPanel
          key={quota.data.account.id}
          policy={quota.data.account.settings}
          editable={canWrite}
          onSaved={refresh}
        />
      )}

      {dialog?.kind === 'create' && quota.data && (
        <CreateKeyDialog
          policy={quota.data.account.settings}
          onClose={closeDialog}
          onCreated={(key, secret) => {
            setDialog({ kind: 'secret', title: 'API key created', keyName: key.name, secret });
            setNotice(`Key ${key.name} created.`);
            refresh();
          }}
        />
      )}
      {dialog?.kind === 'secret' && (
        <SecretDialog title={dialog.title} keyName={dialog.keyName} secret={dialog.secret} onClose={closeDialog} />
      )}
      {dialog?.kind === 'rotate' && (
        <RotateKeyDialog
          apiKey={dialog.key}
          onClose={closeDialog}
          onRotated={(key, secret) => {
            setDialog({ kind: 'secret', title: 'Key rotated', keyName: key.name, secret });
            setNotice(`Key ${key.name} rotated.`);
            refresh();
          }}
        />
      )}
      {dialog?.kind === 'revoke' && (
        <RevokeKeyDialog
          apiKey={dialog.key}
          onClose={closeDialog}
          onRevoked={(key) => {
            closeDialog();
            setNotice(`Key ${key.name} revoked.`);
            refresh();
          }}
        />
      )}
      {dialog?.kind === 'edit' && (
        <EditKeyDialog
          apiKey={dialog.key}
          onClose={closeDialog}
          onSaved={(key) => {
            closeDialog();
            setNotice(`Key ${key.name} saved.`);
            refresh();
          }}
        />
      )}
    </>
  );
}
