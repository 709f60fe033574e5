// graphql-ws on /graphql: connection auth (connection_init) and revalidation, subscription caps, the wiring of the parts beside it.
import {
  GraphQLError,
  createSourceEventStream,
  getOperationAST,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuditChannel } from '../../audit/audit-event.entity';
import { isFeedStream, type FeedStream } from '../../audit/audit-feed';
import type { Principal } from '../../auth/principal';
import type { Plan } from '../../entitlements/plans';
import { sessionCookieOf } from '../../sessions/session-cookie';
import { rateLimitKeyOf } from '../../ratelimit/client-ip';
import { refusedDecision, type RateLimitVerdict } from '../../ratelimit/rate-limiter';
import { AppError, ErrorCode, SocketCloseCode, UnauthenticatedError, rateLimitedError } from '../../shared/errors';
import { checkQueryLimits, type QueryLimits } from '../../shared/query-limits';
import type { Context } from '../graphql/context';
import { CompiledEventExecution } from '../graphql/executor';
import type { Metrics } from '../metrics';

import { SocketAdmission, refuseUpgrade } from './admission';
import { DocumentCache } from './documents';
import { Rechecks } from './rechecks';
import { NoIntrospection, withCode, withoutSuggestions } from './request-rules';
import { FeedDelivery, SharedResults, mapEvents } from './shared-results';
import { armTimer } from './timers';
import { coalesceWrites } from './write-coalescing';

/** What a WebSocket connection needs from the HTTP side: one path from token to context. */
export interface WebSocketDeps {
  schema: GraphQLSchema;
  logger: Logger;
  /** The same context factory HTTP uses; throws UNAUTHENTICATED for bad credentials. */
  createContext(input: ContextInput): Promise<Context>;
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /** Subscriptions of an account on this instance. */
  subscriptionCount(accountId: string): number;
  /** The client address of an upgrade request (TRUST_PROXY applies). */
  clientIp(request: http.IncomingMessage): string | null;
  /** Spends one point of an address's rate-limit budget. */
  rateLimit(ip: string | null): Promise<RateLimitVerdict>;
  /** This service's own origin (of PUBLIC_URL, or of the address listened on): the only one a session cookie is taken from. */
  ownOrigin(): string;
  metrics: Metrics;
  options: {
    queryLimits: QueryLimits;
    maxSubscriptionsPerConnection: number;
    maxSubscriptionsPerAccount: number;
    revalidateMs: number;
    /** Largest frame read; a larger one closes the socket with 1009 before it is buffered whole. */
    maxPayloadBytes: number;
    /** Open sockets per client address (IPv6 per /64), counted from the upgrade, before authentication. */
    maxConnectionsPerIp: number;
    /** Open sockets on this instance. */
    maxConnections: number;
    /** Whether `__schema` and `__type` may be queried (as over HTTP). */
    introspection: boolean;
    /** Leave field suggestions ("Did you mean …?") out of validation errors (as over HTTP in production). */
    hideSchemaDetails: boolean;
  };
}

export interface ContextInput {
  authorization: string | undefined;
  /** The settings pages' `kl_session` cookie value; used only without `authorization`. */
  sessionCookie?: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  host: string | undefined;
  connection?: Context['connection'];
  /** The face asking, recorded on every audit event the request causes. @default AuditChannel.GRAPHQL */
  via?: AuditChannel;
}

/** Per-socket state kept between connection_init and close. */
interface Connection {
  /** The `authorization` of connection_init; without it, `sessionCookie` authenticates. */
  authorization: string | undefined;
  /** The upgrade's `kl_session` cookie, kept only when its `Origin` is the service's own. */
  sessionCookie: string | undefined;
  principal: Principal;
  /** Ids of the subscriptions that passed the per-connection cap (forgotten once graphql-ws forgets them). */
  admitted: Set<string>;
  /** Running feed subscriptions by id: each carries the core's rule for staying open (`assertStillAllowed`). */
  streams: Map<string, FeedStream>;
  /** What the periodic re-check groups connections by: the credential and the client address. */
  credential: string;
  expiryTimer?: { cancel(): void };
}

type ConnectionExtra = Extra & { keyledger?: Connection };

function asGraphQLErrors(errors: readonly GraphQLFormattedError[]): GraphQLError[] {
  return errors.map((error) => new GraphQLError(error.message, { extensions: error.extensions }));
}

