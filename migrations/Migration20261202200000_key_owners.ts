import { Migration } from '@mikro-orm/migrations';

/**
 * Keys that change hands: every key has an owner (a member, separate from its
 * creator) whose current role bounds it; existing keys are owned by their
 * creator. A TEAM_HANDOFF key names the receiving team. A rotated key counts
 * the requests it served since the rotation, and every key its requests per
 * hour (kept 8 days), both written in batches off the request path.
 */
export class Migration20261202200000_key_owners extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE api_keys ADD COLUMN owner_id uuid NULL');
    this.addSql('UPDATE api_keys SET owner_id = created_by_id');
    this.addSql(`
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_owner_id_foreign
        FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE SET NULL`);
    this.addSql('CREATE INDEX api_keys_account_id_owner_id_index ON api_keys (account_id, owner_id)');
    this.addSql('ALTER TABLE api_keys ADD COLUMN handoff_to text NULL');
    this.addSql('ALTER TABLE api_keys ADD COLUMN requests_since_rotation bigint NOT NULL DEFAULT 0');
    this.addSql(`
      CREATE TABLE api_key_usage (
        key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        hour timestamptz NOT NULL,
        requests bigint NOT NULL,
        PRIMARY KEY (key_id, hour)
      )`);
    this.addSql('CREATE INDEX api_key_usage_hour_index ON api_key_usage (hour)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE api_key_usage');
    this.addSql('ALTER TABLE api_keys DROP COLUMN requests_since_rotation, DROP COLUMN handoff_to');
    this.addSql('DROP INDEX api_keys_account_id_owner_id_index');
    this.addSql('ALTER TABLE api_keys DROP CONSTRAINT api_keys_owner_id_foreign, DROP COLUMN owner_id');
  }
}
