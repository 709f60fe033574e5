import { type FormEvent, useState } from 'react';
import { useClient } from 'urql';
import { type KeyRowFragment, RotateKeyDocument } from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { Dialog, FormFooter } from '../shared/dialog';
import { GRACE_PRESETS } from './constants';

export interface RotateKeyDialogProps {
  apiKey: KeyRowFragment;
  onRotated: (key: KeyRowFragment, secret: string) => void;
  onClose: () => void;
}

/** Rotation: a new secret for the same key, the old one working for a chosen grace period. */
export function RotateKeyDialog({ apiKey, onRotated, onClose }: RotateKeyDialogProps) {
  const client = useClient();
  const [grace, setGrace] = useState(3600);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    const result = await client
      .mutation(RotateKeyDocument, { input: { id: apiKey.id, gracePeriodSeconds: grace } })
      .toPromise();
    setBusy(false);
    if (result.error) return setError(errorMessage(result.error));
    onRotated(result.data!.rotateApiKey.apiKey, result.data!.rotateApiKey.secret);
  };

  return (
    <Dialog
      title={`Rotate ${apiKey.name}`}
      onClose={onClose}
      description="A new secret replaces this key's. Until the grace period ends, the old secret keeps working so you can roll it out."
    >
      <form className="form" onSubmit={submit}>
        <fieldset className="field">
          <legend>Old secret keeps working for</legend>
          <div className="segmented">
            {GRACE_PRESETS.map((preset) => (
              <label key={preset.seconds} className="segment">
                <input
                  type="radio"
                  name="grace"
                  value={preset.seconds}
                  checked={grace === preset.seconds}
                  onChange={() => setGrace(preset.seconds)}
                  data-autofocus={grace === preset.seconds ? true : undefined}
                />
                <span>{preset.label}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <FormFooter error={error} busy={busy} onCancel={onClose} submitLabel="Rotate key" busyLabel="Rotating…" />
      </form>
    </Dialog>
  );
}
