import { Migration } from '@mikro-orm/migrations';

/**
 * The creating key of an API key as a real reference: revoking a key revokes
 * every key it created (transitively), found through this index. Keys made by
 * a member signed in as a user, and keys older than this migration, have none.
 */
export class Migration20261130000000_key_lineage extends Migration {
  override async up(): Promise<void> {
    // The column has existed since the foundation, unchecked: drop any reference to a key that is gone.
    this.addSql(`
      UPDATE api_keys k SET created_by_key_id = NULL
       WHERE created_by_key_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM api_keys p WHERE p.id = k.created_by_key_id)`);
    this.addSql(`
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_created_by_key_id_foreign
        FOREIGN KEY (created_by_key_id) REFERENCES api_keys (id) ON DELETE SET NULL`);
    this.addSql(
      'CREATE INDEX api_keys_created_by_key_id_index ON api_keys (created_by_key_id) WHERE created_by_key_id IS NOT NULL',
    );
    // Removing a member revokes the keys they created.
    this.addSql('CREATE INDEX api_keys_account_id_created_by_id_index ON api_keys (account_id, created_by_id)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX api_keys_account_id_created_by_id_index, api_keys_created_by_key_id_index');
    this.addSql('ALTER TABLE api_keys DROP CONSTRAINT api_keys_created_by_key_id_foreign');
  }
}
