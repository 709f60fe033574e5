import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AccountViews } from '../accounts/account-views';
import { AccountService } from '../accounts/account.service';
import { AuditChannel } from '../audit/audit-event.entity';
import { loadAuditSigningKeys, type AuditSigningKeys } from '../audit/audit-digest.keys';
import { AuditDigestService } from '../audit/audit-digest.service';
import { ExportDownloadError, ExportLinks } from '../audit/audit-export.links';
import { AuditExportService } from '../audit/audit-export.service';
import { AuditFeed, DEFAULT_FEED_OPTIONS } from '../audit/audit-feed';
import { AuditIngestService } from '../audit/audit-ingest.service';
import { AuditReviewService } from '../audit/audit-review.service';
import { AuditService } from '../audit/audit.service';
import { Authenticator } from '../auth/authenticator';
import { SessionTokens } from '../auth/session-tokens';
import { sessionCookieOf } from '../sessions/session-cookie';
import { SessionService } from '../sessions/session.service';
import type { Config } from '../config';
import { queryRows, type Statement } from '../db/sql';
import type { Principal } from '../auth/principal';
import type { Plan } from '../entitlements/plans';
import { ApiKeyService } from '../keys/api-key.service';
import { KeyUsageTracker } from '../keys/key-usage';
import { mcpHttpHandler, sendMcpRateLimited } from '../mcp/http';
import { rateLimitKeyOf } from '../ratelimit/client-ip';
import { RateLimits, rateLimitHeaders, type BudgetRule } from '../ratelimit/rate-limiter';
import { ErrorCode, UnauthenticatedError } from '../shared/errors';
import { MAX_BODY_BYTES } from '../shared/query-limits';
import { recordedHeader } from '../shared/validation';
import type { Context, Services } from './graphql/context';
import { Metrics, holdsMetricsToken } from './metrics';
import { defaultPagesRoot, explorerServer, isExplorerRequest, isPagePath, pagesServer } from './pages';
import { pickRequestId, withRequestId } from './request-scope';
import { buildAppSchema } from './schema';
import { compiledExecution } from './graphql/executor';
import { formatErrorWith, queryLimitsPlugin, requestLogPlugin, responseHeadersPlugin } from './graphql/plugins';
import { BodyTooLarge, clientIpWith, graphqlError, readBody, sendJson, sendRateLimited } from './http';
import { attachWebSocketServer, type ContextInput } from './websocket';

/** An account's current plan, read once per request that needs it. */
const ACCOUNT_PLAN: Statement = { name: 'account_plan', text: 'SELECT plan FROM accounts WHERE id = $1' };

export interface AppDeps {
  config: Config;
  orm: MikroORM;
  logger: Logger;
  /** HS256 session secret; export links are signed with a key derived from it. */
  sessionSecret: Uint8Array;
  /**
   * The settings pages' build (Vite's output), served under /app; with it the API explorer, on a browser's
   * GET /graphql outside production.
   * @default `dist/web` of this package (`defaultPagesRoot()`)
   */
  pagesRoot?: string;
  /**
   * The keys that sign and publish audit digests. @default loaded from `config` on first use
   * (`AUDIT_SIGNING_KEY`, or the development key in `DATA_DIR`)
   */
  auditSigningKeys?: AuditSigningKeys;
}

/** Where the public keys of audit digests are published, as a JWKS. */
export const AUDIT_SIGNING_KEYS_PATH = '/.well-known/keyledger/audit-signing-keys';

/** A running service: HTTP + GraphQL on one port. */
export interface App {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  httpServer: http.Server;
  services: Services;
  /** Stops accepting, drains in-flight work; the ORM is the caller's to close. */
  close(): Promise<void>;
}

/** The wired service before it listens: the MCP stdio face uses it without a port. */
export interface AppCore {
  listen(port: number, host: string): Promise<App>;
  /** The one context factory (authentication included), for faces served outside HTTP (`keyledger mcp`). */
  createContext(input: ContextInput): Promise<Context>;
  /** Shuts down what `createApp` started, for a core that never listened. */
  close(): Promise<void>;
}

