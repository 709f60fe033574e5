import { type FormEvent, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { KeyMembersDocument, type KeyRowFragment, TransferKeyDocument } from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { Dialog, FormFooter } from '../shared/dialog';
import { SCOPE_LABELS } from './constants';

export interface TransferKeyDialogProps {
  apiKey: KeyRowFragment;
  /** Called once the key has a new owner (after the inactive-scopes warning, when there is one). */
  onTransferred: (key: KeyRowFragment) => void;
  onClose: () => void;
}

/**
 * Hands a key to another member of the account, with an optional reason kept in the audit log. The key then acts
 * within the new owner's role: the scopes that role lacks stop working, and the dialog says which.
 */
export function TransferKeyDialog({ apiKey, onTransferred, onClose }: TransferKeyDialogProps) {
  const client = useClient();
  const [members] = useQuery({ query: KeyMembersDocument });
  const [toUserId, setToUserId] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<KeyRowFragment | null>(null);
  const candidates = (members.data?.account.members ?? []).filter((member) => member.user.id !== apiKey.owner?.id);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || !toUserId) return;
    setBusy(true);
    setError('');
    const result = await client
      .mutation(TransferKeyDocument, { input: { id: apiKey.id, toUserId, reason: reason.trim() || null } })
      .toPromise();
    setBusy(false);
    if (result.error) return setError(errorMessage(result.error));
    const key = result.data!.transferApiKey;
    if (key.inactiveScopes.length === 0) return onTransferred(key);
    setDone(key);
  };

  // One dialog throughout: after the transfer it shows what stopped working, until Done.
  if (done) {
    return (
      <Dialog title={`Transfer ${apiKey.name}`} onClose={() => onTransferred(done)}>
        <p className="alert alert-success">
          {done.name} now belongs to <strong>{done.owner?.email}</strong> and acts within their role.
        </p>
        <p className="alert alert-warning" role="alert">
          These scopes stop working: {done.inactiveScopes.map((scope) => SCOPE_LABELS[scope]).join(', ')}. The new
          owner&apos;s role does not allow them; they work again if the owner gets a role that does.
        </p>
        <div className="actions">
          <button type="button" className="button button-primary" onClick={() => onTransferred(done)} autoFocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      title={`Transfer ${apiKey.name}`}
      onClose={onClose}
      description={`Currently owned by ${apiKey.owner?.email ?? 'a member who left'}. The key keeps its secret and scopes, and acts within the new owner's role.`}
    >
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="transfer-to">New owner</label>
          <select
            id="transfer-to"
            required
            value={toUserId}
            onChange={(event) => setToUserId(event.target.value)}
            data-autofocus
          >
            <option value="">{members.fetching ? 'Loading members…' : 'Choose a member'}</option>
            {candidates.map((member) => (
              <option key={member.user.id} value={member.user.id}>
                {member.user.email} ({member.role})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="transfer-reason">
            Reason <span className="muted">(optional, kept in the audit log)</span>
          </label>
          <textarea
            id="transfer-reason"
            rows={2}
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
        <FormFooter
          error={error || errorMessage(members.error)}
          busy={busy}
          onCancel={onClose}
          submitLabel="Transfer key"
          busyLabel="Transferring…"
          disabled={!toUserId}
        />
      </form>
    </Dialog>
  );
}
