import { Migration } from '@mikro-orm/migrations';

/**
 * The channel of every audit event (`via`): which face the change came through
 * — `GRAPHQL` (HTTP or WebSocket), `MCP` (an AI agent's tool call) or `CLI` —
 * so an admin can tell agent actions apart. Events written before it were all
 * GraphQL's (or the CLI's bootstrap, indistinguishable now): they read as
 * `GRAPHQL`. Adding a column with a constant default rewrites no row, so the
 * append-only trigger is not involved and every stored hash stays valid (the
 * hash covers `via` only when it is not `GRAPHQL`, see `audit-chain.ts`).
 *
 * `audit_events` belongs to `keyledger_audit_owner`: run as a superuser, like
 * the migration that handed it over.
 */
export class Migration20261202100000_audit_via extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ALTER TABLE audit_events
        ADD COLUMN via text NOT NULL DEFAULT 'GRAPHQL' CHECK (via IN ('GRAPHQL', 'MCP', 'CLI'))`);
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE audit_events DROP COLUMN via');
  }
}
