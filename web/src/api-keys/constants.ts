import type { ApiKeyFilter, ApiKeyPurpose, ApiKeyScope } from '../gql/graphql';

/** The three purposes, each with the help page's advice for it. */
export const PURPOSES: { value: ApiKeyPurpose; label: string; advice: string }[] = [
  {
    value: 'TEMPORARY_INTEGRATION',
    label: 'Temporary integration',
    advice: 'Short-lived keys and explicit project naming reduce confusion during later investigations.',
  },
  {
    value: 'LONG_RUNNING_WORKFLOW',
    label: 'Long-running workflow',
    advice: 'Rotate the key on a schedule, and revoke it when the project ends.',
  },
  {
    value: 'TEAM_HANDOFF',
    label: 'Hand-off to another team',
    advice: 'Revoke or rotate it when ownership changes or you no longer trust the old access boundary.',
  },
];

export const PURPOSE_LABELS = Object.fromEntries(PURPOSES.map((purpose) => [purpose.value, purpose.label])) as Record<
  ApiKeyPurpose,
  string
>;

/** Every scope, as the API names it, with what it lets a key do. */
export const SCOPES: { value: ApiKeyScope; label: string; hint: string }[] = [
  { value: 'KEYS_READ', label: 'keys:read', hint: 'List API keys' },
  { value: 'KEYS_WRITE', label: 'keys:write', hint: 'Create, rotate and revoke keys' },
  { value: 'AUDIT_READ', label: 'audit:read', hint: 'Read the audit log' },
  { value: 'AUDIT_EXPORT', label: 'audit:export', hint: 'Export the audit log' },
  { value: 'SETTINGS_READ', label: 'settings:read', hint: 'Read account settings' },
  { value: 'SETTINGS_WRITE', label: 'settings:write', hint: 'Change account settings' },
  { value: 'MEMBERS_READ', label: 'members:read', hint: 'List members' },
  { value: 'MEMBERS_WRITE', label: 'members:write', hint: 'Invite and remove members' },
];

export const SCOPE_LABELS = Object.fromEntries(SCOPES.map((scope) => [scope.value, scope.label])) as Record<
  ApiKeyScope,
  string
>;

/** Expiry presets of the create dialog, in days; `custom` and `never` are added by the account's policy. */
export const EXPIRY_PRESET_DAYS = [1, 7, 30, 90] as const;

/** How long a rotated key keeps working, in seconds. */
export const GRACE_PRESETS: { seconds: number; label: string }[] = [
  { seconds: 0, label: 'End now' },
  { seconds: 15 * 60, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
];

/** A key expiring within this many days is flagged. */
export const EXPIRING_SOON_DAYS = 7;

export const PAGE_SIZE = 20;

/** A count of `Account.keyHealth`. */
export type HealthFlag = 'neverUsed' | 'unusedFor30Days' | 'expiringSoon' | 'noExpiry' | 'ownerNotAdmin';

/**
 * The health summary's counts, each with the `apiKeys` filter (besides status ACTIVE) that lists the keys it
 * counts, as the schema documents each count.
 */
export const HEALTH_FILTERS: { flag: HealthFlag; label: string; filter: ApiKeyFilter }[] = [
  { flag: 'neverUsed', label: 'Never used', filter: { neverUsed: true } },
  { flag: 'unusedFor30Days', label: 'Unused for 30 days', filter: { unusedForDays: 30 } },
  { flag: 'expiringSoon', label: 'Expiring soon', filter: { expiringWithinDays: EXPIRING_SOON_DAYS } },
  { flag: 'noExpiry', label: 'No expiry', filter: { noExpiry: true } },
  { flag: 'ownerNotAdmin', label: "Owner can't manage keys", filter: { ownerCannotManageKeys: true } },
];
