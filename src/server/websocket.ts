import http from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  getOperationAST,
  specifiedRules,
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
  type ValidationRule,
} from 'graphql';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isFeedStream, type FeedStream } from '../audit/audit-feed';
import type { AuditEventRecord } from '../audit/audit.records';
import { ApiKeyScope } from '../auth/permissions';
import { can, type Principal } from '../auth/principal';
import { EntitlementRequiredError, assertPlanIncludes } from '../entitlements/entitlement.check';
import { Feature } from '../entitlements/plans';
import type { Context } from './context';
import { rateLimitKeyOf } from '../ratelimit/client-ip';
import { refusedDecision, type RateLimitVerdict } from '../ratelimit/rate-limiter';
import { checkQueryLimits, type QueryLimits } from '../shared/query-limits';
import type { Metrics } from './metrics';
import { AppError, ErrorCode, SocketCloseCode, UnauthenticatedError, rateLimitedError } from '../shared/errors';

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
  /** Ids of the subscriptions that passed the per-connection cap (forgotten once graphql-ws forgets them). */
  admitted: Set<string>;
  expiryTimer?: { cancel(): void };
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
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      return refuseUpgrade(socket, 400, 'WebSocket connections are served on /graphql only');
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
    try {
      assertPlanIncludes(await context.plan(), Feature.AUDIT_STREAM);
    } catch (error) {
      if (error instanceof EntitlementRequiredError) return error.message;
      throw error;
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
          extra.socket.close(SocketCloseCode.TooManyRequests, `Too many requests: retry in ${retry} s`);
          return false;
        }
        const authorization = ctx.connectionParams?.authorization;
        if (typeof authorization !== 'string' || authorization.length === 0) {
          extra.socket.close(
            SocketCloseCode.Unauthorized,
            'Unauthorized: send {"authorization": "Bearer <token>"} in connection_init',
          );
          return false;
        }
        const connection: Connection = {
          authorization,
          principal: undefined as never,
          subscriptions: ctx.subscriptions,
          admitted: new Set(),
        };
        try {
          const context = await contextFor(extra, connection);
          connection.principal = context.principal!;
          if (!context.principal) throw new UnauthenticatedError();
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
        let document: DocumentNode;
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
        const run = (event: unknown) => execute({ ...args, rootValue: event });
        if (!isFeedStream(source)) {
          started.set(args, mapEvents(source, run));
          return args;
        }
        const shape = shared.acquire(
          `${accountId}\u0000${payload.operationName ?? ''}\u0000${payload.query}\u0000${JSON.stringify(payload.variables ?? {})}`,
        );
        started.set(
          args,
          new FeedDelivery(source, extra.socket, id, {
            prepare: (event, waiter) => shared.prepare(shape, event, run, waiter),
            withFormattedErrors,
            release: () => shared.release(shape),
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
      connection.expiryTimer = armTimer(
        () => closeSoon(extra, SocketCloseCode.Forbidden, 'API key has expired'),
        principal.expiresAt.getTime() - Date.now(),
      );
    }
    const tick = async () => {
      if (extra.socket.readyState !== extra.socket.OPEN) return;
      try {
        const reason = await revalidate(extra, connection);
        if (reason) {
          closeSoon(extra, SocketCloseCode.Forbidden, reason);
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
      httpServer.off('upgrade', onUpgrade);
      // graphql-ws closes every socket with 1001 (going away) and completes their subscriptions.
      await disposable.dispose();
    },
  };
}

function limitError(message: string): GraphQLError {
  return new AppError(ErrorCode.QUOTA_EXCEEDED, `Subscription limit reached: ${message}`);
}

/** Refuses `__schema` and `__type` (one error per such field), like Apollo's rule when introspection is off. */
const NoIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        new GraphQLError('GraphQL introspection is not allowed, but the query contained __schema or __type', {
          nodes: [node],
        }),
      );
    }
  },
});

/** A validation message without its field suggestions, as Apollo's hideSchemaDetailsFromClientErrors does. */
function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

/** graphql-js's own request errors, with the codes Apollo gives them over HTTP. */
function withCode(error: GraphQLError, code: string, message: (text: string) => string = (text) => text): GraphQLError {
  return new GraphQLError(message(error.message), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code },
  });
}

/**
 * Subscriptions that may share one execution per event: one account, one
 * document, operation name and variables. Sound because AuditEvent's fields
 * depend only on the event, never on the subscriber's context (authorization
 * happens at subscribe time and by the connection re-checks).
 */
interface Shape {
  readonly key: string;
  /** Live subscriptions of this shape; the shape is forgotten at zero. */
  holders: number;
}

/** One execution of an event for a shape, shared by its subscribers. */
interface SharedResult {
  result: ExecutionResult;
  /**
   * `<payload JSON>}` in UTF-8, the end of every subscriber's `next` frame (its
   * start holds the subscription id); absent when the result has errors, which
   * are formatted per subscriber as `onNext` does.
   */
  tail: Buffer | undefined;
}