/**
 * graphql-ws (`graphql-transport-ws`) on the HTTP server's `/graphql`.
 * Authentication happens in `connection_init` (4401 when missing or invalid);
 * every subscribe builds its context through the same factory as HTTP, so
 * entitlements, roles and scopes are checked the same way; refusals come back
 * as `error` messages and the socket stays usable. Live connections re-check
 * their credentials every `revalidateMs` and each running subscription asks
 * the rule of the service that opened it (`FeedStream.assertStillAllowed`:
 * role or scope, and plan); the socket is closed with 4403 once one fails.
 * This face holds no rule of its own.
 */
export function attachWebSocketServer(httpServer: http.Server, deps: WebSocketDeps): { close(): Promise<void> } {
  const { schema, logger, options } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const admission = new SocketAdmission(options.maxConnectionsPerIp, options.maxConnections);
  /** Frames that break the protocol close their socket (ws has sent the close frame); only the size is counted. */
  const quietProtocolErrors = (websocket: WebSocket) => {
    // graphql-ws reports any socket error on the console as its own fault and closes with 1011 (ws already
    // closed with the right code): a peer's oversized or malformed frame is the peer's fault, not ours.
    for (const listener of websocket.listeners('error')) websocket.removeListener('error', listener as never);
    websocket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        deps.metrics.wsRefused.inc({ reason: 'message_too_large' });
      }
      logger.debug({ err: error }, 'WebSocket frame refused');
    });
  };
  /** The upgrade's session cookie when a page of this service opened the socket (its Origin is ours). */
  const sameOriginCookie = (request: http.IncomingMessage): string | undefined =>
    request.headers.origin === deps.ownOrigin() ? sessionCookieOf(request.headers.cookie) : undefined;
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      return refuseUpgrade(socket, 400, 'WebSocket connections are served on /graphql only');
    }
    // Cross-site WebSocket hijacking: a page of another origin must not ride on the browser's session cookie.
    // (Without the cookie, a foreign page can only authenticate with a bearer token it holds itself.)
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== deps.ownOrigin() && sessionCookieOf(request.headers.cookie) !== undefined) {
      deps.metrics.wsRefused.inc({ reason: 'foreign_origin' });
      return refuseUpgrade(
        socket,
        403,
        `WebSocket upgrade refused: Origin ${origin.slice(0, 100)} is not this service`,
      );
    }
    const refused = admission.admit(rateLimitKeyOf(deps.clientIp(request) ?? 'unknown'), socket);
    if (refused) {
      deps.metrics.wsRefused.inc({ reason: refused });
      return refuseUpgrade(
        socket,
        refused === 'per_ip_limit' ? 429 : 503,
        refused === 'per_ip_limit'
          ? `Too many WebSocket connections: at most ${options.maxConnectionsPerIp} per client address`
          : 'Too many WebSocket connections on this server: retry later',
      );
    }
    wss.handleUpgrade(request, socket, head, (websocket) => {
      coalesceWrites(websocket);
      wss.emit('connection', websocket, request);
      quietProtocolErrors(websocket);
    });
  };
  httpServer.on('upgrade', onUpgrade);
  const validationRules: readonly ValidationRule[] = options.introspection
    ? specifiedRules
    : [...specifiedRules, NoIntrospection];
  // Subscriptions started in onSubscribe (so their refusals become `error` messages), handed to graphql-ws below.
  const started = new WeakMap<ExecutionArgs, AsyncIterable<ExecutionResult>>();
  const shared = new SharedResults();
  const documents = new DocumentCache();
  // Each event runs the subscription's selection compiled (once per document), not on graphql-js.
  const eventExecution = new CompiledEventExecution(logger);
  // Subscribes of each account between their cap check and their registration in the feed.
  const starting = new Map<string, number>();

  const formatErrors = (errors: readonly GraphQLError[]) =>
    errors.map((error) => deps.formatError(error.toJSON(), error));
  /** The `next` payload graphql-ws would send for a result with errors (through `onNext` below). */
  const withFormattedErrors = (result: ExecutionResult): ExecutionResult => ({
    ...result,
    errors: asGraphQLErrors(formatErrors(result.errors ?? [])),
  });

  const contextFor = (extra: ConnectionExtra, connection: Connection): Promise<Context> =>
    deps.createContext({
      authorization: connection.authorization,
      sessionCookie: connection.sessionCookie,
      ip: deps.clientIp(extra.request),
      userAgent: extra.request.headers['user-agent'] ?? null,
      requestId: randomUUID(),
      host: extra.request.headers.host,
      connection: { close: (code, reason) => closeSoon(extra, code, reason) },
    });

  /**
   * Still allowed to stream? One check for every connection of `group` (one
   * credential from one address, see `credentialOf`): authenticates once, reads
   * the plan once if one of them streams, and closes with 4403 each connection
   * that may no longer hold one of its subscriptions.
   */
  const revalidate = async (group: readonly ConnectionExtra[]): Promise<void> => {
    // A socket that closed while onConnect was still authenticating it had its onClose before it joined.
    for (const extra of group) if (extra.socket.readyState === extra.socket.CLOSED) rechecks.delete(extra);
    const open = group.filter((extra) => extra.socket.readyState === extra.socket.OPEN);
    const first = open[0];
    if (!first) return;
    let context: Context;
    try {
      context = await contextFor(first, first.keyledger!);
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) throw error;
      for (const extra of open) closeSoon(extra, SocketCloseCode.Forbidden, error.message);
      return;
    }
    const principal = context.principal;
    // A session cookie whose session ended (signed out, expired, member removed) authenticates no one.
    if (!principal) {
      for (const extra of open) closeSoon(extra, SocketCloseCode.Forbidden, 'Session has ended: sign in again');
      return;
    }
    let plan: Plan | undefined;
    for (const extra of open) {
      const connection = extra.keyledger!;
      connection.principal = principal;
      for (const [id, stream] of connection.streams) if (stream.done) connection.streams.delete(id);
      // Without a running subscription the socket stays usable whatever the role or plan.
      if (connection.streams.size === 0) continue;
      plan ??= await context.plan();
      // Each running subscription asks the rule of the service that opened it (this face knows none).
      try {
        for (const stream of connection.streams.values()) stream.assertStillAllowed(principal, plan);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        closeSoon(extra, SocketCloseCode.Forbidden, error.message);
      }
    }
  };
  const rechecks = new Rechecks<ConnectionExtra>({
    intervalMs: options.revalidateMs,
    credentialOf: (extra) => extra.keyledger!.credential,
    recheck: revalidate,
    onError: (error) => logger.warn({ err: error }, 'could not re-check WebSocket connections; will retry'),
  });

  const disposable = useServer<Record<string, unknown> | undefined, { keyledger?: Connection }>(
    {
      schema,
      onConnect: async (ctx) => {
        const extra = ctx.extra as ConnectionExtra;
        const verdict = await deps.rateLimit(deps.clientIp(extra.request));
        if (!verdict.allowed) {
          deps.metrics.rateLimited.inc({ transport: 'ws_connect' });
          const retry = refusedDecision(verdict)!.resetSeconds;
          extra.socket.close(SocketCloseCode.TooManyRequests, `Too many requests: retry in ${retry} s`);
          return false;
        }
        const given = ctx.connectionParams?.authorization;
        const authorization = typeof given === 'string' && given.length > 0 ? given : undefined;
        const sessionCookie = authorization ? undefined : sameOriginCookie(extra.request);
        if (!authorization && !sessionCookie) {
          extra.socket.close(
            SocketCloseCode.Unauthorized,
            'Unauthorized: send {"authorization": "Bearer <token>"} in connection_init',
          );
          return false;
        }
        const connection: Connection = {
          authorization,
          sessionCookie,
          credential: `${authorization ?? ''}\u0000${sessionCookie ?? ''}\u0000${deps.clientIp(extra.request) ?? ''}`,
          principal: undefined as never,
          admitted: new Set(),
          streams: new Map(),
        };
        try {
          const context = await contextFor(extra, connection);
          connection.principal = context.principal!;
          if (!context.principal) {
            throw new UnauthenticatedError(sessionCookie ? 'Session has ended: sign in again' : undefined);
          }
        } catch (error) {
          if (!(error instanceof UnauthenticatedError)) throw error;
          extra.socket.close(SocketCloseCode.Unauthorized, `Unauthorized: ${error.message}`.slice(0, 120));
          return false;
        }
        extra.keyledger = connection;
        deps.metrics.wsConnections.inc();
        watch(extra, connection);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const extra = ctx.extra as ConnectionExtra;
        const connection = extra.keyledger!;
        let document = documents.get(payload.query);
        if (!document) {
          try {
            document = parse(payload.query, { maxTokens: options.queryLimits.maxTokens });
          } catch (error) {
            return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
          }
          const validationErrors = validate(schema, document, validationRules);
          if (validationErrors.length > 0) {
            return validationErrors.map((error) =>
              withCode(error, 'GRAPHQL_VALIDATION_FAILED', options.hideSchemaDetails ? withoutSuggestions : undefined),
            );
          }
          documents.set(payload.query, document);
        }
        const tooComplex = checkQueryLimits(
          document,
          payload.operationName,
          payload.variables ?? undefined,
          options.queryLimits,
        );
        if (tooComplex) return [tooComplex];
        const operation = getOperationAST(document, payload.operationName);
        let contextValue: Context;
        try {
          contextValue = await contextFor(extra, connection);
        } catch (error) {
          if (error instanceof AppError) return [error];
          throw error;
        }
        if (!contextValue.principal) return [new UnauthenticatedError('Session has ended: sign in again')];
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
        if (operation?.operation !== 'subscription') return args;
        const verdict = await deps.rateLimit(deps.clientIp(extra.request));
        if (!verdict.allowed) {
          deps.metrics.rateLimited.inc({ transport: 'ws_subscribe' });
          return [rateLimitedError(refusedDecision(verdict)!)];
        }

        // Only admitted subscriptions count: not operations that are being refused (they stay in graphql-ws's
        // record until their `error` is flushed), nor this subscribe's own id.
        for (const key of connection.admitted) if (!(key in ctx.subscriptions)) connection.admitted.delete(key);
        let active = 0;
        for (const key of connection.admitted) if (key !== id) active += 1;
        if (active >= options.maxSubscriptionsPerConnection) {
          return [limitError(`at most ${options.maxSubscriptionsPerConnection} subscriptions per connection`)];
        }
        connection.admitted.add(id);
        const refuse = (errors: readonly GraphQLError[]) => {
          connection.admitted.delete(id);
          return errors;
        };
        const accountId = contextValue.principal!.accountId;
        // Check and reserve in one synchronous step: subscribes arriving together must count each other.
        const pending = starting.get(accountId) ?? 0;
        if (deps.subscriptionCount(accountId) + pending >= options.maxSubscriptionsPerAccount) {
          return refuse([limitError(`at most ${options.maxSubscriptionsPerAccount} live subscriptions per account`)]);
        }
        starting.set(accountId, pending + 1);
        let source: Awaited<ReturnType<typeof createSourceEventStream>>;
        try {
          source = await createSourceEventStream(args);
        } finally {
          const left = (starting.get(accountId) ?? 1) - 1;
          if (left > 0) starting.set(accountId, left);
          else starting.delete(accountId);
        }
        if (!(Symbol.asyncIterator in source))
          return refuse(source.errors ?? [new GraphQLError('Subscription failed')]);
        const run = eventExecution.runnerFor(args);
        if (!isFeedStream(source)) {
          started.set(args, mapEvents(source, run));
          return args;
        }
        connection.streams.set(id, source);
        const shape = shared.acquire(
          `${accountId}\u0000${payload.operationName ?? ''}\u0000${payload.query}\u0000${JSON.stringify(payload.variables ?? {})}`,
        );
        started.set(
          args,
          new FeedDelivery(source, extra.socket, id, {
            prepare: (event, waiter) => shared.prepare(shape, event, run, waiter),
            withFormattedErrors,
            release: () => {
              shared.release(shape);
              if (connection.streams.get(id) === source) connection.streams.delete(id);
            },
          }),
        );
        return args;
      },
      subscribe: (args) => started.get(args) ?? subscribe(args),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return undefined;
        return { ...result, errors: asGraphQLErrors(formatErrors(result.errors as GraphQLError[])) };
      },
      onError: (_ctx, _id, _payload, errors) => asGraphQLErrors(formatErrors(errors)),
      onClose: (ctx) => {
        const connection = (ctx.extra as ConnectionExtra).keyledger;
        if (connection) deps.metrics.wsConnections.dec();
        connection?.expiryTimer?.cancel();
        rechecks.delete(ctx.extra as ConnectionExtra);
      },
    },
    wss,
  );

  function closeSoon(extra: Extra, code: number, reason: string): void {
    extra.socket.close(code, reason.slice(0, 120));
    // A peer that does not read will not answer the close handshake either.
    setTimeout(() => extra.socket.terminate(), 1000).unref();
  }

  function watch(extra: ConnectionExtra, connection: Connection): void {
    const principal = connection.principal;
    if (principal.kind === 'apiKey' && principal.expiresAt) {
      connection.expiryTimer = armTimer(
        () => closeSoon(extra, SocketCloseCode.Forbidden, 'API key has expired'),
        principal.expiresAt.getTime() - Date.now(),
      );
    }
    rechecks.add(extra);
  }

  return {
    async close() {
      httpServer.off('upgrade', onUpgrade);
      rechecks.stop();
      // graphql-ws closes every socket with 1001 (going away) and completes their subscriptions.
      await disposable.dispose();
    },
  };
}

function limitError(message: string): GraphQLError {
  return new AppError(ErrorCode.QUOTA_EXCEEDED, `Subscription limit reached: ${message}`);
}
