import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  getOperationAST,
  parse,
  subscribe,
  createSourceEventStream,
  execute,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiKeyScope } from '../auth/permissions';
import { can, type Principal } from '../auth/principal';
import { Feature, PLAN_ENTITLEMENTS } from '../entitlements/plans';
import type { Context } from './context';
import { refusedDecision, type RateLimitVerdict } from '../ratelimit/rate-limiter';
import { checkQueryLimits, type QueryLimits } from './query-limits';
import type { Metrics } from './metrics';
import { AppError, ErrorCode, UnauthenticatedError, rateLimitedError } from './errors';

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
  metrics: Metrics;
  options: {
    queryLimits: QueryLimits;
    maxSubscriptionsPerConnection: number;
    maxSubscriptionsPerAccount: number;
    revalidateMs: number;
  };
}

export interface ContextInput {
  authorization: string | undefined;
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  host: string | undefined;
  connection?: Context['connection'];
}

/** Per-socket state kept between connection_init and close. */
interface Connection {
  authorization: string;
  principal: Principal;
  /** graphql-ws's record of the connection's running operations. */
  subscriptions: Record<string, unknown>;
  expiryTimer?: NodeJS.Timeout;
  revalidateTimer?: NodeJS.Timeout;
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
 * their credentials, role and plan every `revalidateMs` and are closed with
 * 4403 once they no longer hold them.
 */
export function attachWebSocketServer(httpServer: http.Server, deps: WebSocketDeps): { close(): Promise<void> } {
  const { schema, logger, options } = deps;
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  wss.on('connection', coalesceWrites);
  // Subscriptions started in onSubscribe (so their refusals become `error` messages), handed to graphql-ws below.
  const started = new WeakMap<ExecutionArgs, AsyncIterable<ExecutionResult>>();
  const shared = new SharedExecutions();
  // Subscribes of each account between their cap check and their registration in the feed.
  const starting = new Map<string, number>();

  const formatErrors = (errors: readonly GraphQLError[]) =>
    errors.map((error) => deps.formatError(error.toJSON(), error));

  const contextFor = (extra: ConnectionExtra, connection: Connection): Promise<Context> =>
    deps.createContext({
      authorization: connection.authorization,
      ip: deps.clientIp(extra.request),
      userAgent: extra.request.headers['user-agent'] ?? null,
      requestId: randomUUID(),
      host: extra.request.headers.host,
      connection: { close: (code, reason) => closeSoon(extra, code, reason) },
    });

  /** Still allowed to stream? Returns why not, or null. */
  const revalidate = async (extra: ConnectionExtra, connection: Connection): Promise<string | null> => {
    let context: Context;
    try {
      context = await contextFor(extra, connection);
    } catch (error) {
      if (error instanceof UnauthenticatedError) return error.message;
      throw error;
    }
    const principal = context.principal!;
    connection.principal = principal;
    // Without a running subscription the socket stays usable whatever the role or plan.
    if (Object.keys(connection.subscriptions).length === 0) return null;
    if (!can(principal, ApiKeyScope.AUDIT_READ)) return 'Not allowed any more: audit:read is no longer held';
    const plan = await context.plan();
    if (!PLAN_ENTITLEMENTS[plan].features.includes(Feature.AUDIT_STREAM)) {
      return `${Feature.AUDIT_STREAM} is no longer included in the ${plan} plan`;
    }
    return null;
  };

  const disposable = useServer<Record<string, unknown> | undefined, { keyledger?: Connection }>(
    {
      schema,
      onConnect: async (ctx) => {
        const extra = ctx.extra as ConnectionExtra;
        const verdict = await deps.rateLimit(deps.clientIp(extra.request));
        if (!verdict.allowed) {
          deps.metrics.rateLimited.inc({ transport: 'ws_connect' });
          const retry = refusedDecision(verdict)!.resetSeconds;
          extra.socket.close(CloseCode.TooManyInitialisationRequests, `Too many requests: retry in ${retry} s`);
          return false;
        }
        const authorization = ctx.connectionParams?.authorization;
        if (typeof authorization !== 'string' || authorization.length === 0) {
          extra.socket.close(
            CloseCode.Unauthorized,
            'Unauthorized: send {"authorization": "Bearer <token>"} in connection_init',
          );
          return false;
        }
        const connection: Connection = {
          authorization,
          principal: undefined as never,
          subscriptions: ctx.subscriptions,
        };
        try {
          const context = await contextFor(extra, connection);
          connection.principal = context.principal!;
          if (!context.principal) throw new UnauthenticatedError();
        } catch (error) {
          if (!(error instanceof UnauthenticatedError)) throw error;
          extra.socket.close(CloseCode.Unauthorized, `Unauthorized: ${error.message}`.slice(0, 120));
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
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: options.queryLimits.maxTokens });
        } catch (error) {
          return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const validationErrors = validate(schema, document);
        if (validationErrors.length > 0)
          return validationErrors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
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

        const active = Object.keys(ctx.subscriptions).filter((key) => key !== id).length;
        if (active >= options.maxSubscriptionsPerConnection) {
          return [limitError(`at most ${options.maxSubscriptionsPerConnection} subscriptions per connection`)];
        }
        const accountId = contextValue.principal!.accountId;
        // Check and reserve in one synchronous step: subscribes arriving together must count each other.
        const pending = starting.get(accountId) ?? 0;
        if (deps.subscriptionCount(accountId) + pending >= options.maxSubscriptionsPerAccount) {
          return [limitError(`at most ${options.maxSubscriptionsPerAccount} live subscriptions per account`)];
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
        if (!(Symbol.asyncIterator in source)) return source.errors ?? [new GraphQLError('Subscription failed')];
        const shape = `${payload.operationName ?? ''}\u0000${payload.query}\u0000${JSON.stringify(payload.variables ?? {})}`;
        started.set(
          args,
          mapEvents(source, (event) => shared.execute(shape, event, () => execute({ ...args, rootValue: event }))),
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
        clearTimeout(connection?.expiryTimer);
        clearTimeout(connection?.revalidateTimer);
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
      const remaining = principal.expiresAt.getTime() - Date.now();
      connection.expiryTimer = setTimeout(
        () => closeSoon(extra, CloseCode.Forbidden, 'API key has expired'),
        Math.max(0, Math.min(remaining, 2 ** 31 - 1)),
      );
      connection.expiryTimer.unref();
    }
    const tick = async () => {
      if (extra.socket.readyState !== extra.socket.OPEN) return;
      try {
        const reason = await revalidate(extra, connection);
        if (reason) {
          closeSoon(extra, CloseCode.Forbidden, reason);
          return;
        }
      } catch (error) {
        logger.warn({ err: error }, 'could not re-check a WebSocket connection; will retry');
      }
      schedule();
    };
    const schedule = () => {
      connection.revalidateTimer = setTimeout(() => void tick(), options.revalidateMs);
      connection.revalidateTimer.unref();
    };
    schedule();
  }

  return {
    async close() {
      // graphql-ws closes every socket with 1001 (going away) and completes their subscriptions.
      await disposable.dispose();
    },
  };
}

function limitError(message: string): GraphQLError {
  return new AppError(ErrorCode.QUOTA_EXCEEDED, `Subscription limit reached: ${message}`);
}

/** graphql-js's own request errors, with the codes Apollo gives them over HTTP. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code },
  });
}

/**
 * One execution per (subscription shape, event), shared by every subscriber of
 * that shape: with 1,000 dashboards on one account an event is executed once,
 * not 1,000 times. Sound because AuditEvent's fields depend only on the event,
 * never on the subscriber's context (authorization happens at subscribe time
 * and by the connection re-checks).
 */
class SharedExecutions {
  private readonly results = new Map<string, Promise<ExecutionResult> | ExecutionResult>();
  private static readonly MAX_ENTRIES = 5000;

  execute(
    shape: string,
    event: unknown,
    run: () => Promise<ExecutionResult> | ExecutionResult,
  ): Promise<ExecutionResult> | ExecutionResult {
    const id = (event as { id?: string }).id;
    if (!id) return run();
    const key = `${shape}\u0000${id}`;
    let result = this.results.get(key);
    if (!result) {
      result = run();
      this.results.set(key, result);
      // Oldest first: a Map iterates in insertion order.
      if (this.results.size > SharedExecutions.MAX_ENTRIES) this.results.delete(this.results.keys().next().value!);
    }
    return result;
  }
}

/** Maps a source event stream to execution results; `return()` reaches the source at once, even mid-wait. */
function mapEvents(
  source: AsyncIterable<unknown>,
  map: (event: unknown) => Promise<ExecutionResult> | ExecutionResult,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  return {
    async next() {
      const step = await iterator.next();
      if (step.done) return { value: undefined, done: true };
      return { value: await map(step.value), done: false };
    },
    async return() {
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Coalesces the frames a socket sends within one turn of the event loop into
 * one write: an event delivered to ten subscriptions of one connection costs
 * one syscall, not ten. (ws exposes no corking of its own; this corks the
 * underlying TCP socket until the turn ends.)
 */
function coalesceWrites(socket: WebSocket): void {
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  if (!tcp || typeof tcp.cork !== 'function') return;
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  let corked = false;
  (socket as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      tcp.cork();
      setImmediate(() => {
        corked = false;
        tcp.uncork();
      });
    }
    send(...args);
  };
}
