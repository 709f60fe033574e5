import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const scope = new AsyncLocalStorage<{ requestId: string; started: number }>();
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A client-supplied `x-request-id` when it is sane, else a new one. */
export function pickRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

/** Runs `fn` with `requestId` visible to `currentRequestId()` (error masking, logs). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return scope.run({ requestId, started: performance.now() }, fn);
}

/** The request id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}

/** Seconds since the current request arrived (0 outside a request). */
export function requestSeconds(): number {
  const store = scope.getStore();
  return store ? (performance.now() - store.started) / 1000 : 0;
}
