import { Migration } from '@mikro-orm/migrations';

/** The NOLOGIN role that owns the audit tables and the one function allowed to delete from them. */
const OWNER = 'keyledger_audit_owner';

/** Tables and functions handed to the owner role: a role that owns an object can switch off or replace its guard. */
const OWNED_TABLES = ['audit_events', 'audit_checkpoints', 'audit_chain_heads'];
const OWNED_FUNCTIONS = [
  'audit_events_append_only()',
  'audit_checkpoints_guard()',
  'audit_chain_heads_guard()',
  'accounts_plan_change()',
  'audit_retention_days(text)',
  'purge_audit_events(uuid)',
];

/**
 * Tamper evidence against the application's own database role, and a grace
 * period for history after a plan change.
 *
 * - `purge_audit_events(account)` is the only way to delete events: a
 *   `SECURITY DEFINER` function owned by the NOLOGIN role
 *   `keyledger_audit_owner` (no one logs in as it or is a member of it) that
 *   computes the cut-off itself from the account's plan. The append-only
 *   trigger lets a DELETE through only when it runs as that role, so no
 *   session setting opens it. EXECUTE is revoked from PUBLIC.
 * - `audit_checkpoints` take rows only from that function and are never
 *   changed; `audit_chain_heads` are created at seq 0 and only move forward, by
 *   exactly the events appended, to the newest event's hash; neither can be
 *   deleted or truncated. A superuser passes these two guards (it can switch
 *   off any trigger anyway); verification still checks heads and checkpoints.
 * - `accounts.plan_changed_at` and `previous_plan` are set by a trigger on
 *   every plan change (no one sets them by hand): for 30 days the purge keeps
 *   what the previous plan kept.
 *
 * Creating the role needs a superuser or CREATEROLE; the service's own role
 * should have neither (nor own the database or schema) for the guards to bind it.
 */
