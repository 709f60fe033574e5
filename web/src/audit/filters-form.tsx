import { type FormEvent, useState } from 'react';
import type { AuditActorType, AuditOutcome } from '../gql/graphql';
import { fromLocalInput, toLocalInput } from '../shared/format';
import type { AuditFilters } from './filters';

/** Actions a reader most often looks for; any other name or `prefix.*` can be typed. */
const COMMON_ACTIONS = [
  'api_key.*',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.updated',
  'settings.updated',
  'member.*',
  'session.*',
  'audit.*',
  'plan.changed',
];

export interface FiltersFormProps {
  filters: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}

/** The filters, applied together; the page keeps them in the URL. */
export function FiltersForm({ filters, onApply }: FiltersFormProps) {
  const [draft, setDraft] = useState(filters);
  const set = (patch: Partial<AuditFilters>) => setDraft((current) => ({ ...current, ...patch }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
      <div className="field">
        <label htmlFor="filter-action">Action</label>
        <input
          id="filter-action"
          list="common-actions"
          placeholder="api_key.* or api_key.created"
          value={draft.action ?? ''}
          onChange={(event) => set({ action: event.target.value || undefined })}
        />
        <datalist id="common-actions">
          {COMMON_ACTIONS.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="filter-actor-type">Actor type</label>
        <select
          id="filter-actor-type"
          value={draft.actorType ?? ''}
          onChange={(event) => set({ actorType: (event.target.value || undefined) as AuditActorType | undefined })}
        >
          <option value="">Any</option>
          <option value="USER">User</option>
          <option value="API_KEY">API key</option>
          <option value="SYSTEM">System</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-actor">Actor ID</label>
        <input
          id="filter-actor"
          placeholder="user or key id"
          value={draft.actor ?? ''}
          onChange={(event) => set({ actor: event.target.value.trim() || undefined })}
        />
      </div>
      <div className="field">
        <label htmlFor="filter-target">Target ID</label>
        <input
          id="filter-target"
          placeholder="key, member or account id"
          value={draft.target ?? ''}
          onChange={(event) => set({ target: event.target.value.trim() || undefined })}
        />
      </div>
      <div className="field">
        <label htmlFor="filter-outcome">Outcome</label>
        <select
          id="filter-outcome"
          value={draft.outcome ?? ''}
          onChange={(event) => set({ outcome: (event.target.value || undefined) as AuditOutcome | undefined })}
        >
          <option value="">Any</option>
          <option value="SUCCESS">Success</option>
          <option value="DENIED">Denied</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-from">From</label>
        <input
          id="filter-from"
          type="datetime-local"
          value={toLocalInput(draft.from)}
          onChange={(event) => set({ from: fromLocalInput(event.target.value) })}
        />
      </div>
      <div className="field">
        <label htmlFor="filter-to">Until</label>
        <input
          id="filter-to"
          type="datetime-local"
          value={toLocalInput(draft.to)}
          onChange={(event) => set({ to: fromLocalInput(event.target.value) })}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary">
          Apply filters
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setDraft({});
            onApply({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
