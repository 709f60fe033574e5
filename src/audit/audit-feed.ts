import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Principal } from '../auth/principal';
import type { Plan } from '../entitlements/plans';
import type { Logger } from 'pino';
import {
  AUDIT_COLUMNS,
  auditWhere,
  matchesFilter,
  recordFromRow,
  type AuditEventRecord,
  type AuditFilter,
} from './audit.records';

/** The NOTIFY channel: payload `<accountId>:<seq>` means "this account has events up to seq". */
export const FEED_CHANNEL = 'keyledger_audit';
/** The payload an instance sends when its LISTEN connection opens. */
const HELLO = 'hello';

/** `application_name` of each instance's LISTEN connection (operators can find it in pg_stat_activity). */
export const LISTENER_APPLICATION_NAME = 'keyledger-audit-listener';

const BATCH = 500;

export interface AuditFeedOptions {
  /** Undelivered events a subscriber may fall behind by before it is cut off. @default 1000 */
  queueLimit: number;
  /** Interval of the catch-up read that covers lost notifications. @default 1000 */
  catchUpMs: number;
  /** Window over which notifications of one account are coalesced. @default 5 */
  notifyDelayMs: number;
  /** How long a live subscriber may take to make room for the next batch before it is cut off. @default 2000 */
  drainGraceMs: number;
}

export const DEFAULT_FEED_OPTIONS: AuditFeedOptions = {
  queueLimit: 1000,
  catchUpMs: 1000,
  notifyDelayMs: 5,
  drainGraceMs: 2000,
};

/** Why a subscription ended early: the subscriber fell too far behind. */
export class SlowConsumerError extends Error {
  constructor(limit: number) {
    super(`slow consumer: more than ${limit} undelivered audit events`);
  }
}

export interface FeedSubscription {
  accountId: string;
  filter: AuditFilter | null | undefined;
  /** Replay stored events after this seq first; undefined = only events committed from now on. */
  afterSeq: number | undefined;
  /** Events older than this are not replayed (the plan's retention). */
  notBefore?: Date;
  /** Called once when the subscriber overflows its queue (the caller disconnects it). */
  onOverflow: (error: SlowConsumerError) => void;
  /**
   * The rule for keeping this subscription open, from the service that opened
   * it: throws an AppError once `principal` (read fresh) or `plan` no longer
   * allows it. Faces that hold subscriptions open re-ask it (`assertStillAllowed`).
   */
  stillAllowed: (principal: Principal, plan: Plan) => void;
}

/**
 * A feed subscription. Read it as an async iterator, or, without a promise per
 * event, with `take` and `whenReady`: a consumer that writes each event itself
 * takes what is queued, and asks to be called back when more arrives.
 */
export interface FeedStream extends AsyncIterableIterator<AuditEventRecord> {
  /** True once the subscription has ended (no event will come any more). */
  readonly done: boolean;
  /** The next undelivered event, or undefined when none is queued. Frees room like `next()` does. */
  take(): AuditEventRecord | undefined;
  /**
   * Calls `callback` once (from the event loop's next check phase, never synchronously), as soon as an
   * event is queued or the subscription ends. Replaces a callback still waiting.
   */
  whenReady(callback: () => void): void;
  /** Ends the subscription (its consumer is gone). */
  return(): Promise<IteratorResult<AuditEventRecord>>;
  /** Throws an AppError when the caller, as it is now, may no longer hold this subscription (see `stillAllowed`). */
  assertStillAllowed(principal: Principal, plan: Plan): void;
}

/** Whether an event stream is a feed subscription (so it can be read with `take` and `whenReady`). */
export function isFeedStream(stream: unknown): stream is FeedStream {
  return stream instanceof Subscriber;
}

/** Consumers to call back at the next check phase (`setImmediate`), all in one go. */
let readyCallbacks: (() => void)[] = [];

/**
 * Calls `callback` after the I/O that is already waiting: a commit hands its
 * event to a thousand subscribers, and their writes wait until the database
 * answers of the transactions still holding the chain head are read, instead
 * of holding those answers (and the head) back for the whole fan-out.
 */
function whenLoopTurns(callback: () => void): void {
  readyCallbacks.push(callback);
  if (readyCallbacks.length > 1) return;
  setImmediate(() => {
    const callbacks = readyCallbacks;
    readyCallbacks = [];
    for (const each of callbacks) each();
  });
}

