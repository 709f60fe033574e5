import { type FormEvent, useState } from 'react';
import { useClient } from 'urql';
import { type KeyQuotaQuery, SaveKeyPolicyDocument } from '../gql/graphql';
import { errorMessage } from '../shared/client';

/** The account's key expiry policy. */
export type KeyPolicy = KeyQuotaQuery['account']['settings'];

export interface KeyPolicyPanelProps {
  policy: KeyPolicy;
  /** OWNER and ADMIN edit it; anyone else reads it. */
  editable: boolean;
  onSaved: () => void;
}

/** The expiry policy every new key follows. */
export function KeyPolicyPanel({ policy, editable, onSaved }: KeyPolicyPanelProps) {
  const client = useClient();
  const [requireExpiry, setRequireExpiry] = useState(policy.requireKeyExpiration);
  const [defaultDays, setDefaultDays] = useState(String(policy.defaultKeyLifetimeDays));
  const [maxDays, setMaxDays] = useState(String(policy.maxKeyLifetimeDays));
  const [status, setStatus] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setStatus(null);
    const result = await client
      .mutation(SaveKeyPolicyDocument, {
        input: {
          requireKeyExpiration: requireExpiry,
          defaultKeyLifetimeDays: Number(defaultDays),
          maxKeyLifetimeDays: Number(maxDays),
        },
      })
      .toPromise();
    setBusy(false);
    if (result.error) return setStatus({ tone: 'error', text: errorMessage(result.error) });
    setStatus({ tone: 'success', text: 'Expiry policy saved.' });
    onSaved();
  };

  return (
    <section className="panel" aria-labelledby="policy-title">
      <h2 id="policy-title">Key expiry policy</h2>
      {editable ? (
        <form className="form policy-form" onSubmit={submit}>
          <label className="choice">
            <input
              type="checkbox"
              checked={requireExpiry}
              onChange={(event) => setRequireExpiry(event.target.checked)}
            />
            <span>Require every new key to expire</span>
          </label>
          <div className="field inline">
            <label htmlFor="policy-default">Default lifetime (days)</label>
            <input
              id="policy-default"
              type="number"
              min={1}
              max={3650}
              required
              value={defaultDays}
              onChange={(event) => setDefaultDays(event.target.value)}
            />
          </div>
          <div className="field inline">
            <label htmlFor="policy-max">Maximum lifetime (days)</label>
            <input
              id="policy-max"
              type="number"
              min={1}
              max={3650}
              required
              value={maxDays}
              onChange={(event) => setMaxDays(event.target.value)}
            />
          </div>
          <div className="actions">
            <button type="submit" className="button" disabled={busy}>
              {busy ? 'Saving…' : 'Save policy'}
            </button>
          </div>
          <p role="status" className={status ? `alert alert-${status.tone}` : 'visually-hidden'}>
            {status?.text}
          </p>
        </form>
      ) : (
        <dl className="facts">
          <dt>Expiry required</dt>
          <dd>{policy.requireKeyExpiration ? 'Yes' : 'No'}</dd>
          <dt>Default lifetime</dt>
          <dd>{policy.defaultKeyLifetimeDays} days</dd>
          <dt>Maximum lifetime</dt>
          <dd>{policy.maxKeyLifetimeDays} days</dd>
        </dl>
      )}
    </section>
  );
}
