'use strict';
// Data for the scenarios: accounts through the CLI, API keys through the API,
// bulk audit events through one INSERT … SELECT generate_series.

const path = require('node:path');
const { print } = require('graphql');
const { ROOT, run } = require('./procs.cjs');
const { gqlOk } = require('./load.cjs');
const { log, mapLimit } = require('./util.cjs');

const generated = require(path.join(ROOT, 'dist/src/client/generated/graphql.js'));

/** The typed documents of the product's client, as query text. */
const DOCS = Object.fromEntries(
  Object.entries(generated)
    .filter(([name]) => name.endsWith('Document'))
    .map(([name, document]) => [name.replace(/Document$/, ''), print(document)]),
);

/**
 * The list query of scenarios 1, 2, 6 and 8: one page of keys with the fields the
 * partner client's fragment had on 2026-11-27. Fixed here (not the product's
 * ApiKeys document, which grew with key owners and usage) so that the ratios stay
 * comparable from run to run; operation name ApiKeys as before.
 */
const LIST_QUERY = `query ApiKeys($first: Int, $after: String) {
  apiKeys(first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id name purpose description scopes displayKey status createdAt
        createdBy { id email }
        expiresAt lastUsedAt lastUsedIp revokedAt
        revokedBy { id email }
        revokeReason rotatedAt
      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/**
 * Scenario 3's audited write, answered by keyledger and the raw baseline alike: a key created by an
 * API key (keys:write), with the fields a client shows after creating one.
 */
const CREATE_QUERY = `mutation CreateApiKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    secret
    apiKey { id name purpose scopes displayKey status createdAt expiresAt owner { id email } }
  }
}`;

const SESSION_SECRET = 'keyledger-bench-session-secret-0123456789abcdef';

/** `keyledger bootstrap` → { accountId, userId, token } (session token of the OWNER, 8 h). */
async function bootstrapAccount(db, name, plan = 'ENTERPRISE') {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${process.pid}@bench.test`;
  const result = await run(
    process.execPath,
    [
      path.join(ROOT, 'dist/src/cli.js'),
      'bootstrap',
      '--account',
      name,
      '--email',
      email,
      '--plan',
      plan,
      '--ttl',
      '8h',
    ],
    { env: { DATABASE_URL: db.url, SESSION_SECRET, LOG_LEVEL: 'warn' } },
  );
  if (result.code !== 0) throw new Error(`bootstrap ${name} failed: ${result.stderr}`);
  return { ...JSON.parse(result.stdout.trim().split('\n').pop()), email, name };
}

async function bootstrapAccounts(db, names, plan = 'ENTERPRISE') {
  return mapLimit(names, 3, (name) => bootstrapAccount(db, name, plan));
}

/** createApiKey over HTTP → { id, secret }. */
async function createApiKey(graphqlUrl, token, input) {
  const data = await gqlOk(graphqlUrl, DOCS.CreateApiKey, { input }, token);
  return { id: data.createApiKey.apiKey.id, secret: data.createApiKey.secret };
}

const ACTIONS = [
  'api_key.created',
  'api_key.updated',
  'api_key.rotated',
  'api_key.revoked',
  'settings.updated',
  'member.invited',
  'member.role_changed',
  'member.removed',
  'plan.changed',
  'audit.exported',
];

/**
 * Appends `count` synthetic events to an account (seq after its current head),
 * occurred within the last `days` days, oldest first, every NOT NULL column set;
 * then moves the chain head to the last one. Returns the new head seq.
 * Each action in ACTIONS is 1/10 of the rows.
 */
async function bulkEvents(db, accountId, count, { days = 100, chunk = 100_000 } = {}) {
  const [head] = await db.sql('SELECT last_seq FROM audit_chain_heads WHERE account_id = $1', [accountId]);
  const start = Number(head?.last_seq ?? 0);
  const started = Date.now();
  // Time-ordered ids (PostgreSQL 18's uuidv7) keep the primary-key index append-only while seeding.
  const [{ v7 }] = await db.sql("SELECT to_regproc('uuidv7') IS NOT NULL AS v7");
  const newId = v7 ? 'uuidv7()' : 'gen_random_uuid()';
  const chunks = [];
  for (let offset = 0; offset < count; offset += chunk) chunks.push([offset, Math.min(chunk, count - offset)]);
  // Two chunks at a time: the insert is CPU-bound in one backend, and there are two cores.
  await mapLimit(chunks, 2, async ([offset, n]) => {
    await db.sql(
      `INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display,
         actor_scopes, target_type, target_id, target_display, changes, metadata, ip, user_agent, request_id, prev_hash, hash)
       SELECT ${newId}, $1::uuid, $2::bigint + g,
              now() - make_interval(secs => ($4::float8 * 86400) * (1 - g::float8 / ($3::float8 + 1))),
              ($5::text[])[1 + g % 10],
              CASE WHEN g % 50 = 0 THEN 'DENIED' ELSE 'SUCCESS' END,
              CASE WHEN g % 3 = 0 THEN 'API_KEY' ELSE 'USER' END,
              md5('actor' || (g % 20))::uuid::text,
              CASE WHEN g % 3 = 0 THEN 'kl_live_Ab12…' || substr(md5(g::text), 1, 4) ELSE 'member' || (g % 20) || '@bench.test' END,
              CASE WHEN g % 3 = 0 THEN ARRAY['keys:read', 'keys:write'] END,
              'api_key', md5('target' || (g % 500))::uuid::text, 'CI deploys ' || (g % 500) || ' (kl_live_Xy9z…a1b2)',
              jsonb_build_array(jsonb_build_object('field', 'name', 'before', 'deploys ' || g, 'after', 'deploys ' || (g + 1))),
              jsonb_build_object('purpose', 'LONG_RUNNING_WORKFLOW', 'scopes', jsonb_build_array('keys:read')),
              '10.0.' || (g % 250) || '.' || (g % 200), 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0',
              md5('req' || g)::uuid::text,
              md5((g - 1)::text) || md5('p' || (g - 1)), md5(g::text) || md5('p' || g)
         FROM generate_series($6::bigint, $7::bigint) AS g`,
      [accountId, start, count, days, ACTIONS, offset + 1, offset + n],
    );
  });
  const last = start + count;
  await db.sql(
    `UPDATE audit_chain_heads SET last_seq = $2, last_hash = (SELECT hash FROM audit_events WHERE account_id = $1 AND seq = $2)
      WHERE account_id = $1`,
    [accountId, last],
  );
  log(
    `  ${count.toLocaleString('en-US')} events into account ${accountId.slice(0, 8)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return last;
}

module.exports = {
  DOCS,
  LIST_QUERY,
  CREATE_QUERY,
  SESSION_SECRET,
  bootstrapAccount,
  bootstrapAccounts,
  createApiKey,
  bulkEvents,
  ACTIONS,
};
