import { type FormEvent, useState } from 'react';
import { useClient } from 'urql';
import { type KeyRowFragment, RevokeKeyDocument } from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { Dialog, FormFooter } from '../shared/dialog';

export interface RevokeKeyDialogProps {
  apiKey: KeyRowFragment;
  onRevoked: (key: KeyRowFragment) => void;
  onClose: () => void;
}

/** Revocation, confirmed by typing the key's name, with an optional reason kept in the audit log. */
export function RevokeKeyDialog({ apiKey, onRevoked, onClose }: RevokeKeyDialogProps) {
  const client = useClient();
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const confirmed = typed === apiKey.name;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed || busy) return;
    setBusy(true);
    setError('');
    const result = await client
      .mutation(RevokeKeyDocument, { input: { id: apiKey.id, reason: reason.trim() || null } })
      .toPromise();
    setBusy(false);
    if (result.error) return setError(errorMessage(result.error));
    onRevoked(result.data!.revokeApiKey);
  };

  return (
    <Dialog
      title={`Revoke ${apiKey.name}`}
      tone="danger"
      onClose={onClose}
      description="Revoking is immediate and cannot be undone: every request with this key is refused from now on."
    >
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="revoke-confirm">
            Type <strong className="mono">{apiKey.name}</strong> to confirm
          </label>
          <input
            id="revoke-confirm"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
          />
        </div>
        <div className="field">
          <label htmlFor="revoke-reason">
            Reason <span className="muted">(optional, kept in the audit log)</span>
          </label>
          <textarea
            id="revoke-reason"
            rows={2}
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
        <FormFooter
          error={error}
          busy={busy}
          onCancel={onClose}
          submitLabel="Revoke key"
          busyLabel="Revoking…"
          danger
          disabled={!confirmed}
        />
      </form>
    </Dialog>
  );
}
