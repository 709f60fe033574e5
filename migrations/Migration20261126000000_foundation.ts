import { Migration } from '@mikro-orm/migrations';

/** Accounts, members, API keys and the append-only, hash-chained audit log. */
export class Migration20261126000000_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        plan text NOT NULL DEFAULT 'FREE' CHECK (plan IN ('FREE', 'STANDARD', 'PREMIUM', 'ENTERPRISE')),
        require_key_expiration boolean NOT NULL DEFAULT false,
        default_key_lifetime_days integer NOT NULL DEFAULT 90,
        max_key_lifetime_days integer NOT NULL DEFAULT 365,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL CONSTRAINT users_email_unique UNIQUE,
        name text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE memberships (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT memberships_account_id_user_id_unique UNIQUE (account_id, user_id)
      )`);
    this.addSql('CREATE INDEX memberships_user_id_index ON memberships (user_id)');
    this.addSql(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        name text NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('TEMPORARY_INTEGRATION', 'LONG_RUNNING_WORKFLOW', 'TEAM_HANDOFF')),
        description text,
        scopes text[] NOT NULL DEFAULT '{}',
        digest text NOT NULL CONSTRAINT api_keys_digest_unique UNIQUE,
        display_key text NOT NULL,
        created_at timestamptz NOT NULL,
        created_by_id uuid REFERENCES users (id) ON DELETE SET NULL,
        created_by_key_id uuid,
        expires_at timestamptz,
        last_used_at timestamptz,
        last_used_ip text,
        revoked_at timestamptz,
        revoked_by_id uuid REFERENCES users (id) ON DELETE SET NULL,
        revoke_reason text,
        rotated_from_id uuid CONSTRAINT api_keys_rotated_from_id_unique UNIQUE REFERENCES api_keys (id),
        rotated_at timestamptz
      )`);
    this.addSql(
      'CREATE INDEX api_keys_account_id_created_at_id_index ON api_keys (account_id, created_at DESC, id DESC)',
    );
    this.addSql(`
      CREATE TABLE audit_chain_heads (
        account_id uuid PRIMARY KEY REFERENCES accounts (id),
        last_seq bigint NOT NULL,
        last_hash text NOT NULL
      )`);
    this.addSql(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        seq bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        action text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('SUCCESS', 'DENIED')),
        actor_type text NOT NULL CHECK (actor_type IN ('USER', 'API_KEY', 'SYSTEM')),
        actor_id text,
        actor_display text,
        actor_scopes text[],
        target_type text,
        target_id text,
        target_display text,
        changes jsonb NOT NULL DEFAULT '[]',
        metadata jsonb,
        ip text,
        user_agent text,
        request_id text,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT audit_events_account_id_seq_unique UNIQUE (account_id, seq)
      )`);
    this.addSql('CREATE INDEX audit_events_account_id_action_seq_index ON audit_events (account_id, action, seq)');
    this.addSql(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    this.addSql(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    this.addSql(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE audit_events, audit_chain_heads, api_keys, memberships, users, accounts');
    this.addSql('DROP FUNCTION audit_events_append_only()');
  }
}
