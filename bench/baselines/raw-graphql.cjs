'use strict';
// Baseline (a) of scenario 1 and of scenario 3: the fastest honest plain version of keyledger's
// `apiKeys(first: 20)` and of an API key's `createApiKey` (see CREATE_SQL) — node:http + graphql-js `execute` on the same schema
// (schema/schema.graphql) with a parsed-and-validated document cache, and a
// `pg` Pool. It does the same work per request: read the body, authenticate
// the API key (SHA-256 digest → one indexed lookup joined with the creator's
// membership, revoked/expired/role checks), check keys:read, then one SQL
// statement for the page, its total count and both user relations. Nothing
// else is in the way: no rate limiter, no ORM, no plugins, no logging.
//
// env: DATABASE_URL, PORT (0 = any), DB_POOL_MAX (default 10)

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { buildSchema, execute, parse, validate, getOperationAST } = require('graphql');
const pg = require('pg');

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX || 10) });
pool.on('error', () => undefined);

const schema = buildSchema(fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8'));
/** @type {import('graphql').GraphQLScalarType} */ (schema.getType('DateTime')).serialize = (value) =>
  value instanceof Date ? value.toISOString() : value;

const SCOPE_NAMES = {
  'keys:read': 'KEYS_READ',
  'keys:write': 'KEYS_WRITE',
  'audit:read': 'AUDIT_READ',
  'audit:export': 'AUDIT_EXPORT',
  'settings:read': 'SETTINGS_READ',
  'settings:write': 'SETTINGS_WRITE',
  'members:read': 'MEMBERS_READ',
  'members:write': 'MEMBERS_WRITE',
};
const ROLE_CAN_READ_KEYS = new Set(['OWNER', 'ADMIN', 'MEMBER']);

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const cursorOf = (createdAt, id) =>
  Buffer.from(JSON.stringify(['api_key', createdAt.toISOString(), id])).toString('base64url');

const PAGE_SQL = `
  SELECT k.id, k.name, k.purpose, k.description, k.scopes, k.display_key, k.created_at, k.expires_at, k.last_used_at,
         k.last_used_ip, k.revoked_at, k.revoke_reason, k.rotated_at, k.handoff_to, k.requests_since_rotation,
         cb.id AS created_by_id, cb.email AS created_by_email, rb.id AS revoked_by_id, rb.email AS revoked_by_email,
         ow.id AS owner_id, ow.email AS owner_email,
         count(*) OVER () AS total
    FROM api_keys k
    LEFT JOIN users ow ON ow.id = k.owner_id
    LEFT JOIN users cb ON cb.id = k.created_by_id
    LEFT JOIN users rb ON rb.id = k.revoked_by_id
   WHERE k.account_id = $1`;

schema.getQueryType().getFields().apiKeys.resolve = async (_root, args, ctx) => {
  const { principal } = ctx;
  if (!principal) throw new HttpError(200, 'UNAUTHENTICATED', 'Not authenticated');
  if (!principal.scopes.includes('keys:read') || !ROLE_CAN_READ_KEYS.has(principal.role)) {
    throw new Error('Not allowed: this API key lacks the "keys:read" permission');
  }
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new Error('first must be between 1 and 100');
  if (args.status) throw new Error('status filter is not implemented by this baseline');
  let sql = PAGE_SQL;
  const params = [principal.accountId];
  if (args.after) {
    const [kind, createdAt, id] = JSON.parse(Buffer.from(args.after, 'base64url').toString('utf8'));
    if (kind !== 'api_key') throw new Error('after is not a valid cursor');
    // The total counts the whole list; the window runs before the keyset condition is applied below.
    sql = `SELECT * FROM (${PAGE_SQL}) page WHERE (created_at, id) < ($2, $3)`;
    params.push(new Date(createdAt), id);
  }
  sql += ` ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1}`;
  params.push(first + 1);
  const { rows } = await pool.query(
    args.after ? { text: sql, values: params } : { name: 'page', text: sql, values: params },
  );
  const now = Date.now();
  const nodes = rows.slice(0, first);
  const edges = nodes.map((row) => ({
    cursor: cursorOf(row.created_at, row.id),
    node: {
      id: row.id,
      name: row.name,
      purpose: row.purpose,
      description: row.description,
      scopes: row.scopes.map((scope) => SCOPE_NAMES[scope] ?? scope),
      displayKey: row.display_key,
      status: row.revoked_at
        ? 'REVOKED'
        : row.expires_at && row.expires_at.getTime() <= now
          ? 'EXPIRED'
          : row.rotated_at
            ? 'ROTATING'
            : 'ACTIVE',
      createdAt: row.created_at,
      createdBy: row.created_by_id ? { id: row.created_by_id, email: row.created_by_email } : null,
      owner: row.owner_id ? { id: row.owner_id, email: row.owner_email } : null,
      handoffTo: row.handoff_to,
      requestsSinceRotation: row.rotated_at ? Number(row.requests_since_rotation) : null,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
      lastUsedIp: row.last_used_ip,
      revokedAt: row.revoked_at,
      revokedBy: row.revoked_by_id ? { id: row.revoked_by_id, email: row.revoked_by_email } : null,
      revokeReason: row.revoke_reason,
      rotatedAt: row.rotated_at,
    },
  }));
  return {
    totalCount: rows.length > 0 ? Number(rows[0].total) : 0,
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
};

// createApiKey (scenario 3): the audited write as one statement, one round trip after authentication —
// under the account's lock, count the active keys against the plan's limit, insert the key, lock the
// chain head, insert the event hashed as sha256(prev_hash ‖ canonical JSON, seq filled in by SQL) and
// move the head. The key's expiry follows the account's default lifetime (read with the API key) and
// cannot outlive the creating key.
const CREATE_SQL = `
  WITH account AS (
    SELECT id FROM accounts WHERE id = $1 FOR UPDATE),
  active AS (
    SELECT count(*) AS n FROM api_keys
     WHERE account_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $8)),
  created AS (
    INSERT INTO api_keys (id, account_id, name, purpose, scopes, digest, display_key, created_at, created_by_id,
                          owner_id, created_by_key_id, expires_at)
    SELECT $2, $1, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11 FROM account, active WHERE active.n < $12
    RETURNING id),
  head AS (
    SELECT last_seq, last_hash FROM audit_chain_heads WHERE account_id = $1 FOR UPDATE),
  event AS (
    INSERT INTO audit_events (id, account_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_display,
                              actor_scopes, target_type, target_id, target_display, metadata, ip, user_agent,
                              request_id, prev_hash, hash)
    SELECT $13, $1, head.last_seq + 1, $8, 'api_key.created', 'SUCCESS', 'API_KEY', $10, $14, $15, 'api_key', $2,
           $16, $17::jsonb, $18, $19, $20, head.last_hash,
           encode(sha256(convert_to(head.last_hash || $21 || (head.last_seq + 1)::text || $22, 'UTF8')), 'hex')
      FROM head, created
    RETURNING seq, hash)
  UPDATE audit_chain_heads h SET last_seq = event.seq, last_hash = event.hash FROM event
   WHERE h.account_id = $1
  RETURNING event.seq`;

const SCOPE_VALUES = Object.fromEntries(Object.entries(SCOPE_NAMES).map(([value, name]) => [name, value]));
const ROLE_CAN_WRITE_KEYS = new Set(['OWNER', 'ADMIN']);
const MAX_ACTIVE_KEYS = 1000; // ENTERPRISE
const DAY_MS = 86_400_000;

/** JSON with sorted keys at every depth (the event's canonical form). */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

schema.getMutationType().getFields().createApiKey.resolve = async (_root, { input }, ctx) => {
  const { principal, request } = ctx;
  if (!principal.scopes.includes('keys:write') || !ROLE_CAN_WRITE_KEYS.has(principal.role)) {
    throw new Error('Not allowed: this API key lacks the "keys:write" permission');
  }
  const name = String(input.name).trim();
  if (name.length < 1 || name.length > 100) throw new Error('name must be 1 to 100 characters');
  const scopes = [...new Set(input.scopes.map((scope) => SCOPE_VALUES[scope]))];
  if (scopes.some((scope) => !principal.scopes.includes(scope))) throw new Error('a key cannot grant scopes it lacks');
  const now = new Date();
  let expiresAt = new Date(now.getTime() + principal.defaultLifetimeDays * DAY_MS);
  if (principal.expiresAt && principal.expiresAt < expiresAt) expiresAt = principal.expiresAt;
  const secret = `kl_live_${crypto.randomBytes(24).toString('base64url')}`;
  const key = {
    id: crypto.randomUUID(),
    name,
    purpose: input.purpose,
    scopes,
    displayKey: `${secret.slice(0, 12)}…${secret.slice(-4)}`,
    createdAt: now,
    expiresAt,
  };
  const eventId = crypto.randomUUID();
  const target = { display: `${name} (${key.displayKey})`, id: key.id, type: 'api_key' };
  const metadata = { expiresAt: expiresAt.toISOString(), name, purpose: key.purpose, scopes };
  const content = {
    accountId: principal.accountId,
    action: 'api_key.created',
    actor: { display: principal.displayKey, id: principal.keyId, scopes: principal.scopes, type: 'API_KEY' },
    changes: [],
    id: eventId,
    ip: request.ip,
    metadata,
    occurredAt: now.toISOString(),
    outcome: 'SUCCESS',
    requestId: request.id,
  };
  const prefix = `${canonical(content).slice(0, -1)},"seq":`;
  const suffix = `,"target":${canonical(target)},"userAgent":${JSON.stringify(request.userAgent)}}`;
  const { rows } = await pool.query({
    name: 'create',
    text: CREATE_SQL,
    values: [
      principal.accountId,
      key.id,
      name,
      key.purpose,
      scopes,
      crypto.createHash('sha256').update(secret).digest('hex'),
      key.displayKey,
      now,
      principal.ownerId,
      principal.keyId,
      expiresAt,
      MAX_ACTIVE_KEYS,
      eventId,
      principal.displayKey,
      principal.scopes,
      target.display,
      JSON.stringify(metadata),
      request.ip,
      request.userAgent,
      request.id,
      prefix,
      suffix,
    ],
  });
  if (rows.length === 0) throw new Error(`The ENTERPRISE plan allows ${MAX_ACTIVE_KEYS} active API keys`);
  return {
    secret,
    apiKey: {
      ...key,
      scopes: scopes.map((scope) => SCOPE_NAMES[scope]),
      status: 'ACTIVE',
      owner: { id: principal.ownerId, email: principal.ownerEmail },
    },
  };
};

const KEY_SQL = `
  SELECT k.id, k.account_id, k.display_key, k.scopes, k.expires_at, k.revoked_at, k.owner_id, m.role
    FROM api_keys k
    LEFT JOIN memberships m ON m.account_id = k.account_id AND m.user_id = k.owner_id
   WHERE k.digest = $1`;

/** For a mutation: the key with its owner's email and the account's default key lifetime (same round trip). */
const KEY_SQL_WRITE = `
  SELECT k.id, k.account_id, k.display_key, k.scopes, k.expires_at, k.revoked_at, k.owner_id, m.role,
         u.email AS owner_email, a.default_key_lifetime_days
    FROM api_keys k
    LEFT JOIN memberships m ON m.account_id = k.account_id AND m.user_id = k.owner_id
    LEFT JOIN users u ON u.id = k.owner_id
    JOIN accounts a ON a.id = k.account_id
   WHERE k.digest = $1`;

async function authenticate(header, write) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match || !match[1].startsWith('kl_')) throw new HttpError(401, 'UNAUTHENTICATED', 'Invalid API key');
  const digest = crypto.createHash('sha256').update(match[1]).digest('hex');
  const { rows } = await pool.query(
    write
      ? { name: 'key_write', text: KEY_SQL_WRITE, values: [digest] }
      : { name: 'key', text: KEY_SQL, values: [digest] },
  );
  const row = rows[0];
  if (
    !row ||
    row.revoked_at ||
    (row.expires_at && row.expires_at.getTime() <= Date.now()) ||
    !row.role ||
    !row.owner_id
  ) {
    throw new HttpError(401, 'UNAUTHENTICATED', 'Invalid API key');
  }
  return {
    keyId: row.id,
    accountId: row.account_id,
    displayKey: row.display_key,
    scopes: row.scopes,
    role: row.role,
    expiresAt: row.expires_at,
    ownerId: row.owner_id,
    ownerEmail: row.owner_email,
    defaultLifetimeDays: row.default_key_lifetime_days,
  };
}

