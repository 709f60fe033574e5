import { Migration } from '@mikro-orm/migrations';

/**
 * Signed digests of the accounts' audit chains (proof that outlives the database): one row per digest, unique per
 * account and covered seq, so instances running the hourly job at once cannot create the same digest twice. An
 * ordinary table: a digest's Ed25519 signature, kept by customers, is what makes it trustworthy.
 */
export class Migration20261202400000_audit_digests extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE audit_digests (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        from_seq bigint NOT NULL,
        to_seq bigint NOT NULL,
        head_hash text NOT NULL,
        previous_digest_hash text NULL,
        created_at timestamptz NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        CONSTRAINT audit_digests_range CHECK (from_seq >= 1 AND from_seq <= to_seq),
        CONSTRAINT audit_digests_account_id_to_seq_unique UNIQUE (account_id, to_seq)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE audit_digests');
  }
}
