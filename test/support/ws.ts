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
  /** Resolves when the socket closes. */
  closed: Promise<Closed>;
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

/** Opens a graphql-ws connection with `authorization` in connection_init (none when token is undefined). */
export function connectWs(
  instance: Instance,
  token: string | undefined,
  options: { lazy?: boolean } = {},
): WsConnection {
  let resolveClosed!: (closed: Closed) => void;
  const closed = new Promise<Closed>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url: `${instance.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: options.lazy ?? false,
    retryAttempts: 0,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string | Buffer };
        resolveClosed({ code, reason: String(reason) });
      },
    },
    onNonLazyError: () => undefined,
  });
  return {
    client,
    closed,
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
