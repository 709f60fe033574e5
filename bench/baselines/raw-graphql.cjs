'use strict';
// Baseline (a) of scenario 1: the fastest honest plain version of keyledger's
// `apiKeys(first: 20)` — node:http + graphql-js `execute` on the same schema
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

const KEY_SQL = `
  SELECT k.account_id, k.scopes, k.expires_at, k.revoked_at, k.owner_id, m.role
    FROM api_keys k
    LEFT JOIN memberships m ON m.account_id = k.account_id AND m.user_id = k.owner_id
   WHERE k.digest = $1`;

async function authenticate(header) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match || !match[1].startsWith('kl_')) throw new HttpError(401, 'UNAUTHENTICATED', 'Invalid API key');
  const digest = crypto.createHash('sha256').update(match[1]).digest('hex');
  const { rows } = await pool.query({ name: 'key', text: KEY_SQL, values: [digest] });
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
  return { accountId: row.account_id, scopes: row.scopes, role: row.role };
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
    if (getOperationAST(document, operationName)?.operation !== 'query')
      return send(res, 400, { errors: [{ message: 'queries only' }] });
    const principal = await authenticate(req.headers.authorization);
    const result = await execute({
      schema,
      document,
      variableValues: variables,
      operationName,
      contextValue: { principal },
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
