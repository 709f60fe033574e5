import { createHash } from 'node:crypto';
import { canonicalJson } from './audit-chain';

/** What a digest signs: an account's chain up to `toSeq`, and the digest before it. */
export interface AuditDigestFields {
  accountId: string;
  /** First seq this digest covers (the previous digest's `toSeq` + 1; 1, or after the purge checkpoint, for the first). */
  fromSeq: number;
  /** Last seq covered: the chain head when the digest was made. */
  toSeq: number;
  /** `hash` of event `toSeq`. */
  headHash: string;
  /** `digestHash` of the account's previous digest; null for its first. */
  previousDigestHash: string | null;
  /** Millisecond precision, as stored. */
  createdAt: Date;
  /** Id of the key that signed it (see `signingKeyId`). */
  keyId: string;
}

/** A signed digest as stored and published. */
export interface AuditDigestRecord extends AuditDigestFields {
  id: string;
  /** base64url Ed25519 signature over `digestPayload`. */
  signature: string;
}

/**
 * The signed bytes: canonical JSON (keys sorted, no whitespace) of exactly `accountId, createdAt` (ISO 8601 with
 * milliseconds, UTC), `fromSeq, headHash, keyId, previousDigestHash` (null for the first), `toSeq`.
 */
export function digestPayload(digest: AuditDigestFields): string {
  return canonicalJson({
    accountId: digest.accountId,
    fromSeq: digest.fromSeq,
    toSeq: digest.toSeq,
    headHash: digest.headHash,
    previousDigestHash: digest.previousDigestHash,
    createdAt: digest.createdAt.toISOString(),
    keyId: digest.keyId,
  });
}

/** What the next digest's `previousDigestHash` holds: hex SHA-256 of the payload followed by the signature. */
export function digestHash(digest: AuditDigestFields & { signature: string }): string {
  return createHash('sha256').update(digestPayload(digest)).update(digest.signature).digest('hex');
}

/** Columns of `audit_digests` in the order `digestFromRow` reads them. */
export const DIGEST_COLUMNS =
  'id, account_id, from_seq, to_seq, head_hash, previous_digest_hash, created_at, key_id, signature';

/** Maps a raw `audit_digests` row to a record. */
export function digestFromRow(row: Record<string, unknown>): AuditDigestRecord {
  return {
    id: row.id as string,
    accountId: row.account_id as string,
    fromSeq: Number(row.from_seq),
    toSeq: Number(row.to_seq),
    headHash: row.head_hash as string,
    previousDigestHash: (row.previous_digest_hash as string | null) ?? null,
    createdAt: new Date(row.created_at as string | Date),
    keyId: row.key_id as string,
    signature: row.signature as string,
  };
}
