import { type FormEvent, useRef, useState } from 'react';
import { useClient } from 'urql';
import { type ApiKeyPurpose, type ApiKeyScope, CreateKeyDocument, type KeyRowFragment } from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { Dialog, FormFooter } from '../shared/dialog';
import { formatDate } from '../shared/format';
import { randomId } from '../shared/ids';
import { EXPIRY_PRESET_DAYS, PURPOSES, SCOPES } from './constants';
import type { KeyPolicy } from './key-policy-panel';

const DAY_MS = 86_400_000;

type ExpiryChoice = `${number}` | 'custom' | 'never';

export interface CreateKeyDialogProps {
  policy: KeyPolicy;
  onCreated: (key: KeyRowFragment, secret: string) => void;
  onClose: () => void;
}

/** The expiry presets the account's policy allows: none past the maximum lifetime, no "never" when expiry is required. */
export function expiryChoices(policy: KeyPolicy): ExpiryChoice[] {
  const presets = EXPIRY_PRESET_DAYS.filter((days) => days <= policy.maxKeyLifetimeDays).map(
    (days) => `${days}` as const,
  );
  return [...presets, 'custom', ...(policy.requireKeyExpiration ? [] : (['never'] as const))];
}

function defaultChoice(choices: ExpiryChoice[], policy: KeyPolicy): ExpiryChoice {
  const preferred = `${policy.defaultKeyLifetimeDays}` as ExpiryChoice;
  if (choices.includes(preferred)) return preferred;
  return choices.includes('30') ? '30' : choices[0]!;
}

function dayInput(date: Date): string {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/**
 * The create-key form. One idempotency key per opened dialog, so a double click (or a retry after a lost
 * answer) creates a single key.
 */
export function CreateKeyDialog({ policy, onCreated, onClose }: CreateKeyDialogProps) {
  const client = useClient();
  const [idempotencyKey] = useState(randomId);
  const choices = expiryChoices(policy);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [purpose, setPurpose] = useState<ApiKeyPurpose>('TEMPORARY_INTEGRATION');
  const [handoffTo, setHandoffTo] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['KEYS_READ']);
  const [expiry, setExpiry] = useState<ExpiryChoice>(() => defaultChoice(choices, policy));
  const [customDay, setCustomDay] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);

  const now = new Date();
  const latest = new Date(now.getTime() + policy.maxKeyLifetimeDays * DAY_MS);

  const expiresAt = (): string | null | undefined => {
    if (expiry === 'never') return null;
    if (expiry === 'custom') {
      if (!customDay) return undefined;
      const chosen = new Date(`${customDay}T23:59`);
      return new Date(
        Math.min(chosen.getTime(), Date.now() + policy.maxKeyLifetimeDays * DAY_MS - 60_000),
      ).toISOString();
    }
    return new Date(Date.now() + Number(expiry) * DAY_MS).toISOString();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current) return;
    if (scopes.length === 0) return setError('Choose at least one scope.');
    const team = handoffTo.trim();
    if (purpose === 'TEAM_HANDOFF' && !team) return setError('Name the team that receives the key.');
    const expires = expiresAt();
    if (expires === undefined) return setError('Choose the day the key expires.');
    inFlight.current = true;
    setBusy(true);
    setError('');
    const result = await client
      .mutation(CreateKeyDocument, {
        input: {
          name,
          description: description || null,
          purpose,
          // The API requires the receiving team for a hand-off and refuses it for any other purpose.
          ...(purpose === 'TEAM_HANDOFF' ? { handoffTo: team } : {}),
          scopes,
          expiresAt: expires,
          idempotencyKey,
        },
      })
      .toPromise();
    inFlight.current = false;
    setBusy(false);
    if (result.error) return setError(errorMessage(result.error));
    const payload = result.data!.createApiKey;
    if (payload.replayed) {
      return setError(
        'This key was already created by an earlier attempt whose answer was lost; its secret cannot be shown again. Revoke it and create another.',
      );
    }
    onCreated(payload.apiKey, payload.secret);
  };

  const toggleScope = (scope: ApiKeyScope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((item) => item !== scope)));

  return (
    <Dialog title="Create API key" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input
            id="key-name"
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="billing-sync (project or integration name)"
            data-autofocus
          />
        </div>
        <div className="field">
          <label htmlFor="key-description">
            Description <span className="muted">(optional)</span>
          </label>
          <input
            id="key-description"
            maxLength={1000}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
        <fieldset className="field">
          <legend>Purpose</legend>
          {PURPOSES.map((item) => (
            <label key={item.value} className="choice">
              <input
                type="radio"
                name="purpose"
                value={item.value}
                checked={purpose === item.value}
                onChange={() => setPurpose(item.value)}
              />
              <span>
                {item.label}
                <span className="hint">{item.advice}</span>
              </span>
            </label>
          ))}
          {purpose === 'TEAM_HANDOFF' && (
            <div className="field">
              <label htmlFor="key-handoff">Receiving team</label>
              <input
                id="key-handoff"
                required
                maxLength={100}
                value={handoffTo}
                onChange={(event) => setHandoffTo(event.target.value)}
                placeholder="Data platform team"
                aria-describedby="key-handoff-hint"
              />
              <span id="key-handoff-hint" className="hint">
                Shown with the key, and searchable, so reviewers know who holds it.
              </span>
            </div>
          )}
        </fieldset>
        <fieldset className="field">
          <legend>Scopes</legend>
          <div className="scope-grid">
            {SCOPES.map((item) => (
              <label key={item.value} className="choice">
                <input
                  type="checkbox"
                  checked={scopes.includes(item.value)}
                  onChange={(event) => toggleScope(item.value, event.target.checked)}
                />
                <span>
                  <code>{item.label}</code>
                  <span className="hint">{item.hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="field">
          <legend>Expires</legend>
          <div className="segmented">
            {choices.map((choice) => (
              <label key={choice} className="segment">
                <input
                  type="radio"
                  name="expiry"
                  value={choice}
                  checked={expiry === choice}
                  onChange={() => setExpiry(choice)}
                />
                <span>
                  {choice === 'custom'
                    ? 'Custom'
                    : choice === 'never'
                      ? 'Never'
                      : `${choice} ${choice === '1' ? 'day' : 'days'}`}
                </span>
              </label>
            ))}
          </div>
          {expiry === 'custom' && (
            <div className="field inline">
              <label htmlFor="key-expiry-day">Expiry day</label>
              <input
                id="key-expiry-day"
                type="date"
                required
                min={dayInput(new Date(now.getTime() + DAY_MS))}
                max={dayInput(latest)}
                value={customDay}
                onChange={(event) => setCustomDay(event.target.value)}
              />
            </div>
          )}
          <p className="hint">
            {policy.requireKeyExpiration ? 'This account requires keys to expire. ' : ''}
            Keys can live at most {policy.maxKeyLifetimeDays} days (until {formatDate(latest.toISOString())}).
          </p>
        </fieldset>
        <FormFooter error={error} busy={busy} onCancel={onClose} submitLabel="Create key" busyLabel="Creating…" />
      </form>
    </Dialog>
  );
}