/** A subscriber waiting for a shared result that is still being executed. */
interface Waiter {
  /** The result is there: carry on. */
  resume(): void;
  /** The execution failed. */
  fail(error: unknown): void;
}

/**
 * One execution and one serialisation per (shape, event), shared by every
 * subscriber of that shape: with 1,000 dashboards on one account an event is
 * executed and turned into JSON once, not 1,000 times. Results hang off the
 * event object the feed hands to all of an account's subscribers, so they
 * live exactly as long as some subscriber still holds that event, and can
 * never reach another account's subscribers.
 */
class SharedResults {
  private readonly shapes = new Map<string, Shape>();
  private readonly byEvent = new WeakMap<object, Map<Shape, SharedResult | { waiters: Waiter[] }>>();

  /** The shape of `key`, held until `release`. */
  acquire(key: string): Shape {
    let shape = this.shapes.get(key);
    if (!shape) {
      shape = { key, holders: 0 };
      this.shapes.set(key, shape);
    }
    shape.holders += 1;
    return shape;
  }

  release(shape: Shape): void {
    shape.holders -= 1;
    if (shape.holders === 0) this.shapes.delete(shape.key);
  }

  /**
   * The shared result of `event` for `shape`, running `run` only for the first
   * subscriber to ask; undefined while it is being executed, and `waiter` is
   * called once it is there (all waiters of one execution in one go).
   */
  prepare(
    shape: Shape,
    event: AuditEventRecord,
    run: (event: AuditEventRecord) => Promise<ExecutionResult> | ExecutionResult,
    waiter: Waiter,
  ): SharedResult | undefined {
    let results = this.byEvent.get(event);
    if (!results) {
      results = new Map();
      this.byEvent.set(event, results);
    }
    const existing = results.get(shape);
    if (existing && 'waiters' in existing) {
      existing.waiters.push(waiter);
      return undefined;
    }
    if (existing) return existing;
    const executed = run(event);
    if (!isPromise(executed)) {
      const shared = sharedResultOf(executed);
      results.set(shape, shared);
      return shared;
    }
    const pending = { waiters: [waiter] };
    results.set(shape, pending);
    const settled = results;
    executed.then(sharedResultOf).then(
      (shared) => {
        settled.set(shape, shared);
        for (const each of pending.waiters) each.resume();
      },
      (error: unknown) => {
        // The next subscriber to ask tries again.
        settled.delete(shape);
        for (const each of pending.waiters) each.fail(error);
      },
    );
    return undefined;
  }
}

