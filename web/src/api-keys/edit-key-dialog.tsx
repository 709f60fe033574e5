import { type FormEvent, useState } from 'react';
import { useClient } from 'urql';
import { EditKeyDocument, type KeyRowFragment } from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { Dialog, FormFooter } from '../shared/dialog';

export interface EditKeyDialogProps {
  apiKey: KeyRowFragment;
  onSaved: (key: KeyRowFragment) => void;
  onClose: () => void;
}

/** Renames a key or changes its description. */
export function EditKeyDialog({ apiKey, onSaved, onClose }: EditKeyDialogProps) {
  const client = useClient();
  const [name, setName] = useState(apiKey.name);
  const [description, setDescription] = useState(apiKey.description ?? '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    const result = await client.mutation(EditKeyDocument, { input: { id: apiKey.id, name, description } }).toPromise();
    setBusy(false);
    if (result.error) return setError(errorMessage(result.error));
    onSaved(result.data!.updateApiKey);
  };

  return (
    <Dialog title={`Edit ${apiKey.name}`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="edit-name">Name</label>
          <input
            id="edit-name"
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
            data-autofocus
          />
        </div>
        <div className="field">
          <label htmlFor="edit-description">Description</label>
          <textarea
            id="edit-description"
            rows={3}
            maxLength={1000}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
        <FormFooter error={error} busy={busy} onCancel={onClose} submitLabel="Save" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
