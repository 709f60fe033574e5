'use strict';
// The seeded data each scenario needs, created once per run through ctx.data().

const seed = require('./seed.cjs');
const { gqlOk } = require('./load.cjs');
const { log, mapLimit } = require('./util.cjs');

const ALL_SCOPES = [
  'KEYS_READ',
  'KEYS_WRITE',
  'AUDIT_READ',
  'AUDIT_EXPORT',
  'SETTINGS_READ',
  'SETTINGS_WRITE',
  'MEMBERS_READ',
  'MEMBERS_WRITE',
];

/**
 * An ENTERPRISE account with 31 API keys (3 of them revoked) created through the
 * API, so apiKeys(first: 20) returns a full page with both user relations.
 * Returns { account, sessionToken, apiKey } — apiKey is a KEYS_READ key's secret.
 */
function keysAccount(ctx, graphqlUrl) {
  return ctx.data('keys', async () => {
    await otherTenants(ctx);
    log('  seeding: keys account (31 API keys through createApiKey)');
    const [account] = await seed.bootstrapAccounts(ctx.db, ['Keys Co']);
    const created = await mapLimit([...Array(30).keys()], 4, (i) =>
      seed.createApiKey(graphqlUrl, account.token, {
        name: `integration ${i}`,
        purpose: ['TEMPORARY_INTEGRATION', 'LONG_RUNNING_WORKFLOW', 'TEAM_HANDOFF'][i % 3],
        handoffTo: i % 3 === 2 ? 'Data platform team' : null,
        description: i % 2 ? `Deploys service ${i} from CI` : null,
        scopes: ALL_SCOPES.slice(0, 1 + (i % ALL_SCOPES.length)),
      }),
    );
    for (const key of created.filter((_, i) => i % 10 === 3)) {
      await gqlOk(graphqlUrl, seed.DOCS.RevokeApiKey, { input: { id: key.id, reason: 'rotated out' } }, account.token);
    }
    const reader = await seed.createApiKey(graphqlUrl, account.token, {
      name: 'bench reader',
      purpose: 'LONG_RUNNING_WORKFLOW',
      scopes: ['KEYS_READ'],
    });
    return { account, sessionToken: account.token, apiKey: reader.secret };
  });
}

/** `count` ENTERPRISE accounts, one per concurrent writer. */
function writerAccounts(ctx, count = 8) {
  return ctx.data(`writers-${count}`, async () => {
    await otherTenants(ctx);
    log(`  seeding: ${count} writer accounts`);
    return seed.bootstrapAccounts(
      ctx.db,
      [...Array(count).keys()].map((i) => `Writer ${i + 1}`),
    );
  });
}

/**
 * Other tenants' API keys: 500 PREMIUM accounts with 40 keys each (20,000 rows), inserted in bulk and
 * analysed, so api_keys is the size a shared service's table is rather than a few rows (seeded before
 * the key list's and the writers' accounts, for every scenario that uses them). On a table of
 * a few rows, PostgreSQL plans (and caches, per connection) sequential scans for the key lookups and
 * the quota count, then keeps those plans while a run grows the table to thousands of rows: each run's
 * speed depended on which connections happened to plan while the table was small.
 */
function otherTenants(ctx) {
  return ctx.data('other-tenants', async () => {
    log('  seeding: other tenants (500 accounts, 20,000 API keys, bulk SQL)');
    await ctx.db.sql(
      `INSERT INTO accounts (id, name, plan) SELECT gen_random_uuid(), 'Tenant ' || g, 'PREMIUM' FROM generate_series(1, 500) g`,
    );
    await ctx.db.sql(
      `INSERT INTO api_keys (id, account_id, name, purpose, scopes, digest, display_key, created_at, expires_at)
       SELECT gen_random_uuid(), a.id, 'integration ' || k, 'LONG_RUNNING_WORKFLOW', '{keys:read}',
              encode(sha256(convert_to(a.id::text || ':' || k, 'UTF8')), 'hex'), 'kl_live_' || left(md5(a.id::text || k), 4) || '…',
              now() - make_interval(days => k), now() + make_interval(days => 365 - k)
         FROM accounts a CROSS JOIN generate_series(1, 40) k
        WHERE a.name LIKE 'Tenant %'`,
    );
    await ctx.db.sql('VACUUM (ANALYZE) api_keys');
  });
}

function fanoutAccount(ctx) {
  return ctx.data('fanout', async () => {
    log('  seeding: fan-out account');
    const [account] = await seed.bootstrapAccounts(ctx.db, ['Fanout Co']);
    return account;
  });
}

/** Two ENTERPRISE accounts with 10,000 and 1,000,000 audit events (bulk INSERT … SELECT generate_series). */
function logAccounts(ctx) {
  return ctx.data('log', async () => {
    log('  seeding: audit log accounts (10k and 1M events)');
    const [small, large] = await seed.bootstrapAccounts(ctx.db, ['Log 10k', 'Log 1M']);
    await seed.bulkEvents(ctx.db, small.accountId, 10_000);
    await seed.bulkEvents(ctx.db, large.accountId, 1_000_000);
    // What autovacuum would do after a bulk load (hint bits, visibility map, statistics), done now so it
    // neither runs in the middle of a measurement nor taxes the first export.
    await ctx.db.sql('VACUUM (ANALYZE) audit_events');
    return { small, large };
  });
}

module.exports = {
  otherTenants,
  keysAccount,
  writerAccounts,
  fanoutAccount,
  logAccounts,
};
