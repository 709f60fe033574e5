import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AccountService } from '../accounts/account.service';
import { Authenticator } from '../auth/authenticator';
import { SessionTokens } from '../auth/session-tokens';
import { AuditExportService } from '../audit/audit-export.service';
import { ExportDownloadError, ExportLinks } from '../audit/audit-export.links';
import { AuditService } from '../audit/audit.service';
import { AuditFeed, DEFAULT_FEED_OPTIONS } from '../audit/audit-feed';
import type { Plan } from '../entitlements/plans';
import type { Config } from '../config';
import { ApiKeyService } from '../keys/api-key.service';
import { KeyUsageTracker } from '../keys/key-usage';
import type { Context, Services } from './context';
import { AppError, ErrorCode, UnauthenticatedError, rateLimitedError } from '../shared/errors';
import { currentRequestId, pickRequestId, requestSeconds, withRequestId } from './request-scope';
import { recordedHeader } from '../shared/validation';
import { buildAppSchema } from './schema';
import { Metrics, holdsMetricsToken, operationLabel } from './metrics';
import { MAX_BODY_BYTES, checkQueryLimits, type QueryLimits } from '../shared/query-limits';
import {
  RateLimits,
  rateLimitHeaders,
  refusedDecision,
  type BudgetRule,
  type RateLimitVerdict,
} from '../ratelimit/rate-limiter';
import { rateLimitKeyOf, resolveClientIp, type TrustProxy } from '../ratelimit/client-ip';
import { attachWebSocketServer, type ContextInput } from './websocket';
import { queryRows, type Statement } from '../db/sql';

/** An account's current plan, read once per request that needs it. */
const ACCOUNT_PLAN: Statement = { name: 'account_plan', text: 'SELECT plan FROM accounts WHERE id = $1' };

/** Codes of request errors (Apollo's own and the query limits), safe to show as they are. */
const PUBLIC_REQUEST_CODES = new Set([
  ErrorCode.QUERY_TOO_COMPLEX,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.BAD_REQUEST,
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export interface AppDeps {
  config: Config;
  orm: MikroORM;
  logger: Logger;
  /** HS256 session secret; export links are signed with a key derived from it. */
  sessionSecret: Uint8Array;
}

/** A running service: HTTP + GraphQL on one port. */
export interface App {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  httpServer: http.Server;
  services: Services;
  /** Stops accepting, drains in-flight work; the ORM is the caller's to close. */
  close(): Promise<void>;
}

/** The client's address: the socket peer, or X-Forwarded-For past trusted proxies (TRUST_PROXY). */
function clientIpWith(trust: TrustProxy) {
  return (req: IncomingMessage): string | null =>
    resolveClientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trust) || null;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function graphqlError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

/** 429 with a GraphQL-shaped body (headers are already set). */
function sendRateLimited(res: ServerResponse, verdict: RateLimitVerdict): void {
  const error = rateLimitedError(refusedDecision(verdict)!);
  sendJson(res, 429, {
    errors: [{ message: error.message, extensions: { code: error.code, retryAfter: error.retryAfter } }],
  });
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Passes AppErrors and Apollo's request errors through; masks everything else with the request id. */
function formatErrorWith(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      const { http: _http, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...extensions, code: original.code } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_REQUEST_CODES.has(code)) {
      const { stacktrace: _stack, http: _http, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const requestId = currentRequestId();
    logger.error({ err: original, requestId, path: formatted.path }, 'unexpected error');
    return {
      message: `Internal server error (request id ${requestId ?? 'unknown'})`,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
    };
  };
}

/** Refuses operations past the depth, cost, alias and directive limits before they execute. */
function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request }) {
          const error = checkQueryLimits(document, operationName, request.variables, limits);
          if (error) throw error;
        },
      };
    },
  };
}

function requestLogPlugin(logger: Logger, metrics: Metrics): ApolloServerPlugin<Context> {
  /** One log line and one metric sample per GraphQL request, whatever its outcome. */
  const record = (entry: { operationName?: string | null; accountId?: string; codes: string[]; seconds: number }) => {
    const labels = { operation: operationLabel(entry.operationName), outcome: entry.codes[0] ?? 'ok' };
    metrics.requests.inc(labels);
    metrics.requestDuration.observe(labels, entry.seconds);
    logger.info(
      {
        requestId: currentRequestId(),
        accountId: entry.accountId,
        operationName: entry.operationName ?? undefined,
        durationMs: Math.round(entry.seconds * 10_000) / 10,
        outcome: entry.codes.length === 0 ? 'ok' : 'error',
        errorCodes: entry.codes.length > 0 ? [...new Set(entry.codes)] : undefined,
      },
      'graphql request',
    );
  };
  const codeOf = (error: unknown): string => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) return original.code;
    const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
    return typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR;
  };
  return {
    // Refused before an operation exists: bad credentials, malformed or batched requests.
    async contextCreationDidFail({ error }) {
      record({ codes: [codeOf(error)], seconds: requestSeconds() });
    },
    async invalidRequestWasReceived({ error }) {
      record({ codes: [codeOf(error)], seconds: requestSeconds() });
    },
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName, errors }) {
          record({
            operationName,
            accountId: contextValue.principal?.accountId,
            codes: (errors ?? []).map(codeOf),
            seconds: requestSeconds(),
          });
        },
      };
    },
  };
}

