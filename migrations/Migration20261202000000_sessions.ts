import { Migration } from '@mikro-orm/migrations';

/**
 * Sign-in for the settings pages: one-time login links and the server-side
 * sessions they open. Only SHA-256 digests of a link's code and of a session's
 * cookie secret are stored; the values themselves exist only in the link and
 * in the browser's HttpOnly cookie.
 */
export class Migration20261202000000_sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE login_links (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        digest text NOT NULL CONSTRAINT login_links_digest_unique UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    this.addSql('CREATE INDEX login_links_account_id_user_id_index ON login_links (account_id, user_id)');
    this.addSql(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        digest text NOT NULL CONSTRAINT sessions_digest_unique UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        ip text,
        user_agent text
      )`);
    // Removing a member ends their open sessions in the removal's transaction.
    this.addSql(
      'CREATE INDEX sessions_account_id_user_id_index ON sessions (account_id, user_id) WHERE ended_at IS NULL',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE sessions');
    this.addSql('DROP TABLE login_links');
  }
}
