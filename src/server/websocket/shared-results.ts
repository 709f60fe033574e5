// One execution and one serialisation per event and subscription shape, and each subscriber's delivery of them.
import { type ExecutionResult } from 'graphql';
import { type WebSocket } from 'ws';
import { type FeedStream } from '../../audit/audit-feed';
import type { AuditEventRecord } from '../../audit/audit.records';

/**
 * Subscriptions that may share one execution per event: one account, one
 * document, operation name and variables. Sound because AuditEvent's fields
 * depend only on the event, never on the subscriber's context (authorization
 * happens at subscribe time and by the connection re-checks).
 */
export interface Shape {
  readonly key: string;
  /** Live subscriptions of this shape; the shape is forgotten at zero. */
  holders: number;
}

/** One execution of an event for a shape, shared by its subscribers. */
export interface SharedResult {
  result: ExecutionResult;
  /**
   * `<payload JSON>}` in UTF-8, the end of every subscriber's `next` frame (its
   * start holds the subscription id); absent when the result has errors, which
   * are formatted per subscriber as `onNext` does.
   */
  tail: Buffer | undefined;
}

/** A subscriber waiting for a shared result that is still being executed. */
export interface Waiter {
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
export class SharedResults {
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

export function sharedResultOf(result: ExecutionResult): SharedResult {
  // graphql-ws sends a result without errors as `{...result}`: the same JSON as the result itself.
  return { result, tail: result.errors ? undefined : Buffer.from(`${JSON.stringify(result)}}`) };
}

export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Options of a WebSocket send of a prepared frame: a text frame (the bytes are UTF-8 JSON). */
export const TEXT_FRAME = { binary: false };

export const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Most frames one subscription hands its socket before waiting for them to be
 * flushed: a peer that stops reading holds at most this many frames in the
 * socket's buffer, the rest wait in the feed's bounded queue.
 */
export const FRAMES_PER_ROUND = 100;

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
export class FeedDelivery implements AsyncIterableIterator<ExecutionResult>, Waiter {
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
export function mapEvents(
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
