import type { ApiKeyScope } from '../auth/permissions';
import type { Statement } from '../db/sql';
import { ApiKeyStatus, type ApiKeyPurpose } from './api-key.entity';

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
    expiresAt: dateOf(row.expires_at),
    lastUsedAt: dateOf(row.last_used_at),
    lastUsedIp: row.last_used_ip,
    revokedAt: dateOf(row.revoked_at),
    revokedBy: userOf(row.revoked_by_id, row.revoked_by_email, row.revoked_by_name),
    revokeReason: row.revoke_reason,
    rotatedAt: dateOf(row.rotated_at),
  };
}

/** Which keys a status filter keeps; `$3` is "now" where the status depends on time. */
const STATUS_CONDITIONS: Record<ApiKeyStatus | 'ALL', string> = {
  ALL: 'true',
  [ApiKeyStatus.REVOKED]: 'k.revoked_at IS NOT NULL',
  [ApiKeyStatus.EXPIRED]: 'k.revoked_at IS NULL AND k.expires_at <= $3',
  [ApiKeyStatus.ACTIVE]: 'k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $3)',
};

const statements = new Map<string, Statement>();

/**
 * The list query for a status filter, with or without a keyset cursor: one row
 * per key of the page (newest first, `$2` = page size + 1), each carrying the
 * total of the filtered list; a single row with a null id when the page is
 * empty. Parameters: `$1` account, `$2` limit, then `$3` now (EXPIRED/ACTIVE
 * only), then the cursor's createdAt and id.
 */
export function listStatement(status: ApiKeyStatus | null, withCursor: boolean): Statement {
  const name = `api_keys_page_${(status ?? 'all').toLowerCase()}_${withCursor ? 'after' : 'first'}`;
  let statement = statements.get(name);
  if (!statement) {
    const condition = STATUS_CONDITIONS[status ?? 'ALL'];
    const next = status === ApiKeyStatus.EXPIRED || status === ApiKeyStatus.ACTIVE ? 4 : 3;
    const keyset = withCursor ? `AND (k.created_at, k.id) < ($${next}::timestamptz, $${next + 1}::uuid)` : '';
    const text = `
      SELECT total.n AS total, page.*
        FROM (SELECT count(*) AS n FROM api_keys k WHERE k.account_id = $1 AND ${condition}) total
        LEFT JOIN LATERAL (
          SELECT k.id, k.name, k.purpose, k.description, k.scopes, k.display_key, k.created_at, k.expires_at,
                 k.last_used_at, k.last_used_ip, k.revoked_at, k.revoke_reason, k.rotated_at,
                 cb.id AS created_by_id, cb.email AS created_by_email, cb.name AS created_by_name,
                 rb.id AS revoked_by_id, rb.email AS revoked_by_email, rb.name AS revoked_by_name
            FROM api_keys k
            LEFT JOIN users cb ON cb.id = k.created_by_id
            LEFT JOIN users rb ON rb.id = k.revoked_by_id
           WHERE k.account_id = $1 AND ${condition} ${keyset}
           ORDER BY k.created_at DESC, k.id DESC
           LIMIT $2
        ) page ON true`;
    statement = { name, text };
    statements.set(name, statement);
  }
  return statement;
}