/** Wires the HTTP server, Apollo and the feature services; nothing listens until `listen`. */
export async function createApp(deps: AppDeps): Promise<{ listen(port: number, host: string): Promise<App> }> {
  const { config, orm, logger } = deps;
  const clientIp = clientIpWith(config.trustProxy);
  const ipBudget: BudgetRule = {
    budget: { name: 'ip', points: config.rateLimitPoints, windowSeconds: config.rateLimitWindowSeconds },
    keyOf: ({ ip }) => rateLimitKeyOf(ip ?? 'unknown'),
  };
  const limits = RateLimits.create(config.rateLimitEnabled ? [ipBudget] : [], {
    databaseUrl: orm.config.get('clientUrl')!,
    redisUrl: config.redisUrl,
    logger,
  });
  /** Spends one point of every budget that applies to the caller (per IP: IPv6 per /64). */
  const rateLimit = (ip: string | null) => limits.consume({ ip });
  const usage = new KeyUsageTracker(orm.em, logger);
  const sessions = new SessionTokens(deps.sessionSecret, config);
  const authenticator = new Authenticator(orm.em, sessions, usage);
  const feed = new AuditFeed(orm.config.get('clientUrl')!, orm.em, logger, {
    ...DEFAULT_FEED_OPTIONS,
    queueLimit: config.subscriptionQueueLimit,
  });
  const metrics = new Metrics(orm, () => feed.totalSubscriptions());
  const services: Services = {
    accounts: new AccountService(),
    keys: new ApiKeyService(),
    audit: new AuditService(),
    exports: new AuditExportService(new ExportLinks(deps.sessionSecret), {
      databaseUrl: orm.config.get('clientUrl')!,
      maxConcurrent: config.exportMaxConcurrent,
      idleTimeoutMs: config.exportIdleTimeoutMs,
    }),
    feed,
    metrics,
    // The one wire from the audit recorder to the live feed and metrics: events reach subscribers after commit.
    onAuditCommitted: (accountId, events) => {
      metrics.auditEvents.inc(events.length);
      feed.published(accountId, events);
    },
  };
  const schema = await buildAppSchema();
  const formatError = formatErrorWith(logger);
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError,
    // No HTTP caching of this API: the cache-control plugin would only wrap every field resolver.
    plugins: [
      requestLogPlugin(logger, metrics),
      queryLimitsPlugin(config.queryLimits),
      ApolloServerPluginCacheControlDisabled(),
    ],
    parseOptions: { maxTokens: config.queryLimits.maxTokens },
    hideSchemaDetailsFromClientErrors: config.production,
    logger: {
      debug: (message) => logger.debug(message),
      info: (message) => logger.info(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    },
  });
  await apollo.start();

  /** Base of links without PUBLIC_URL: the address listened on, set by `listen`; never a request's Host header. */
  let listeningUrl = `http://${config.host}:${config.port}`;

  /** The one context factory, for HTTP requests and graphql-ws operations alike. */
  async function createContext(input: ContextInput): Promise<Context> {
    let principal;
    try {
      principal = await authenticator.authenticate(input.authorization, input.ip);
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw new UnauthenticatedError(error.message, 401);
      throw error;
    }
    let plan: Promise<Plan> | undefined;
    return {
      em: orm.em.fork(),
      principal,
      meta: { requestId: input.requestId, ip: input.ip, userAgent: recordedHeader(input.userAgent, 512) },
      services,
      plan: () => (plan ??= planOf(principal?.accountId)),
      baseUrl: config.publicUrl ?? listeningUrl,
      connection: input.connection,
    };
  }

  async function planOf(accountId: string | undefined): Promise<Plan> {
    if (!accountId) throw new UnauthenticatedError();
    const [row] = await queryRows<{ plan: Plan }>(orm.em, ACCOUNT_PLAN, [accountId]);
    if (!row) throw new UnauthenticatedError('Account no longer exists');
    return row.plan;
  }

  async function serveExport(res: ServerResponse, id: string, url: URL): Promise<void> {
    try {
      const outcome = await services.exports.download(id, url.searchParams.get('sig'), res);
      if (outcome !== 'complete') logger.info({ exportId: id, outcome }, 'export download ended early');
    } catch (error) {
      if (!(error instanceof ExportDownloadError)) throw error;
      const retryAfter: Record<string, string> = error.retryAfter ? { 'retry-after': String(error.retryAfter) } : {};
      sendJson(res, error.status, { error: error.message, code: error.code }, retryAfter);
    }
  }

  async function serveGraphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    let body: unknown;
    if (req.method === 'POST') {
      let raw: string;
      try {
        raw = await readBody(req);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          return graphqlError(res, 413, ErrorCode.PAYLOAD_TOO_LARGE, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
        }
        throw error;
      }
      if ((req.headers['content-type'] ?? '').includes('application/json')) {
        try {
          body = raw.length > 0 ? JSON.parse(raw) : undefined;
        } catch {
          return graphqlError(res, 400, ErrorCode.BAD_REQUEST, 'Request body is not valid JSON');
        }
      } else {
        body = raw;
      }
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () =>
        createContext({
          authorization: req.headers.authorization,
          ip: clientIp(req),
          userAgent: req.headers['user-agent'] ?? null,
          requestId,
          host: req.headers.host,
        }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = pickRequestId(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://localhost');
    await withRequestId(requestId, async () => {
      try {
        if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
        if (url.pathname === '/readyz') {
          const ready = await orm.em
            .getConnection()
            .execute('SELECT 1')
            .then(() => true)
            .catch(() => false);
          return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unavailable' });
        }
        if (url.pathname === '/metrics' && req.method === 'GET' && config.metricsToken) {
          if (!holdsMetricsToken(req.headers.authorization, config.metricsToken)) {
            const challenge = { 'www-authenticate': 'Bearer realm="metrics"' };
            return sendJson(res, 401, { error: 'send "Authorization: Bearer <METRICS_TOKEN>"' }, challenge);
          }
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          return void res.end(await metrics.registry.metrics());
        }
        const exportMatch = /^\/exports\/([^/]+)$/.exec(url.pathname);
        if (url.pathname !== '/graphql' && !(exportMatch && req.method === 'GET')) {
          return sendJson(res, 404, { error: 'not found' });
        }
        const verdict = await rateLimit(clientIp(req));
        for (const [name, value] of Object.entries(rateLimitHeaders(verdict))) res.setHeader(name, value);
        if (!verdict.allowed) {
          metrics.rateLimited.inc({ transport: 'http' });
          return sendRateLimited(res, verdict);
        }
        if (exportMatch) return await serveExport(res, exportMatch[1]!, url);
        return await serveGraphql(req, res, url, requestId);
      } catch (error) {
        logger.error({ err: error, requestId }, 'request failed');
        if (!res.headersSent) {
          return graphqlError(
            res,
            500,
            ErrorCode.INTERNAL_SERVER_ERROR,
            `Internal server error (request id ${requestId})`,
          );
        }
        res.destroy();
        return undefined;
      }
    });
  }

  const httpServer = http.createServer((req, res) => void handle(req, res));
  const websocket = attachWebSocketServer(httpServer, {
    schema,
    logger,
    createContext,
    formatError,
    subscriptionCount: (accountId) => feed.subscriptionCount(accountId),
    clientIp,
    rateLimit,
    metrics,
    options: {
      queryLimits: config.queryLimits,
      maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
      maxSubscriptionsPerAccount: config.maxSubscriptionsPerAccount,
      revalidateMs: config.wsRevalidateMs,
      maxPayloadBytes: MAX_BODY_BYTES,
      maxConnectionsPerIp: config.wsMaxConnectionsPerIp,
      maxConnections: config.wsMaxConnections,
      introspection: config.introspection,
      hideSchemaDetails: config.production,
    },
  });
  await feed.start();

  return {
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const address = httpServer.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      // Reachable from this machine when listening on every interface.
      const linkHost = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]' }[shownHost] ?? shownHost;
      listeningUrl = `http://${linkHost}:${address.port}`;
      return {
        url: `http://${shownHost}:${address.port}`,
        httpServer,
        services,
        async close() {
          const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
          httpServer.closeIdleConnections();
          await websocket.close();
          await feed.stop();
          await closed;
          await services.exports.close();
          await apollo.stop();
          await usage.drain();
          await limits.close();
        },
      };
    },
  };
}
