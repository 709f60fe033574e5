import { Migration } from '@mikro-orm/migrations';

/** The shared rate-limit store (rate-limiter-flexible's PostgreSQL schema) and idempotency keys. */
export class Migration20261126020000_rate_limits_idempotency extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE IF NOT EXISTS rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    this.addSql(`
      CREATE TABLE idempotency_keys (
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        operation text NOT NULL,
        key text NOT NULL,
        resource_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, operation, key)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE idempotency_keys, rate_limits');
  }
}