function sharedResultOf(result: ExecutionResult): SharedResult {
  // graphql-ws sends a result without errors as `{...result}`: the same JSON as the result itself.
  return { result, tail: result.errors ? undefined : Buffer.from(`${JSON.stringify(result)}}`) };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Options of a WebSocket send of a prepared frame: a text frame (the bytes are UTF-8 JSON). */
const TEXT_FRAME = { binary: false };

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Most frames one subscription hands its socket before waiting for them to be
 * flushed: a peer that stops reading holds at most this many frames in the
 * socket's buffer, the rest wait in the feed's bounded queue.
 */
const FRAMES_PER_ROUND = 100;

/**
 * Sends a feed subscription's events to its socket as graphql-ws `next`
 * frames, in the feed's order, with no promise per event: each frame is this
 * subscription's `{"id":…,"type":"next","payload":` followed by the shared
 * `tail` of the event (byte for byte what graphql-ws's own loop would send).
 * Frames go out in rounds: what is queued (up to `FRAMES_PER_ROUND`) is
 * written, and the next round starts when the socket has flushed the last
 * frame, so a subscriber that does not read backs up into the feed's bounded
 * queue and is cut off there.
 *
 * To graphql-ws this is an iterator that yields nothing: it completes when the
 * feed ends the subscription (graphql-ws then sends `complete`), fails with an
 * execution error (graphql-ws then sends `error`), and `return()` (the client's
 * `complete`, or the socket closing) ends it.
 */
class FeedDelivery implements AsyncIterableIterator<ExecutionResult>, Waiter {
  private readonly head: Buffer;
  private readonly ended: Promise<IteratorResult<ExecutionResult>>;
  private settle!: { resolve(result: IteratorResult<ExecutionResult>): void; reject(error: unknown): void };
  private started = false;
  private stopped = false;
  /** A round is being written, or the shared result of `held` is being prepared. */
  private busy = false;
  /** The event taken from the feed whose shared result was still being prepared. */
  private held: AuditEventRecord | undefined;

  constructor(
    private readonly source: FeedStream,
    private readonly socket: WebSocket,
    private readonly id: string,
    private readonly shared: {
      prepare(event: AuditEventRecord, waiter: Waiter): SharedResult | undefined;
      withFormattedErrors(result: ExecutionResult): ExecutionResult;
      release(): void;
    },
  ) {
    this.head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
    this.ended = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }

  /** Starts delivering; settles when delivery ends. */
  next(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.started) {
      this.started = true;
      this.deliver();
    }
    return this.ended;
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.stop();
    this.settle.resolve(DONE);
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.stop();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  /** Starts a round, unless one is under way; a failure ends the subscription with an `error`. */
  private readonly deliver = (): void => {
    if (this.stopped || this.busy) return;
    try {
      this.writeRound();
    } catch (error) {
      this.fail(error);
    }
  };

  /** Writes the queued events (up to a round's worth); the last frame's flush starts the next round. */
  private writeRound(): void {
    let frame: Buffer | string | undefined;
    for (let count = 0; count < FRAMES_PER_ROUND; count++) {
      const event = this.held ?? this.source.take();
      this.held = undefined;
      if (!event) break;
      // A closing socket sends nothing (as graphql-ws's own send does); its close ends this subscription.
      if (this.socket.readyState !== this.socket.OPEN) continue;
      const shared = this.shared.prepare(event, this);
      if (!shared) {
        this.held = event;
        this.busy = true;
        // Frames so far go out now; `resume` carries on once the result is there.
        if (frame) this.socket.send(frame, TEXT_FRAME);
        return;
      }
      if (frame) this.socket.send(frame, TEXT_FRAME);
      frame = this.frameOf(shared);
    }
    if (frame) {
      this.busy = true;
      this.socket.send(frame, TEXT_FRAME, this.flushed);
    } else if (this.source.done) {
      this.stop();
      this.settle.resolve(DONE);
    } else {
      this.source.whenReady(this.deliver);
    }
  }

  /** This subscription's `next` frame of a shared result. */
  private frameOf(shared: SharedResult): Buffer | string {
    if (shared.tail) return Buffer.concat([this.head, shared.tail], this.head.length + shared.tail.length);
    return JSON.stringify({ id: this.id, type: 'next', payload: this.shared.withFormattedErrors(shared.result) });
  }

  readonly resume = (): void => {
    this.busy = false;
    this.deliver();
  };

  private readonly flushed = (error?: Error): void => {
    if (error) this.fail(error);
    else this.resume();
  };

  readonly fail = (error: unknown): void => {
    if (this.stopped) return;
    this.stop();
    this.settle.reject(error);
  };

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.held = undefined;
    void this.source.return();
    this.shared.release();
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
  type Send = (data: unknown, options?: unknown, cb?: unknown) => void;
  const send = socket.send.bind(socket) as Send;
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp.uncork();
  };
  (socket as unknown as { send: Send }).send = (data, options, cb) => {
    if (!corked) {
      corked = true;
      tcp.cork();
      setImmediate(uncork);
    }
    send(data, options, cb);
  };
}

/** The longest delay setTimeout honours (2^31-1 ms, 24.8 days); past it, it fires at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** How `armTimer` arms. */
export interface ArmTimerOptions {
  /**
   * The longest single setTimeout; longer delays are re-armed in chunks.
   * @default MAX_TIMER_DELAY_MS
   */
  maxDelayMs?: number;
}

/**
 * Calls `callback` once `delayMs` have passed, however long that is (setTimeout
 * alone fires a 30-day timer at once): waits in chunks of at most `maxDelayMs`,
 * each re-armed for what is left of the deadline. The timers do not keep the
 * process alive.
 */
export function armTimer(
  callback: () => void,
  delayMs: number,
  { maxDelayMs = MAX_TIMER_DELAY_MS }: ArmTimerOptions = {},
): { cancel(): void } {
  const deadline = Date.now() + Math.max(0, delayMs);
  let timer: NodeJS.Timeout;
  const arm = () => {
    const remaining = deadline - Date.now();
    timer = setTimeout(remaining > maxDelayMs ? arm : callback, Math.max(0, Math.min(remaining, maxDelayMs)));
    timer.unref();
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}

/** Why a socket was refused at the upgrade. */
type Refusal = 'per_ip_limit' | 'total_limit';

/**
 * Open WebSocket sockets per client address and in total. A place is taken at
 * the upgrade, before any frame is read, and given back when the TCP socket
 * closes (however the upgrade or the connection ends).
 */
class SocketAdmission {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    private readonly perClient: number,
    private readonly max: number,
  ) {}

  /** Takes a place for `client` until `socket` closes; or says why there is none. */
  admit(client: string, socket: Duplex): Refusal | undefined {
    const held = this.byClient.get(client) ?? 0;
    if (held >= this.perClient) return 'per_ip_limit';
    if (this.total >= this.max) return 'total_limit';
    this.byClient.set(client, held + 1);
    this.total += 1;
    socket.once('close', () => {
      this.total -= 1;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    });
    return undefined;
  }
}

/** Answers an upgrade request with a plain HTTP error (JSON body) and closes the connection. */
function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  // After an upgrade no listener of the HTTP server's is left on the socket: a reset must not go unhandled.
  socket.on('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
