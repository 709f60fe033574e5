import { createHash } from 'node:crypto';
import { ApiKeyScope, ROLE_PERMISSIONS, Role } from '../auth/permissions';
import type { Statement } from '../db/sql';
import { ApiKeyStatus, type ApiKeyPurpose } from './api-key.entity';

/** Roles whose members cannot manage keys (no keys:write): a key they own is flagged in the key health. */
export const ROLES_WITHOUT_KEYS_WRITE: readonly Role[] = Object.values(Role).filter(
  (role) => !ROLE_PERMISSIONS[role].has(ApiKeyScope.KEYS_WRITE),
);

/** A user as a key shows it (creator, revoker). */
export interface ApiKeyUserView {
  id: string;
  email: string;
  name: string | null;
}

/**
 * What a key shows to its account: the stored entity (relations loaded) fits,
 * and so does a plain row of the list query.
 */
export interface ApiKeyView {
  id: string;
  name: string;
  purpose: ApiKeyPurpose;
  description: string | null;
  scopes: ApiKeyScope[];
  displayKey: string;
  createdAt: Date;
  createdBy: ApiKeyUserView | null;
  /** The member whose current role bounds the key; null once they left the account. */
  owner: ApiKeyUserView | null;
  /** The owner's current role in the account, when read with the key (list rows); undefined when not read. */
  ownerRole?: Role | null;
  handoffTo: string | null;
  requestsSinceRotation: number;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  revokedBy: ApiKeyUserView | null;
  revokeReason: string | null;
  rotatedAt: Date | null;
}

/** One row of `listStatement`: a key of the page (id null when the page is empty) and the list's total. */
export interface ApiKeyPageRow {
  total: string;
  id: string | null;
  name: string;
  purpose: ApiKeyPurpose;
  description: string | null;
  scopes: ApiKeyScope[];
  display_key: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  revoked_at: string | null;
  revoke_reason: string | null;
  rotated_at: string | null;
  handoff_to: string | null;
  requests_since_rotation: string;
  owner_id: string | null;
  owner_email: string | null;
  owner_name: string | null;
  owner_role: Role | null;
  created_by_id: string | null;
  created_by_email: string | null;
  created_by_name: string | null;
  revoked_by_id: string | null;
  revoked_by_email: string | null;
  revoked_by_name: string | null;
}

// Timestamps arrive as PostgreSQL text (the ORM's pool keeps them as strings).
const dateOf = (value: string | null): Date | null => (value === null ? null : new Date(value));

function userOf(id: string | null, email: string | null, name: string | null): ApiKeyUserView | null {
  return id === null ? null : { id, email: email ?? '', name };
}

/** A page row as a key view. */
export function apiKeyViewOf(row: ApiKeyPageRow): ApiKeyView {
  return {
    id: row.id!,
    name: row.name,
    purpose: row.purpose,
    description: row.description,
    scopes: row.scopes,
    displayKey: row.display_key,
    createdAt: new Date(row.created_at),
    createdBy: userOf(row.created_by_id, row.created_by_email, row.created_by_name),
    owner: userOf(row.owner_id, row.owner_email, row.owner_name),
    ownerRole: row.owner_role,
    handoffTo: row.handoff_to,
    requestsSinceRotation: Number(row.requests_since_rotation),
    expiresAt: dateOf(row.expires_at),
    lastUsedAt: dateOf(row.last_used_at),
    lastUsedIp: row.last_used_ip,
    revokedAt: dateOf(row.revoked_at),
    revokedBy: userOf(row.revoked_by_id, row.revoked_by_email, row.revoked_by_name),
    revokeReason: row.revoke_reason,
    rotatedAt: dateOf(row.rotated_at),
  };
}

/** What `apiKeys` can be narrowed by; every condition given must hold. */
export interface ApiKeyListFilter {
  status?: ApiKeyStatus | null;
  ownerId?: string | null;
  purpose?: ApiKeyPurpose | null;
  /** Keys whose expiry falls within this many days from now (not yet expired). */
  expiringWithinDays?: number | null;
  /** Keys not used (nor, if never used, created) within this many days. */
  unusedForDays?: number | null;
  /** true: never used; false: used at least once. */
  neverUsed?: boolean | null;
  /** true: no expiry; false: an expiry is set. */
  noExpiry?: boolean | null;
  /** true: owned by a member who cannot manage keys (a role without keys:write, or gone); false: the others. */
  ownerCannotManageKeys?: boolean | null;
  /** Case-insensitive substring of the name, description, display key or hand-off team. */
  search?: string | null;
}

/** One statement's text and its parameter values. */
export interface BoundStatement {
  statement: Statement;
  values: unknown[];
}

/** Conditions on `api_keys k` for each status at `now`. */
function statusCondition(status: ApiKeyStatus, at: () => string): string {
  switch (status) {
    case ApiKeyStatus.REVOKED:
      return 'k.revoked_at IS NOT NULL';
    case ApiKeyStatus.EXPIRED:
      return `k.revoked_at IS NULL AND k.expires_at <= ${at()}`;
    case ApiKeyStatus.ROTATING:
      return `k.revoked_at IS NULL AND k.rotated_at IS NOT NULL AND k.expires_at > ${at()}`;
    case ApiKeyStatus.ACTIVE:
      return `k.revoked_at IS NULL AND k.rotated_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ${at()})`;
  }
}

