import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126000000_foundation } from './Migration20261126000000_foundation';
import { Migration20261126010000_audit_log } from './Migration20261126010000_audit_log';
import { Migration20261126020000_rate_limits_idempotency } from './Migration20261126020000_rate_limits_idempotency';
import { Migration20261130000000_key_lineage } from './Migration20261130000000_key_lineage';
import { Migration20261201000000_audit_guard } from './Migration20261201000000_audit_guard';
import { Migration20261202000000_sessions } from './Migration20261202000000_sessions';
import { Migration20261202100000_audit_via } from './Migration20261202100000_audit_via';
import { Migration20261202200000_key_owners } from './Migration20261202200000_key_owners';
import { Migration20261202300000_audit_ingest_review } from './Migration20261202300000_audit_ingest_review';
import { Migration20261202400000_audit_digests } from './Migration20261202400000_audit_digests';
import { Migration20261203000000_audit_append } from './Migration20261203000000_audit_append';

/** Every migration, in order. Listed explicitly so compiled and test runs apply the same set. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261126000000_foundation', class: Migration20261126000000_foundation },
  { name: 'Migration20261126010000_audit_log', class: Migration20261126010000_audit_log },
  { name: 'Migration20261126020000_rate_limits_idempotency', class: Migration20261126020000_rate_limits_idempotency },
  { name: 'Migration20261130000000_key_lineage', class: Migration20261130000000_key_lineage },
  { name: 'Migration20261201000000_audit_guard', class: Migration20261201000000_audit_guard },
  { name: 'Migration20261202000000_sessions', class: Migration20261202000000_sessions },
  { name: 'Migration20261202100000_audit_via', class: Migration20261202100000_audit_via },
  { name: 'Migration20261202200000_key_owners', class: Migration20261202200000_key_owners },
  { name: 'Migration20261202300000_audit_ingest_review', class: Migration20261202300000_audit_ingest_review },
  { name: 'Migration20261202400000_audit_digests', class: Migration20261202400000_audit_digests },
  { name: 'Migration20261203000000_audit_append', class: Migration20261203000000_audit_append },
];
