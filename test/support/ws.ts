import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLErrorShape, Instance } from './harness';

/** How a socket ended. */
export interface Closed {
  code: number;
  reason: string;
}

/** A graphql-ws connection to an instance, as a dashboard would open it. */
export interface WsConnection {
  client: Client;
  /** True once connection_ack arrived, false if the socket closed first. */
  acked: Promise<boolean>;
  /** Resolves when the socket closes. */
  closed: Promise<Closed>;
  /** Whether the socket has closed. */
  isClosed(): boolean;
  /** Subscribes and records what arrives. */
  subscribe<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
  ): Subscription<TResult>;
  dispose(): Promise<void>;
}

export interface Subscription<TResult> {
  results: TResult[];
  errors: GraphQLErrorShape[];
  /** Resolves when the server completes the operation (or it errors). */
  ended: Promise<'complete' | 'error'>;
  /** Resolves once `count` results have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<TResult[]>;
  unsubscribe(): void;
}

/** How `connectWs` connects. */
export interface ConnectWsOptions {
  /**
   * Connect on the first subscribe rather than at once.
   * @default false
   */
  lazy?: boolean;
  /** Headers of the upgrade request, e.g. the `X-Forwarded-For` a proxy would add. */
  headers?: Record<string, string>;
}

/**
 * Opens a graphql-ws connection to an instance (or any service with a `url`) with `authorization` in
 * connection_init (none when token is undefined).
 */
export function connectWs(
  instance: Pick<Instance, 'url'>,
  token: string | undefined,
  options: ConnectWsOptions = {},
): WsConnection {
  const { headers } = options;
  let closedFlag = false;
  let resolveClosed!: (closed: Closed) => void;
  let resolveAcked!: (acked: boolean) => void;
  const closed = new Promise<Closed>((resolve) => (resolveClosed = resolve));
  const acked = new Promise<boolean>((resolve) => (resolveAcked = resolve));
  const client = createClient({
    url: `${instance.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: headers
      ? class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers });
          }
        }
      : WebSocket,
    lazy: options.lazy ?? false,
    retryAttempts: 0,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    on: {
      connected: () => resolveAcked(true),
      closed: (event) => {
        closedFlag = true;
        resolveAcked(false);
        const { code, reason } = event as { code: number; reason: string | Buffer };
        resolveClosed({ code, reason: String(reason) });
      },
    },
    onNonLazyError: () => undefined,
  });
  return {
    client,
    acked,
    closed,
    isClosed: () => closedFlag,
    subscribe(document, variables) {
      const results: never[] = [];
      const errors: GraphQLErrorShape[] = [];
      const waiters: { count: number; resolve: () => void }[] = [];
      let resolveEnded!: (how: 'complete' | 'error') => void;
      const ended = new Promise<'complete' | 'error'>((resolve) => (resolveEnded = resolve));
      const unsubscribe = client.subscribe(
        { query: print(document), variables: (variables ?? {}) as Record<string, unknown> },
        {
          next: (result) => {
            if (result.errors) errors.push(...(result.errors as unknown as GraphQLErrorShape[]));
            if (result.data) results.push(result.data as never);
            for (const waiter of waiters) if (results.length >= waiter.count) waiter.resolve();
          },
          error: (error) => {
            if (Array.isArray(error)) errors.push(...(error as GraphQLErrorShape[]));
            else errors.push({ message: String((error as { reason?: string }).reason ?? error) });
            resolveEnded('error');
          },
          complete: () => resolveEnded('complete'),
        },
      );
      return {
        results,
        errors,
        ended,
        unsubscribe,
        waitFor(count, timeoutMs = 10_000) {
          if (results.length >= count) return Promise.resolve(results);
          return new Promise((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`waited for ${count} results, got ${results.length}: ${JSON.stringify(errors)}`)),
              timeoutMs,
            );
            waiters.push({
              count,
              resolve: () => {
                clearTimeout(timer);
                resolve(results);
              },
            });
          });
        },
      };
    },
    async dispose() {
      await client.dispose();
    },
  };
}

/**
 * A `connectWs` for the test file that calls this at its top level: every connection it opens is disposed after
 * each test, so that no socket or subscription outlives its test.
 */
export function connectWsPerTest(): (instance: Pick<Instance, 'url'>, token: string | undefined) => WsConnection {
  const open: WsConnection[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((ws) => ws.dispose()));
  });
  return (instance, token) => {
    const ws = connectWs(instance, token);
    open.push(ws);
    return ws;
  };
}