/** `%`, `_` and `\` matched literally inside an ILIKE pattern. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** The WHERE conditions of a filter on `api_keys k`, with their parameters appended to `values`. */
export function filterConditions(filter: ApiKeyListFilter, values: unknown[], now: Date): string[] {
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  let nowParam: string | undefined;
  const at = () => (nowParam ??= `${param(now)}::timestamptz`);
  const conditions: string[] = [];
  if (filter.status) conditions.push(statusCondition(filter.status, at));
  if (filter.ownerId) conditions.push(`k.owner_id = ${param(filter.ownerId)}::uuid`);
  if (filter.purpose) conditions.push(`k.purpose = ${param(filter.purpose)}`);
  if (filter.expiringWithinDays != null) {
    conditions.push(
      `k.expires_at > ${at()} AND k.expires_at <= ${at()} + make_interval(days => ${param(filter.expiringWithinDays)}::int)`,
    );
  }
  if (filter.unusedForDays != null) {
    conditions.push(
      `coalesce(k.last_used_at, k.created_at) < ${at()} - make_interval(days => ${param(filter.unusedForDays)}::int)`,
    );
  }
  if (filter.neverUsed != null) conditions.push(`k.last_used_at IS ${filter.neverUsed ? '' : 'NOT '}NULL`);
  if (filter.noExpiry != null) conditions.push(`k.expires_at IS ${filter.noExpiry ? '' : 'NOT '}NULL`);
  if (filter.ownerCannotManageKeys != null) {
    // The keyHealth count's rule: no membership of the owner with a role that has keys:write.
    conditions.push(
      `${filter.ownerCannotManageKeys ? 'NOT ' : ''}EXISTS (SELECT 1 FROM memberships m WHERE m.account_id = k.account_id AND m.user_id = k.owner_id AND m.role <> ALL(${param(ROLES_WITHOUT_KEYS_WRITE)}::text[]))`,
    );
  }
  if (filter.search) {
    const pattern = param(likePattern(filter.search));
    conditions.push(
      `(k.name ILIKE ${pattern} OR k.description ILIKE ${pattern} OR k.display_key ILIKE ${pattern} OR k.handoff_to ILIKE ${pattern})`,
    );
  }
  return conditions;
}

const statements = new Map<string, Statement>();

/** A named statement for `text`, one per distinct text (so each filter shape is planned once per connection). */
function named(prefix: string, text: string): Statement {
  let statement = statements.get(text);
  if (!statement) {
    const name = `${prefix}_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    statement = { name, text };
    statements.set(text, statement);
  }
  return statement;
}

/** The columns of a key as `ApiKeyPageRow` reads them (`k` the key). */
export const KEY_COLUMNS = `
  k.id, k.name, k.purpose, k.description, k.scopes, k.display_key, k.created_at, k.expires_at,
  k.last_used_at, k.last_used_ip, k.revoked_at, k.revoke_reason, k.rotated_at, k.handoff_to,
  k.requests_since_rotation,
  ow.id AS owner_id, ow.email AS owner_email, ow.name AS owner_name, om.role AS owner_role,
  cb.id AS created_by_id, cb.email AS created_by_email, cb.name AS created_by_name,
  rb.id AS revoked_by_id, rb.email AS revoked_by_email, rb.name AS revoked_by_name`;

/** The joins `KEY_COLUMNS` needs. */
export const KEY_JOINS = `
  LEFT JOIN users ow ON ow.id = k.owner_id
  LEFT JOIN memberships om ON om.account_id = k.account_id AND om.user_id = k.owner_id
  LEFT JOIN users cb ON cb.id = k.created_by_id
  LEFT JOIN users rb ON rb.id = k.revoked_by_id`;

/**
 * The list query: one row per key of the page (newest first, `$2` = page size
 * + 1), each carrying the total of the filtered list; a single row with a null
 * id when the page is empty. `$1` is the account; the filter's and the
 * cursor's parameters follow.
 */
export function listQuery(
  accountId: string,
  limit: number,
  filter: ApiKeyListFilter,
  after: [Date, string] | undefined,
  now: Date,
): BoundStatement {
  const values: unknown[] = [accountId, limit];
  const conditions = ['k.account_id = $1', ...filterConditions(filter, values, now)].join(' AND ');
  let keyset = '';
  if (after) {
    values.push(after[0], after[1]);
    keyset = `AND (k.created_at, k.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`;
  }
  const text = `
      SELECT total.n AS total, page.*
        FROM (SELECT count(*) AS n FROM api_keys k WHERE ${conditions}) total
        LEFT JOIN LATERAL (
          SELECT ${KEY_COLUMNS}
            FROM api_keys k ${KEY_JOINS}
           WHERE ${conditions} ${keyset}
           ORDER BY k.created_at DESC, k.id DESC
           LIMIT $2
        ) page ON true`;
  return { statement: named('api_keys_page', text), values };
}

/** One key of an account as a page row (with total 1), or no row. */
export const KEY_BY_ID: Statement = {
  name: 'api_key_by_id',
  text: `SELECT 1 AS total, ${KEY_COLUMNS} FROM api_keys k ${KEY_JOINS} WHERE k.id = $1 AND k.account_id = $2`,
};