/**
 * One request's (or one WebSocket operation's) context. Apollo runs resolvers on a copy
 * (`Object.assign` onto the same prototype), so what is lazy lives on the prototype and
 * reads `this`: the copy forks its EntityManager only if a resolver reads `em`, and its
 * plan is that of the principal it holds (sign-in sets one for the rest of its answer).
 */
class RequestContext implements Context {
  principal: Principal | null;
  readonly pooled: EntityManager;
  readonly meta: Context['meta'];
  readonly services: Services;
  readonly baseUrl: string;
  readonly connection: Context['connection'];
  responseHeaders?: Context['responseHeaders'];
  private forked: EntityManager | undefined = undefined;
  private planRead: Promise<Plan> | undefined = undefined;
  private readonly planOf: (accountId: string | undefined) => Promise<Plan>;

  constructor(
    root: EntityManager,
    principal: Principal | null,
    parts: Pick<Context, 'meta' | 'services' | 'baseUrl' | 'connection'> & {
      planOf: (accountId: string | undefined) => Promise<Plan>;
    },
  ) {
    this.pooled = root;
    this.principal = principal;
    this.meta = parts.meta;
    this.services = parts.services;
    this.baseUrl = parts.baseUrl;
    this.connection = parts.connection;
    this.planOf = parts.planOf;
  }

  /** Forked on first read: the hottest paths (the key list, createApiKey) run on `pooled` and need none. */
  get em(): EntityManager {
    return (this.forked ??= this.pooled.fork());
  }

  plan(): Promise<Plan> {
    return (this.planRead ??= this.planOf(this.principal?.accountId));
  }
}