/** query text → { document, errors }: parse and validate once per distinct query. */
const documents = new Map();
function documentFor(query) {
  let cached = documents.get(query);
  if (!cached) {
    let document;
    let errors;
    try {
      document = parse(query);
      errors = validate(schema, document);
    } catch (error) {
      errors = [error];
    }
    cached = { document, errors: errors.length > 0 ? errors : undefined };
    if (documents.size < 1000) documents.set(query, cached);
  }
  return cached;
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function handle(req, res) {
  try {
    if (req.method !== 'POST' || req.url !== '/graphql') return send(res, 404, { error: 'not found' });
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const { document, errors } = documentFor(query);
    if (errors) return send(res, 400, { errors: errors.map((error) => ({ message: error.message })) });
    const operation = getOperationAST(document, operationName)?.operation;
    if (operation === 'subscription') return send(res, 400, { errors: [{ message: 'no subscriptions over HTTP' }] });
    const principal = await authenticate(req.headers.authorization, operation === 'mutation');
    const request = {
      id: crypto.randomUUID(),
      ip: req.socket.remoteAddress ?? null,
      userAgent: String(req.headers['user-agent'] ?? ''),
    };
    const result = await execute({
      schema,
      document,
      variableValues: variables,
      operationName,
      contextValue: { principal, request },
    });
    send(res, 200, result);
  } catch (error) {
    if (error instanceof HttpError)
      return send(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
    send(res, 500, { errors: [{ message: String(error && error.message) }] });
  }
}

const server = http.createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(
    `raw-graphql listening on http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/graphql\n`,
  );
});
const stop = () => {
  server.close(() => pool.end().finally(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
