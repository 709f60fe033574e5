import { Migration } from '@mikro-orm/migrations';

/**
 * Events from the rest of the product (`recordAuditEvents`): an ingested
 * event keeps the host product's time beside keyledger's (`reported_at`;
 * `occurred_at` stays the time keyledger recorded it) and who submitted it
 * (`submitted_by`: the API key or member that called, as JSON with type, id,
 * display and a key's scopes). The host's own actor goes in the actor columns,
 * whose type may now also be `SERVICE`. Adding nullable columns rewrites no
 * row, so the append-only trigger is not involved and every stored hash stays
 * valid (the hash covers both only when set, see `audit-chain.ts`). An
 * idempotent `recordAuditEvents` remembers how many events its first call
 * recorded (`idempotency_keys.resource_count`).
 *
 * A review that someone owns: `audit_reviews` (one row per account: how far
 * the log has been reviewed, when, by whom, with what note, and the actions
 * that matter most to the account) and `audit_reviewers` (the members who may
 * mark the log reviewed; a reviewer row goes with its membership).
 *
 * `audit_events` belongs to `keyledger_audit_owner`: run as a superuser, like
 * the migration that handed it over.
 */
export class Migration20261202300000_audit_ingest_review extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE audit_events ADD COLUMN reported_at timestamptz NULL, ADD COLUMN submitted_by jsonb NULL');
    // NOT VALID, then VALIDATE: the check of existing rows does not block appends meanwhile.
    this.addSql(`
      ALTER TABLE audit_events
        DROP CONSTRAINT audit_events_actor_type_check,
        ADD CONSTRAINT audit_events_actor_type_check
          CHECK (actor_type IN ('USER', 'API_KEY', 'SERVICE', 'SYSTEM')) NOT VALID`);
    this.addSql('ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_actor_type_check');
    this.addSql('ALTER TABLE idempotency_keys ADD COLUMN resource_count integer NULL');
    this.addSql(`
      CREATE TABLE audit_reviews (
        account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
        reviewed_through_seq bigint NOT NULL DEFAULT 0 CHECK (reviewed_through_seq >= 0),
        reviewed_at timestamptz,
        reviewed_by uuid REFERENCES users (id) ON DELETE SET NULL,
        note text,
        important_actions text[] NOT NULL DEFAULT '{}'
      )`);
    this.addSql(`
      CREATE TABLE audit_reviewers (
        account_id uuid NOT NULL,
        user_id uuid NOT NULL,
        appointed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, user_id),
        FOREIGN KEY (account_id, user_id) REFERENCES memberships (account_id, user_id) ON DELETE CASCADE
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE audit_reviewers, audit_reviews');
    this.addSql('ALTER TABLE idempotency_keys DROP COLUMN resource_count');
    this.addSql(`
      ALTER TABLE audit_events
        DROP CONSTRAINT audit_events_actor_type_check,
        ADD CONSTRAINT audit_events_actor_type_check CHECK (actor_type IN ('USER', 'API_KEY', 'SYSTEM'))`);
    this.addSql('ALTER TABLE audit_events DROP COLUMN reported_at, DROP COLUMN submitted_by');
  }
}