/** Wires the HTTP server, Apollo and the feature services; nothing listens until `listen`. */
export async function createApp(deps: AppDeps): Promise<AppCore> {
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
  const sessionTokens = new SessionTokens(deps.sessionSecret, config);
  const authenticator = new Authenticator(orm.em, sessionTokens, usage);
  const feed = new AuditFeed(orm.config.get('clientUrl')!, orm.em, logger, {
    ...DEFAULT_FEED_OPTIONS,
    queueLimit: config.subscriptionQueueLimit,
  });
  const metrics = new Metrics(orm, () => feed.totalSubscriptions());
  // Each account's name, plan and key policy as this instance last saw them (every write checks them).
  const accountViews = new AccountViews();
  let signingKeys: Promise<AuditSigningKeys> | undefined =
    deps.auditSigningKeys && Promise.resolve(deps.auditSigningKeys);
  const auditSigningKeys = () => (signingKeys ??= loadAuditSigningKeys(config));
  const services: Services = {
    accounts: new AccountService(accountViews),
    keys: new ApiKeyService(accountViews),
    keyUsage: usage,
    audit: new AuditService(),
    sessions: new SessionService({
      baseUrl: () => baseUrl(),
      secureCookies: config.publicUrl?.startsWith('https:') ?? false,
    }),
    ingest: new AuditIngestService(),
    review: new AuditReviewService(),
    exports: new AuditExportService(new ExportLinks(deps.sessionSecret), {
      databaseUrl: orm.config.get('clientUrl')!,
      maxConcurrent: config.exportMaxConcurrent,
      idleTimeoutMs: config.exportIdleTimeoutMs,
    }),
    digests: new AuditDigestService(auditSigningKeys),
    feed,
    metrics,
    // The one wire from the audit recorder to the live feed and metrics: events reach subscribers after commit.
    onAuditCommitted: (accountId, events) => {
      metrics.auditEvents.inc(events.length);
      feed.published(accountId, events);
    },
  };
  const pagesRoot = deps.pagesRoot ?? defaultPagesRoot();
  const servePage = pagesServer(pagesRoot);
  // The API explorer (GraphiQL, built with the pages) on a browser's GET /graphql: development only.
  const serveExplorer = config.production ? undefined : explorerServer(pagesRoot);
  const schema = await buildAppSchema();
  const formatError = formatErrorWith(logger);
  const apollo = new ApolloServer<Context>({
    // Apollo parses, validates and runs the plugins; a query document that comes back runs compiled.
    gateway: compiledExecution(schema, logger),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError,
    // No HTTP caching of this API: the cache-control plugin would only wrap every field resolver.
    plugins: [
      requestLogPlugin(logger, metrics),
      queryLimitsPlugin(config.queryLimits),
      responseHeadersPlugin(),
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing page loads its sandbox from a CDN (blank on a closed network): the explorer replaces it.
      ApolloServerPluginLandingPageDisabled(),
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
  /** This service's own base URL (links, and the origin the settings pages are served from). */
  const baseUrl = () => config.publicUrl ?? listeningUrl;

  /** The one context factory, for HTTP requests and graphql-ws operations alike. */
  async function createContext(input: ContextInput): Promise<Context> {
    let principal;
    try {
      principal = await authenticator.authenticate(input.authorization, input.ip, input.sessionCookie);
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw new UnauthenticatedError(error.message, 401);
      throw error;
    }
    return new RequestContext(orm.em, principal, {
      meta: {
        requestId: input.requestId,
        ip: input.ip,
        userAgent: recordedHeader(input.userAgent, 512),
        via: input.via ?? AuditChannel.GRAPHQL,
      },
      services,
      baseUrl: baseUrl(),
      connection: input.connection,
      planOf,
    });
  }

  async function planOf(accountId: string | undefined): Promise<Plan> {
    if (!accountId) throw new UnauthenticatedError();
    const [row] = await queryRows<{ plan: Plan }>(orm.em, ACCOUNT_PLAN, [accountId]);
    if (!row) throw new UnauthenticatedError('Account no longer exists');
    return row.plan;
  }

  const serveMcp = mcpHttpHandler({
    createContext,
    clientIp,
    allowedOrigins: () => [config.publicUrl, listeningUrl].flatMap((base) => (base ? [new URL(base).origin] : [])),
    logger,
  });

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
          sessionCookie: sessionCookieOf(req.headers.cookie),
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
        if (url.pathname === AUDIT_SIGNING_KEYS_PATH && req.method === 'GET') {
          // Public and static: what customers verify saved audit digests with, retired keys included.
          const jwks = (await services.digests.signingKeys()).jwks();
          return sendJson(res, 200, jwks, { 'cache-control': 'public, max-age=300' });
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
        const mcp = url.pathname === '/mcp' || url.pathname === '/mcp/readonly';
        const page = isPagePath(url.pathname);
        if (url.pathname !== '/graphql' && !mcp && !(exportMatch && req.method === 'GET') && !page) {
          return sendJson(res, 404, { error: 'not found' });
        }
        const verdict = await rateLimit(clientIp(req));
        for (const [name, value] of Object.entries(rateLimitHeaders(verdict))) res.setHeader(name, value);
        if (!verdict.allowed) {
          metrics.rateLimited.inc({ transport: 'http' });
          return mcp ? sendMcpRateLimited(res, verdict) : sendRateLimited(res, verdict);
        }
        if (mcp) return await serveMcp(req, res, requestId, url.pathname === '/mcp/readonly');
        if (page) return await servePage(req, res, url.pathname);
        if (exportMatch) return await serveExport(res, exportMatch[1]!, url);
        if (serveExplorer && isExplorerRequest(req, url)) return await serveExplorer(req, res);
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
    ownOrigin: () => new URL(baseUrl()).origin,
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

  /** Stops accepting, drains in-flight work; the ORM is the caller's to close. */
  async function close(): Promise<void> {
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    await websocket.close();
    await feed.stop();
    await closed;
    await services.exports.close();
    await apollo.stop();
    await usage.drain();
    await limits.close();
  }

  return {
    createContext,
    close,
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
        close,
      };
    },
  };
}