/** One subscription: a bounded queue drained by its consumer (see `FeedStream`). */
class Subscriber implements FeedStream {
  /** Highest seq this subscriber has been given or has skipped (filtered out). */
  cursor: number;
  /** False while replaying stored events; live subscribers receive the channel's fetches. */
  live = false;
  private readonly queue: AuditEventRecord[] = [];
  private waiting: ((result: IteratorResult<AuditEventRecord>) => void) | undefined;
  /** A `take` consumer waiting for the next event (see `whenReady`). */
  private ready: (() => void) | undefined;
  /** Waiters for the backlog to shrink to `max` (replay, and live batches under back-pressure). */
  private roomWaiters: { max: number; resolve: () => void }[] = [];
  private ended = false;

  constructor(
    readonly spec: FeedSubscription,
    cursor: number,
    private readonly limit: number,
    private readonly onEnd: (subscriber: Subscriber) => void,
  ) {
    this.cursor = cursor;
  }

  get done(): boolean {
    return this.ended;
  }

  assertStillAllowed(principal: Principal, plan: Plan): void {
    this.spec.stillAllowed(principal, plan);
  }

  /** Undelivered events waiting for the consumer. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Offers the next event in seq order; false once the subscriber is gone. */
  offer(event: AuditEventRecord): boolean {
    if (this.ended) return false;
    if (event.seq <= this.cursor) return true;
    this.cursor = event.seq;
    if (!matchesFilter(event, this.spec.filter)) return true;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
      return true;
    }
    this.queue.push(event);
    this.signalReady();
    return true;
  }

  /**
   * Resolves true once the backlog is at most `max` events, or false after
   * `timeoutMs` (never waits when `timeoutMs` is undefined and resolves when room comes).
   */
  async room(max: number, timeoutMs?: number): Promise<boolean> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    while (!this.ended && this.queue.length > max) {
      const left = deadline === undefined ? undefined : deadline - Date.now();
      if (left !== undefined && left <= 0) return false;
      await new Promise<void>((resolve) => {
        this.roomWaiters.push({ max, resolve });
        if (left !== undefined) setTimeout(resolve, left).unref();
      });
    }
    return true;
  }

  /** Cuts the subscriber off for falling behind; the caller's `onOverflow` disconnects it. */
  overflow(): void {
    if (this.ended) return;
    this.finish();
    this.spec.onOverflow(new SlowConsumerError(this.limit));
  }

  take(): AuditEventRecord | undefined {
    const event = this.queue.shift();
    if (this.roomWaiters.length > 0) this.wakeRoomWaiters();
    return event;
  }

  whenReady(callback: () => void): void {
    this.ready = callback;
    if (this.ended || this.queue.length > 0) this.signalReady();
  }

  async next(): Promise<IteratorResult<AuditEventRecord>> {
    const event = this.take();
    if (event) return { value: event, done: false };
    if (this.ended) return { value: undefined, done: true };
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<AuditEventRecord>> {
    this.finish();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<AuditEventRecord> {
    return this;
  }

  /** Ends the subscription: pending and future `next()` calls complete. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
    for (const waiter of this.roomWaiters.splice(0)) waiter.resolve();
    this.signalReady();
    this.onEnd(this);
  }

  private wakeRoomWaiters(): void {
    const ready = this.roomWaiters.filter((waiter) => this.queue.length <= waiter.max);
    this.roomWaiters = this.roomWaiters.filter((waiter) => this.queue.length > waiter.max);
    for (const waiter of ready) waiter.resolve();
  }

  /** Calls a waiting `take` consumer back, outside the feed's own loops (it may write to a socket, or end). */
  private signalReady(): void {
    const ready = this.ready;
    if (!ready) return;
    this.ready = undefined;
    whenLoopTurns(ready);
  }
}

/** The subscribers of one account on this instance, fed by one read per wake-up. */
interface Channel {
  accountId: string;
  /** Highest seq read from the table and handed to live subscribers. */
  fetchedThrough: number;
  subscribers: Set<Subscriber>;
  fetching: boolean;
  /** A read is due shortly (wake-ups are coalesced). */
  scheduled: boolean;
  again: boolean;
}

/**
 * The live audit feed of one instance. Writers call `published` after commit;
 * the feed wakes local subscribers at once and tells other instances through a
 * coalesced NOTIFY (never inside the writing transaction). Each instance keeps
 * one LISTEN connection, reconnecting after failures, and a periodic catch-up
 * read, so a lost notification delays an event but never drops it.
 * Subscribers read events from the table in seq order: no gap, no duplicate.
 */
export class AuditFeed {
  private readonly channels = new Map<string, Channel>();
  private readonly opening = new Map<string, Promise<Channel>>();
  private readonly pendingNotify = new Map<string, number>();
  private notifyTimer: NodeJS.Timeout | undefined;
  private catchUpTimer: NodeJS.Timeout | undefined;
  private listener: pg.Client | undefined;
  /** The LISTEN connection's backend pid: notifications from it are this instance's own. */
  private listenerPid = 0;
  /**
   * Whether another instance listens on this database. Only then does a commit
   * here need a NOTIFY: a single instance delivers from memory and pays no
   * round trip. Set at once by a newcomer's hello, cleared by the periodic
   * check when the others are gone (their catch-up covers the moments between).
   */
  private peersListening = true;
  private reconnectDelay = 100;
  private stopped = false;
  /** Reads under way, awaited by `stop` so the pool is not closed beneath them. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly databaseUrl: string,
    private readonly em: EntityManager,
    private readonly logger: Logger,
    private readonly options: AuditFeedOptions = DEFAULT_FEED_OPTIONS,
  ) {}

  /** Opens the LISTEN connection and starts the catch-up timer. */
  async start(): Promise<void> {
    await this.listen();
    await this.checkPeers();
    this.catchUpTimer = setInterval(() => {
      void this.catchUp();
      void this.checkPeers();
    }, this.options.catchUpMs);
    this.catchUpTimer.unref();
  }

  /** Ends every subscription and closes the LISTEN connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.catchUpTimer);
    clearTimeout(this.notifyTimer);
    await this.flushNotifications();
    for (const channel of this.channels.values()) for (const subscriber of channel.subscribers) subscriber.finish();
    await Promise.all([...this.inFlight]);
    await this.listener?.end().catch(() => undefined);
  }

  /** Number of live subscriptions on this instance. */
  totalSubscriptions(): number {
    let total = 0;
    for (const channel of this.channels.values()) total += channel.subscribers.size;
    return total;
  }

  /** Number of live subscriptions of `accountId` on this instance. */
  subscriptionCount(accountId: string): number {
    return this.channels.get(accountId)?.subscribers.size ?? 0;
  }

  /**
   * After a commit on this instance: deliver its events to local subscribers
   * (straight from memory when they are next in line, else by a read), and
   * notify the other instances shortly.
   */
  published(accountId: string, events: readonly AuditEventRecord[]): void {
    const last = events[events.length - 1];
    if (!last) return;
    const channel = this.channels.get(accountId);
    if (channel && !channel.fetching && !channel.scheduled && events[0]!.seq === channel.fetchedThrough + 1) {
      // Committed here and next in seq order: no need to read back what we just wrote.
      this.dispatch(channel, events);
      const relieving = this.relieve(channel).finally(() => this.inFlight.delete(relieving));
      this.inFlight.add(relieving);
    } else {
      this.wake(accountId);
    }
    if (!this.peersListening) return;
    this.pendingNotify.set(accountId, Math.max(last.seq, this.pendingNotify.get(accountId) ?? 0));
    if (!this.notifyTimer) {
      this.notifyTimer = setTimeout(() => void this.flushNotifications(), this.options.notifyDelayMs);
    }
  }

  /**
   * A subscription's event stream: stored events after `afterSeq` (oldest
   * first), then live ones, as one seq-ordered sequence.
   */
  async subscribe(spec: FeedSubscription): Promise<FeedStream> {
    auditWhere(spec.accountId, spec.filter); // validates the filter
    const channel = await this.channelFor(spec.accountId);
    const start = spec.afterSeq ?? (await this.headOf(spec.accountId));
    const subscriber = new Subscriber(spec, start, this.options.queueLimit, (ended) => this.detach(channel, ended));
    channel.subscribers.add(subscriber);
    if (subscriber.cursor >= channel.fetchedThrough) subscriber.live = true;
    else void this.replay(channel, subscriber);
    return subscriber;
  }

  private async replay(channel: Channel, subscriber: Subscriber): Promise<void> {
    const { accountId, filter, notBefore } = subscriber.spec;
    const where = auditWhere(accountId, filter, notBefore);
    try {
      while (!subscriber.done) {
        // Single-threaded: nothing is fetched between this check and going live, so the seam has no gap.
        if (subscriber.cursor >= channel.fetchedThrough) {
          subscriber.live = true;
          return;
        }
        const target = channel.fetchedThrough;
        const rows = await this.em
          .getConnection()
          .execute<Record<string, unknown>[]>(
            `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${where.sql} AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
            [...where.params, subscriber.cursor, target, BATCH],
          );
        for (const row of rows) if (!subscriber.offer(recordFromRow(row))) return;
        if (rows.length < BATCH) subscriber.cursor = Math.max(subscriber.cursor, target);
        // Replay goes at the consumer's pace: stored events wait in the table, not in memory.
        await subscriber.room(BATCH);
      }
    } catch (error) {
      this.logger.error({ err: error, accountId }, 'audit feed replay failed');
      subscriber.finish();
    }
  }

  private async channelFor(accountId: string): Promise<Channel> {
    const existing = this.channels.get(accountId);
    if (existing) return existing;
    let opening = this.opening.get(accountId);
    if (!opening) {
      opening = this.headOf(accountId).then((head) => {
        const channel: Channel = {
          accountId,
          fetchedThrough: head,
          subscribers: new Set(),
          fetching: false,
          scheduled: false,
          again: false,
        };
        this.channels.set(accountId, channel);
        this.opening.delete(accountId);
        return channel;
      });
      this.opening.set(accountId, opening);
    }
    return opening;
  }

  private detach(channel: Channel, subscriber: Subscriber): void {
    channel.subscribers.delete(subscriber);
    if (channel.subscribers.size === 0 && this.channels.get(channel.accountId) === channel) {
      this.channels.delete(channel.accountId);
    }
  }

  private async headOf(accountId: string): Promise<number> {
    const [row] = await this.em
      .getConnection()
      .execute<{ last_seq: string }[]>('SELECT last_seq FROM audit_chain_heads WHERE account_id = ?', [accountId]);
    return row ? Number(row.last_seq) : 0;
  }

  private wake(accountId: string): void {
    const channel = this.channels.get(accountId);
    if (!channel) return;
    if (channel.fetching) {
      channel.again = true;
      return;
    }
    if (channel.scheduled) return;
    // Commits arriving within a couple of milliseconds are read together, in one query.
    channel.scheduled = true;
    setTimeout(() => {
      channel.scheduled = false;
      const fetching = this.fetch(channel).finally(() => this.inFlight.delete(fetching));
      this.inFlight.add(fetching);
    }, this.options.notifyDelayMs).unref();
  }

  /**
   * Reads the account's new events once and hands them to every live
   * subscriber, a batch at a time. Before the next batch, a subscriber whose
   * backlog could not take it gets `drainGraceMs` to catch up; one that does
   * not is cut off as a slow consumer, so no queue ever exceeds the limit.
   */
  private async fetch(channel: Channel): Promise<void> {
    channel.fetching = true;
    const batch = this.batchSize();
    try {
      do {
        channel.again = false;
        for (;;) {
          const rows = await this.em
            .getConnection()
            .execute<Record<string, unknown>[]>(
              `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
              [channel.accountId, channel.fetchedThrough, batch],
            );
          this.dispatch(channel, rows.map(recordFromRow));
          await this.relieve(channel, batch);
          if (rows.length < batch || this.stopped) break;
        }
      } while (channel.again && !this.stopped);
    } catch (error) {
      if (!this.stopped)
        this.logger.warn(
          { err: error, accountId: channel.accountId },
          'audit feed read failed; the catch-up will retry',
        );
    } finally {
      channel.fetching = false;
    }
  }

  private batchSize(): number {
    return Math.min(BATCH, this.options.queueLimit);
  }

  /** Hands events (in seq order, next after `fetchedThrough`) to every live subscriber. */
  private dispatch(channel: Channel, events: readonly AuditEventRecord[]): void {
    for (const event of events) {
      for (const subscriber of channel.subscribers) if (subscriber.live) subscriber.offer(event);
      channel.fetchedThrough = event.seq;
    }
  }

  /**
   * Gives each live subscriber whose backlog could not take another batch
   * `drainGraceMs` to catch up, and cuts off those that do not.
   */
  private async relieve(channel: Channel, batch = this.batchSize()): Promise<void> {
    const room = this.options.queueLimit - batch;
    let behind: Subscriber[] | undefined;
    for (const subscriber of channel.subscribers) {
      if (subscriber.live && subscriber.backlog > room) (behind ??= []).push(subscriber);
    }
    if (!behind) return;
    await Promise.all(
      behind.map(async (subscriber) => {
        if (!(await subscriber.room(room, this.options.drainGraceMs))) subscriber.overflow();
      }),
    );
  }

  /** Wakes every channel whose account has committed past what it has read. */
  private async catchUp(): Promise<void> {
    if (this.channels.size === 0 || this.stopped) return;
    try {
      const accounts = [...this.channels.keys()];
      const heads = await this.em
        .getConnection()
        .execute<{ account_id: string; last_seq: string }[]>(
          `SELECT account_id, last_seq FROM audit_chain_heads WHERE account_id IN (${accounts.map(() => '?').join(', ')})`,
          accounts,
        );
      for (const head of heads) {
        const channel = this.channels.get(head.account_id);
        if (channel && Number(head.last_seq) > channel.fetchedThrough) this.wake(head.account_id);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'audit feed catch-up failed');
    }
  }

  /** Whether another instance's LISTEN connection is open on this database (assumed so when it cannot be told). */
  private async checkPeers(): Promise<void> {
    if (this.stopped) return;
    try {
      const [row] = await this.em
        .getConnection()
        .execute<{ peers: string }[]>(
          'SELECT count(*) AS peers FROM pg_stat_activity WHERE datname = current_database() AND application_name = ? AND pid <> ?',
          [LISTENER_APPLICATION_NAME, this.listenerPid],
        );
      this.peersListening = Number(row?.peers ?? 1) > 0;
    } catch {
      this.peersListening = true;
    }
  }

  private async flushNotifications(): Promise<void> {
    this.notifyTimer = undefined;
    if (this.pendingNotify.size === 0) return;
    const payloads = [...this.pendingNotify].map(([accountId, seq]) => `${accountId}:${seq}`);
    this.pendingNotify.clear();
    try {
      // One statement, outside any transaction: NOTIFY inside the writers' transactions would serialise their commits.
      await this.em
        .getConnection()
        .execute(`SELECT ${payloads.map(() => `pg_notify('${FEED_CHANNEL}', ?)`).join(', ')}`, payloads);
    } catch (error) {
      this.logger.warn({ err: error }, 'audit feed NOTIFY failed; other instances catch up within a second');
    }
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: LISTENER_APPLICATION_NAME });
    // Until set up, failures surface through connect()/query(); afterwards through 'error'/'end'.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
      this.listenerPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      // A hello tells the instances already running that they now have a peer to notify.
      await client.query(`SELECT pg_notify('${FEED_CHANNEL}', '${HELLO}')`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ err: error }, 'audit feed LISTEN connection lost; reconnecting');
      setTimeout(() => void this.reconnect(), this.reconnectDelay).unref();
    };
    client.removeAllListeners('error');
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.processId !== this.listenerPid) this.peersListening = true;
      if (message.payload === HELLO) return;
      const [accountId, seq] = (message.payload ?? '').split(':');
      if (!accountId) return;
      // Our own notifications mostly announce events already handed over from memory: nothing to read then.
      const through = seq ? Number(seq) : Number.NaN;
      if (Number.isSafeInteger(through) && through <= (this.channels.get(accountId)?.fetchedThrough ?? 0)) return;
      this.wake(accountId);
    });
    this.listener = client;
    this.reconnectDelay = 100;
  }

  private async reconnect(): Promise<void> {
    try {
      await this.listen();
      this.logger.info('audit feed LISTEN connection restored');
      // Whatever was notified while disconnected is read now.
      for (const accountId of this.channels.keys()) this.wake(accountId);
    } catch (error) {
      this.logger.warn({ err: error }, 'audit feed reconnect failed; retrying');
      setTimeout(() => void this.reconnect(), this.reconnectDelay).unref();
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, 5000);
    }
  }
}
