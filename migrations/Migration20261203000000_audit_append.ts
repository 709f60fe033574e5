import { Migration } from '@mikro-orm/migrations';

/** The columns an appended event takes from the caller (the rest — account, seq and hashes — the function sets). */
const EVENT_COLUMNS = [
  'id',
  'occurred_at',
  'action',
  'outcome',
  'actor_type',
  'actor_id',
  'actor_display',
  'actor_scopes',
  'target_type',
  'target_id',
  'target_display',
  'changes',
  'metadata',
  'ip',
  'user_agent',
  'request_id',
  'via',
  'reported_at',
  'submitted_by',
];

/**
 * Audited changes in one round trip each (issue 17).
 *
 * `audit_append(account, events)` appends events to an
 * account's chain inside the caller's statement: it locks the chain head
 * (creating it at seq 0 for the account's first event), numbers the events
 * after it, chains their hashes, inserts them and moves the head, and returns
 * each event's seq and hashes. The hash is the same as before,
 * `sha256(prev_hash ‖ canonical JSON of the event)`: each event's JSON row
 * carries its canonical JSON cut around the one value the application cannot
 * know before the head is locked (`hash_prefix` ends in `"seq":`,
 * `hash_suffix` follows the number), so PostgreSQL only joins
 * `prev_hash ‖ prefix ‖ seq ‖ suffix` and hashes it. Old events, the verifier
 * and the digests are unchanged.
 *
 * `api_key_create(...)` is createApiKey's write: under the account's lock it
 * answers an idempotency key already used with the first key, checks what the
 * service computed from (the expiry policy and plan behind the expiry and the
 * quota, the creating key still working with the expiry it had), counts the
 * active keys against the plan's limit, inserts the key, remembers the
 * idempotency key and appends the event — the whole change one statement, so
 * one round trip and one transaction. Its answer says which check failed, if
 * one did, with the account's current plan and policy (the service computes
 * again from them), and the owner's email and name for the created key.
 */