export class Migration20261201000000_audit_guard extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      DO $do$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${OWNER}') THEN
          BEGIN
            CREATE ROLE ${OWNER} NOLOGIN;
          EXCEPTION
            -- Another database of this cluster migrating at the same moment created it.
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
              RAISE EXCEPTION 'keyledger needs the NOLOGIN role ${OWNER}, and % may not create roles', current_user
                USING HINT = 'Run the migrations once as a superuser (node dist/src/tools/migrate.js <url>), or create the role as a superuser first.';
          END;
        END IF;
      END
      $do$`);

    this.addSql(`
      ALTER TABLE accounts
        ADD COLUMN plan_changed_at timestamptz,
        ADD COLUMN previous_plan text CHECK (previous_plan IN ('FREE', 'STANDARD', 'PREMIUM', 'ENTERPRISE'))`);
    // The plan-change record drives the purge's grace: only this trigger writes it.
    this.addSql(`
      CREATE FUNCTION accounts_plan_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          NEW.plan_changed_at := NULL;
          NEW.previous_plan := NULL;
        ELSIF NEW.plan IS DISTINCT FROM OLD.plan THEN
          NEW.plan_changed_at := now();
          NEW.previous_plan := OLD.plan;
        ELSE
          NEW.plan_changed_at := OLD.plan_changed_at;
          NEW.previous_plan := OLD.previous_plan;
        END IF;
        RETURN NEW;
      END
      $fn$`);
    this.addSql(`
      CREATE TRIGGER accounts_plan_change BEFORE INSERT OR UPDATE ON accounts
      FOR EACH ROW EXECUTE FUNCTION accounts_plan_change()`);

    // Mirrors src/entitlements/plans.ts (plans without the audit log keep the longest retention); a test compares them.
    this.addSql(`
      CREATE FUNCTION audit_retention_days(p_plan text) RETURNS integer LANGUAGE sql IMMUTABLE AS $fn$
        SELECT CASE p_plan WHEN 'PREMIUM' THEN 90 WHEN 'ENTERPRISE' THEN 400 ELSE 400 END
      $fn$`);

    this.addSql(`
      CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        -- Only purge_audit_events runs as the owner role: nobody logs in as it or is a member of it.
        IF TG_OP = 'DELETE' AND current_user = '${OWNER}' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);

    this.addSql('DROP FUNCTION purge_audit_events(uuid, timestamptz)');
    this.addSql(`
      CREATE FUNCTION purge_audit_events(p_account uuid) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $fn$
      DECLARE
        v_plan text;
        v_previous text;
        v_changed timestamptz;
        v_days integer;
        v_seq bigint;
        v_hash text;
        v_count bigint;
      BEGIN
        SELECT plan, previous_plan, plan_changed_at INTO v_plan, v_previous, v_changed FROM accounts WHERE id = p_account;
        IF NOT FOUND THEN
          RETURN 0;
        END IF;
        v_days := audit_retention_days(v_plan);
        -- For 30 days after a plan change the history keeps what the previous plan kept.
        IF v_previous IS NOT NULL AND v_changed > now() - interval '30 days' THEN
          v_days := greatest(v_days, audit_retention_days(v_previous));
        END IF;
        -- Serialise with appends to this account's chain.
        PERFORM 1 FROM audit_chain_heads WHERE account_id = p_account FOR UPDATE;
        SELECT seq, hash INTO v_seq, v_hash FROM audit_events
         WHERE account_id = p_account AND occurred_at < now() - make_interval(days => v_days)
         ORDER BY seq DESC LIMIT 1;
        IF v_seq IS NULL THEN
          RETURN 0;
        END IF;
        DELETE FROM audit_events WHERE account_id = p_account AND seq <= v_seq;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        INSERT INTO audit_checkpoints (account_id, purged_through_seq, last_hash, purged_count)
        VALUES (p_account, v_seq, v_hash, v_count);
        RETURN v_count;
      END
      $fn$`);

    this.addSql(`
      CREATE FUNCTION audit_checkpoints_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' AND current_user = '${OWNER}' THEN
          RETURN NEW;
        END IF;
        IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
          RETURN coalesce(NEW, OLD);
        END IF;
        RAISE EXCEPTION 'audit_checkpoints are written only by purge_audit_events: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    this.addSql(`
      CREATE TRIGGER audit_checkpoints_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_guard()`);
    this.addSql(`
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_guard()`);

    // UPDATE is checked after the row changed: the append writes the event in the same statement (a CTE).
    this.addSql(`
      CREATE FUNCTION audit_chain_heads_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count bigint;
        v_hash text;
      BEGIN
        IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
          RETURN coalesce(NEW, OLD);
        END IF;
        IF TG_OP = 'INSERT' THEN
          IF NEW.last_seq = 0 AND NEW.last_hash = repeat('0', 64) THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'an audit chain head starts at seq 0 with the genesis hash' USING ERRCODE = 'insufficient_privilege';
        ELSIF TG_OP = 'UPDATE' THEN
          IF NEW.account_id IS DISTINCT FROM OLD.account_id OR NEW.last_seq < OLD.last_seq
             OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash IS DISTINCT FROM OLD.last_hash) THEN
            RAISE EXCEPTION 'the audit chain head only moves forward' USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF NEW.last_seq > OLD.last_seq THEN
            SELECT count(*) INTO v_count FROM audit_events
             WHERE account_id = NEW.account_id AND seq > OLD.last_seq AND seq <= NEW.last_seq;
            SELECT hash INTO v_hash FROM audit_events WHERE account_id = NEW.account_id AND seq = NEW.last_seq;
            IF v_count <> NEW.last_seq - OLD.last_seq OR v_hash IS DISTINCT FROM NEW.last_hash THEN
              RAISE EXCEPTION 'the audit chain head moves only onto the events appended, to the newest one''s hash'
                USING ERRCODE = 'insufficient_privilege';
            END IF;
          END IF;
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_chain_heads: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    this.addSql(`
      CREATE TRIGGER audit_chain_heads_guard BEFORE INSERT OR DELETE ON audit_chain_heads
      FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_guard()`);
    this.addSql(`
      CREATE TRIGGER audit_chain_heads_forward AFTER UPDATE ON audit_chain_heads
      FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_guard()`);
    this.addSql(`
      CREATE TRIGGER audit_chain_heads_no_truncate BEFORE TRUNCATE ON audit_chain_heads
      FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_heads_guard()`);

    // Pinned search paths: a caller's temporary table must not stand in for a real one (pg_temp last).
    this.addSql(`
      DO $do$
      DECLARE
        v_function text;
        v_table text;
        v_super boolean := (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
        v_member boolean := pg_catalog.pg_has_role(current_user, '${OWNER}', 'MEMBER');
      BEGIN
        FOREACH v_function IN ARRAY ARRAY['${OWNED_FUNCTIONS.join("', '")}'] LOOP
          EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', v_function, current_schema());
        END LOOP;
        -- A non-superuser may hand objects to a role only while it is a member of it; it stays one no longer.
        IF NOT v_super AND NOT v_member THEN
          EXECUTE format('GRANT ${OWNER} TO %I', current_user);
        END IF;
        FOREACH v_table IN ARRAY ARRAY['${OWNED_TABLES.join("', '")}'] LOOP
          EXECUTE format('ALTER TABLE %I OWNER TO ${OWNER}', v_table);
        END LOOP;
        FOREACH v_function IN ARRAY ARRAY['${OWNED_FUNCTIONS.join("', '")}'] LOOP
          EXECUTE format('ALTER FUNCTION %s OWNER TO ${OWNER}', v_function);
        END LOOP;
        GRANT SELECT ON accounts TO ${OWNER};
        REVOKE EXECUTE ON FUNCTION purge_audit_events(uuid) FROM PUBLIC;
        IF NOT v_super THEN
          -- The migrating role is the service's: what it needs of the audit tables, and no more.
          EXECUTE format('GRANT SELECT, INSERT ON audit_events TO %I', current_user);
          EXECUTE format('GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO %I', current_user);
          EXECUTE format('GRANT SELECT ON audit_checkpoints TO %I', current_user);
          EXECUTE format('GRANT EXECUTE ON FUNCTION purge_audit_events(uuid) TO %I', current_user);
        END IF;
        IF NOT v_super AND NOT v_member THEN
          EXECUTE format('REVOKE ${OWNER} FROM %I', current_user);
        END IF;
      END
      $do$`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      DO $do$
      BEGIN
        EXECUTE format('ALTER TABLE audit_events OWNER TO %I', current_user);
        EXECUTE format('ALTER TABLE audit_checkpoints OWNER TO %I', current_user);
        EXECUTE format('ALTER TABLE audit_chain_heads OWNER TO %I', current_user);
        EXECUTE format('ALTER FUNCTION audit_events_append_only() OWNER TO %I', current_user);
      END
      $do$`);
    this.addSql('REVOKE SELECT ON accounts FROM keyledger_audit_owner');
    this.addSql('DROP TRIGGER audit_chain_heads_guard ON audit_chain_heads');
    this.addSql('DROP TRIGGER audit_chain_heads_forward ON audit_chain_heads');
    this.addSql('DROP TRIGGER audit_chain_heads_no_truncate ON audit_chain_heads');
    this.addSql('DROP TRIGGER audit_checkpoints_guard ON audit_checkpoints');
    this.addSql('DROP TRIGGER audit_checkpoints_no_truncate ON audit_checkpoints');
    this.addSql('DROP TRIGGER accounts_plan_change ON accounts');
    this.addSql(
      'DROP FUNCTION audit_chain_heads_guard(), audit_checkpoints_guard(), accounts_plan_change(), purge_audit_events(uuid)',
    );
    this.addSql(`
      CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('keyledger.audit_purge', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    this.addSql('ALTER FUNCTION audit_events_append_only() RESET search_path');
    this.addSql(`
      CREATE FUNCTION purge_audit_events(p_account uuid, p_before timestamptz) RETURNS bigint LANGUAGE plpgsql AS $fn$
      DECLARE
        v_seq bigint;
        v_hash text;
        v_count bigint;
      BEGIN
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
    this.addSql('DROP FUNCTION audit_retention_days(text)');
    this.addSql('ALTER TABLE accounts DROP COLUMN plan_changed_at, DROP COLUMN previous_plan');
  }
}
