import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { type ApiKeyFilter, type ApiKeyStatus, KeyQuotaDocument, KeysPageDocument } from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { PLAN_LABELS, planAllowingMoreKeys } from '../shared/plans';
import type { PageViewer } from '../shared/shell';
import { HEALTH_FILTERS, type HealthFlag, PAGE_SIZE } from './constants';
import { CreateKeyDialog } from './create-key-dialog';
import { EditKeyDialog } from './edit-key-dialog';
import { KeyHealthSummary } from './key-health';
import { KeyPolicyPanel } from './key-policy-panel';
import { type KeyTableRow, KeysTable } from './keys-table';
import { RevokeKeyDialog } from './revoke-key-dialog';
import { RotateKeyDialog } from './rotate-key-dialog';
import { RotationPanel } from './rotation-panel';
import { SecretDialog } from './secret-dialog';
import { TransferKeyDialog } from './transfer-key-dialog';

type OpenDialog =
  | { kind: 'create' }
  | { kind: 'edit' | 'rotate' | 'revoke' | 'transfer' | 'rotation'; key: KeyTableRow }
  | { kind: 'secret'; title: string; keyName: string; secret: string };

const STATUS_FILTERS: { value: ApiKeyStatus | ''; label: string }[] = [
  { value: '', label: 'All keys' },
  { value: 'ACTIVE', label: 'Active' },
  { value: 'ROTATING', label: 'In rotation grace' },
  { value: 'EXPIRED', label: 'Expired' },
  { value: 'REVOKED', label: 'Revoked' },
];

/** Typing in the search box asks the API once the typing pauses this long. */
const SEARCH_DELAY_MS = 300;

/** /app/settings/api-keys: the keys, the quota, the expiry policy; controls only for those who may use them. */
export function ApiKeysPage({ viewer }: { viewer: PageViewer }) {
  const canWrite = viewer.role === 'OWNER' || viewer.role === 'ADMIN';
  const [status, setStatus] = useState<ApiKeyStatus | ''>('');
  const [health, setHealth] = useState<HealthFlag | null>(null);
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  // Cursors of the pages seen so far: [undefined, end of page 1, end of page 2, …].
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const filter = useMemo<ApiKeyFilter>(() => {
    const flag = HEALTH_FILTERS.find((item) => item.flag === health);
    return {
      status: flag ? 'ACTIVE' : status || null,
      ...flag?.filter,
      search: search || null,
    };
  }, [status, health, search]);
  const [keys, refetchKeys] = useQuery({
    query: KeysPageDocument,
    variables: { first: PAGE_SIZE, after, filter },
  });

  useEffect(() => {
    const text = searchText.trim();
    if (text === search) return;
    const timer = setTimeout(() => {
      setSearch(text);
      setCursors([undefined]);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [searchText, search]);
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
  const filtered = Boolean(status || health || search);
  const showRotation = (key: KeyTableRow) => setDialog({ kind: 'rotation', key });

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

      {quota.data && (
        <KeyHealthSummary
          health={quota.data.account.keyHealth}
          selected={health}
          onSelect={(flag) => {
            setHealth(flag);
            if (flag) setStatus('ACTIVE');
            setCursors([undefined]);
          }}
        />
      )}

      <p role="status" className={notice ? 'alert alert-success' : 'visually-hidden'}>
        {notice}
      </p>

      <section className="panel" aria-labelledby="keys-title">
        <div className="panel-head">
          <h2 id="keys-title">Keys {connection && <span className="muted">({connection.totalCount})</span>}</h2>
          <div className="key-filters">
            <div className="field inline">
              <label htmlFor="key-search">Search</label>
              <input
                id="key-search"
                type="search"
                maxLength={100}
                value={searchText}
                placeholder="Name, description, key or team"
                onChange={(event) => setSearchText(event.target.value)}
              />
            </div>
            <div className="field inline">
              <label htmlFor="status-filter">Status</label>
              <select
                id="status-filter"
                value={status}
                onChange={(event) => {
                  setStatus(event.target.value as ApiKeyStatus | '');
                  setHealth(null);
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
        </div>
        {health && (
          <p className="alert alert-info">
            Showing active keys: {HEALTH_FILTERS.find((item) => item.flag === health)!.label.toLowerCase()}.{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setHealth(null);
                setCursors([undefined]);
              }}
            >
              Show all
            </button>
          </p>
        )}
        {keys.error && (
          <p role="alert" className="alert alert-error">
            {errorMessage(keys.error)}
          </p>
        )}
        {keys.fetching && !connection && <p className="muted">Loading keys…</p>}
        {connection && connection.edges.length === 0 && (
          <p className="empty">
            {filtered ? 'No keys match these filters.' : 'No API keys yet.'}
            {canWrite && !filtered && ' Create one to let a service call keyledger.'}
          </p>
        )}
        {connection && connection.edges.length > 0 && (
          <KeysTable
            keys={connection.edges.map((edge) => edge.node)}
            onShowRotation={showRotation}
            actions={
              canWrite
                ? {
                    onEdit: (key) => setDialog({ kind: 'edit', key }),
                    onRotate: (key) => setDialog({ kind: 'rotate', key }),
                    onTransfer: (key) => setDialog({ kind: 'transfer', key }),
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
      {dialog?.kind === 'rotation' && (
        <RotationPanel
          apiKey={dialog.key}
          canEnd={canWrite}
          onClose={closeDialog}
          onEnded={(key) => {
            closeDialog();
            setNotice(`The grace period of ${key.name} ended: its old secret no longer works.`);
            refresh();
          }}
        />
      )}
      {dialog?.kind === 'transfer' && (
        <TransferKeyDialog
          apiKey={dialog.key}
          onClose={closeDialog}
          onTransferred={(key) => {
            closeDialog();
            setNotice(`Key ${key.name} transferred to ${key.owner?.email ?? 'its new owner'}.`);
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
