import { Migration } from '@mikro-orm/migrations';

/**
 * The audit log as a product: filter indexes, purge checkpoints with the one
 * privileged purge function, and export records.
 */
export class Migration20261126010000_audit_log extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE INDEX audit_events_account_id_actor_id_seq_index ON audit_events (account_id, actor_id, seq)');
    this.addSql(
      'CREATE INDEX audit_events_account_id_target_id_seq_index ON audit_events (account_id, target_id, seq)',
    );
    this.addSql('CREATE INDEX audit_events_account_id_occurred_at_index ON audit_events (account_id, occurred_at)');
    this.addSql(`
      CREATE TABLE audit_checkpoints (
        id bigserial PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        purged_through_seq bigint NOT NULL,
        last_hash text NOT NULL,
        purged_count bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(
      'CREATE INDEX audit_checkpoints_account_id_seq_index ON audit_checkpoints (account_id, purged_through_seq)',
    );
    // The append-only trigger lets exactly one path delete: purge_audit_events, which flags its own transaction.
    this.addSql(`
      CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('keyledger.audit_purge', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    this.addSql(`
      CREATE FUNCTION purge_audit_events(p_account uuid, p_before timestamptz) RETURNS bigint LANGUAGE plpgsql AS $fn$
      DECLARE
        v_seq bigint;
        v_hash text;
        v_count bigint;
      BEGIN
        -- Serialise with appends to this account's chain.
        PERFORM 1 FROM audit_chain_heads WHERE account_id = p_account FOR UPDATE;
        SELECT seq, hash INTO v_seq, v_hash FROM audit_events
         WHERE account_id = p_account AND occurred_at < p_before ORDER BY seq DESC LIMIT 1;
        IF v_seq IS NULL THEN
          RETURN 0;
        END IF;
        PERFORM set_config('keyledger.audit_purge', 'on', true);
        DELETE FROM audit_events WHERE account_id = p_account AND seq <= v_seq;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        PERFORM set_config('keyledger.audit_purge', 'off', true);
        INSERT INTO audit_checkpoints (account_id, purged_through_seq, last_hash, purged_count)
        VALUES (p_account, v_seq, v_hash, v_count);
        RETURN v_count;
      END
      $fn$`);
    this.addSql(`
      CREATE TABLE audit_exports (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        format text NOT NULL CHECK (format IN ('NDJSON', 'CSV')),
        filter jsonb,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE audit_exports, audit_checkpoints');
    this.addSql('DROP FUNCTION purge_audit_events(uuid, timestamptz)');
    this.addSql(
      'DROP INDEX audit_events_account_id_actor_id_seq_index, audit_events_account_id_target_id_seq_index, audit_events_account_id_occurred_at_index',
    );
  }
}