export class Migration20261203000000_audit_append extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE FUNCTION audit_append(p_account uuid, p_events jsonb)
      RETURNS TABLE (appended_seq bigint, appended_prev_hash text, appended_hash text)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_seq bigint;
        v_hash text;
        v_count integer := jsonb_array_length(p_events);
        v_seqs bigint[] := '{}';
        v_prevs text[] := '{}';
        v_hashes text[] := '{}';
      BEGIN
        SELECT h.last_seq, h.last_hash INTO v_seq, v_hash FROM audit_chain_heads h WHERE h.account_id = p_account FOR UPDATE;
        IF NOT FOUND THEN
          -- The account's first event: concurrent first writers meet at the primary key.
          INSERT INTO audit_chain_heads (account_id, last_seq, last_hash) VALUES (p_account, 0, repeat('0', 64))
          ON CONFLICT DO NOTHING;
          SELECT h.last_seq, h.last_hash INTO v_seq, v_hash FROM audit_chain_heads h WHERE h.account_id = p_account FOR UPDATE;
        END IF;
        FOR i IN 1 .. v_count LOOP
          v_seqs := v_seqs || (v_seq + i);
          v_prevs := v_prevs || v_hash;
          v_hash := encode(sha256(convert_to(
            v_hash || (p_events->(i - 1)->>'hash_prefix') || (v_seq + i)::text || (p_events->(i - 1)->>'hash_suffix'),
            'UTF8')), 'hex');
          v_hashes := v_hashes || v_hash;
        END LOOP;
        INSERT INTO audit_events (account_id, seq, prev_hash, hash, ${EVENT_COLUMNS.join(', ')})
        SELECT p_account, v_seqs[e.ordinality], v_prevs[e.ordinality], v_hashes[e.ordinality],
               ${EVENT_COLUMNS.map((column) => (column === 'via' ? "coalesce(e.via, 'GRAPHQL')" : column === 'changes' ? "coalesce(e.changes, '[]')" : `e.${column}`)).join(', ')}
          FROM jsonb_populate_recordset(NULL::audit_events, p_events) WITH ORDINALITY AS e;
        UPDATE audit_chain_heads SET last_seq = v_seq + v_count, last_hash = v_hash WHERE account_id = p_account;
        RETURN QUERY SELECT unnest(v_seqs), unnest(v_prevs), unnest(v_hashes);
      END
      $fn$`);

    this.addSql(`
      CREATE FUNCTION api_key_create(
        p_key jsonb,
        p_plan text,
        p_policy jsonb,
        p_max_active integer,
        p_creator_key uuid,
        p_creator_expires_at timestamptz,
        p_idempotency_key text,
        p_events jsonb
      )
      RETURNS TABLE (outcome text, resource_id uuid, appended_seq bigint, appended_prev_hash text, appended_hash text,
                     plan text, policy jsonb, owner_email text, owner_name text)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_account uuid := (p_key->>'account_id')::uuid;
        v_now timestamptz := (p_key->>'created_at')::timestamptz;
        v_row accounts%ROWTYPE;
        v_policy jsonb;
        v_earlier uuid;
        v_email text;
        v_name text;
      BEGIN
        -- The account lock serialises creates: the idempotency check and the quota below are exact.
        SELECT * INTO v_row FROM accounts WHERE id = v_account FOR UPDATE;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'account_gone', NULL::uuid, NULL::bigint, NULL::text, NULL::text,
                              NULL::text, NULL::jsonb, NULL::text, NULL::text;
          RETURN;
        END IF;
        v_policy := jsonb_build_object(
          'require_key_expiration', v_row.require_key_expiration,
          'default_key_lifetime_days', v_row.default_key_lifetime_days,
          'max_key_lifetime_days', v_row.max_key_lifetime_days);
        IF p_idempotency_key IS NOT NULL THEN
          SELECT i.resource_id INTO v_earlier FROM idempotency_keys i
           WHERE i.account_id = v_account AND i.operation = 'createApiKey' AND i.key = p_idempotency_key
             AND i.created_at > now() - interval '24 hours';
          IF v_earlier IS NOT NULL AND EXISTS (SELECT 1 FROM api_keys k WHERE k.id = v_earlier) THEN
            RETURN QUERY SELECT 'replayed', v_earlier, NULL::bigint, NULL::text, NULL::text,
                                v_row.plan, v_policy, NULL::text, NULL::text;
            RETURN;
          END IF;
        END IF;
        IF v_row.plan <> p_plan OR v_policy <> p_policy THEN
          -- What the service computed from is out of date: here is the current state to compute again from.
          RETURN QUERY SELECT 'stale', NULL::uuid, NULL::bigint, NULL::text, NULL::text,
                              v_row.plan, v_policy, NULL::text, NULL::text;
          RETURN;
        END IF;
        IF p_creator_key IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM api_keys k
           WHERE k.id = p_creator_key AND k.account_id = v_account AND k.revoked_at IS NULL
             AND date_trunc('milliseconds', k.expires_at) IS NOT DISTINCT FROM p_creator_expires_at
             AND (k.expires_at IS NULL OR k.expires_at > v_now)) THEN
          RETURN QUERY SELECT 'creator_changed', NULL::uuid, NULL::bigint, NULL::text, NULL::text,
                              v_row.plan, v_policy, NULL::text, NULL::text;
          RETURN;
        END IF;
        IF (SELECT count(*) FROM api_keys k
             WHERE k.account_id = v_account AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > v_now))
           >= p_max_active THEN
          RETURN QUERY SELECT 'quota', NULL::uuid, NULL::bigint, NULL::text, NULL::text,
                              v_row.plan, v_policy, NULL::text, NULL::text;
          RETURN;
        END IF;
        INSERT INTO api_keys (id, account_id, name, purpose, description, scopes, digest, display_key, created_at,
                              created_by_id, owner_id, created_by_key_id, expires_at, handoff_to)
        SELECT r.id, v_account, r.name, r.purpose, r.description, r.scopes, r.digest, r.display_key, r.created_at,
               r.created_by_id, r.owner_id, r.created_by_key_id, r.expires_at, r.handoff_to
          FROM jsonb_populate_record(NULL::api_keys, p_key) r;
        IF p_idempotency_key IS NOT NULL THEN
          INSERT INTO idempotency_keys (account_id, operation, key, resource_id)
          VALUES (v_account, 'createApiKey', p_idempotency_key, (p_key->>'id')::uuid)
          ON CONFLICT (account_id, operation, key) DO UPDATE SET resource_id = excluded.resource_id, created_at = now();
        END IF;
        SELECT u.email, u.name INTO v_email, v_name FROM users u WHERE u.id = (p_key->>'owner_id')::uuid;
        RETURN QUERY SELECT 'created', (p_key->>'id')::uuid, a.appended_seq, a.appended_prev_hash, a.appended_hash,
                            v_row.plan, v_policy, v_email, v_name
          FROM audit_append(v_account, p_events) a;
      END
      $fn$`);

    // Pinned search paths: a caller's temporary table must not stand in for a real one (pg_temp last).
    this.addSql(`
      DO $do$
      BEGIN
        EXECUTE format('ALTER FUNCTION audit_append(uuid, jsonb) SET search_path = %I, pg_temp', current_schema());
        EXECUTE format('ALTER FUNCTION api_key_create(jsonb, text, jsonb, integer, uuid, timestamptz, text, jsonb) SET search_path = %I, pg_temp', current_schema());
      END
      $do$`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP FUNCTION api_key_create(jsonb, text, jsonb, integer, uuid, timestamptz, text, jsonb)');
    this.addSql('DROP FUNCTION audit_append(uuid, jsonb)');
  }
}
