import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/** Table of the PostgreSQL store (created by a migration). */
export const RATE_LIMIT_TABLE = 'rate_limits';

/** One budget: `points` per `windowSeconds` per key, e.g. per client IP. More budgets (per key, per account) are more entries. */
export interface Budget {
  name: string;
  points: number;
  windowSeconds: number;
}

/** The outcome of spending one point, with what the response headers say. */
export interface RateLimitDecision {
  allowed: boolean;
  budget: Budget;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export interface RateLimiterOptions {
  budget: Budget;
  /** PostgreSQL store (the default), on the service's database. */
  databaseUrl?: string;
  /** Redis store instead, when set. */
  redisUrl?: string;
  logger: Logger;
  /**
   * How long requests allowed from memory may wait before they are sent to the store (one call per client for
   * all of them); sooner when the client pauses. @default 200
   */
  flushIntervalMs?: number;
  /**
   * How many clients' windows an instance remembers; a client beyond that is counted through the store on every
   * request, as is every client while the budget is small. @default 10_000
   */
  maxTrackedKeys?: number;
}

/** Knowledge of the store older than this is not acted on: the next request asks the store. */
const FRESH_FOR_MS = 1000;

/**
 * Past half the budget, knowledge must be this recent (and what memory allows goes to the store at once): other
 * instances would have to spend 3/16 of the client's budget within it and a round trip for this one to let a
 * request too many through.
 */
const FRESH_NEAR_LIMIT_MS = 50;

/**
 * A client that sent nothing for this long has its unsent requests sent (checked this often): a client that moves to
 * another instance leaves nothing behind for long.
 */
const QUIET_MS = 50;

/** How often the windows that ended are forgotten. */
const SWEEP_EVERY_MS = 5000;

/** A request waiting for the store to decide it. */
interface Waiter {
  resolve(decision: RateLimitDecision): void;
  reject(error: unknown): void;
}

/** What the store said of a key's current window at its last answer. */
interface KnownWindow {
  /** Points the store had counted in the window (every instance's requests, refused ones included). */
  counted: number;
  /** When the window ends (epoch ms); the store starts a new one after that. */
  resetAt: number;
  /** When the store answered. */
  answeredAt: number;
}

/** One client key on this instance. */
interface KeyState {
  /** Undefined until the store has answered for the key (or while the key is not remembered). */
  window: KnownWindow | undefined;
  /** Requests allowed from memory and not yet sent to the store. */
  unsent: number;
  /** When the oldest unsent request was allowed. */
  unsentSince: number;
  /** When the latest request was allowed from memory. */
  lastAllowedAt: number;
  /** Points of the store call under way. */
  inFlight: number;
  /** Requests for the store to decide, in arrival order, in its next call. */
  waiting: Waiter[];
  /** A store call for the key is under way. */
  busy: boolean;
  /** Kept between calls (counts towards maxTrackedKeys). */
  tracked: boolean;
}

/**
 * A budget shared by every instance (rate-limiter-flexible with the PostgreSQL
 * store, or Redis), with an in-memory insurance limiter that keeps limiting,
 * per instance, while the store is unreachable.
 *
 * Far from the limit most requests are counted in memory: with a recent
 * answer of the store for the client, at most three quarters of the budget
 * spent and less than a sixteenth of it not yet sent, a request is allowed at once
 * and sent later with the others (one `consume(key, n)` per client within
 * `flushIntervalMs`, or at once when a thirty-second of the budget is
 * unsent). Near the limit, at a window's start, for a client not remembered
 * and with a small budget, the store decides each request: exact there, on one
 * instance or many. A window the store reported spent is refused from memory
 * until it resets. What that costs in precision across instances:
 * src/ratelimit/README.md.
 *
 * Requests the store decides that arrive while a call for their key is under
 * way are spent together in the next call (with what memory counted): n
 * points at once, then request i of the batch (in arrival order) is allowed
 * when the count after the first i of them is within the budget — what n
 * calls of one point would decide, with one round trip.
 */
export class RateLimiter {
  private readonly keys = new Map<string, KeyState>();
  /** Keys with requests allowed from memory that no call is sending yet. */
  private unsentKeys = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private readonly draining = new Set<Promise<void>>();
  private tracked = 0;
  private closed = false;
  /** The store decides every request once this few points are left. */
  private readonly margin: number;
  /** At most this many requests allowed from memory and not yet counted by the store; 0: memory allows none. */
  private readonly maxUnsent: number;
  /** A key's unsent requests go to the store at once from this many. */
  private readonly flushAt: number;
  private readonly flushIntervalMs: number;
  private readonly maxTrackedKeys: number;

  private constructor(
    readonly budget: Budget,
    private readonly limiter: RateLimiterAbstract,
    private readonly close_: () => Promise<void>,
    options: Pick<RateLimiterOptions, 'flushIntervalMs' | 'maxTrackedKeys'>,
  ) {
    this.margin = Math.ceil(budget.points / 4);
    const maxUnsent = Math.floor(budget.points / 16);
    this.maxUnsent = maxUnsent >= 2 ? maxUnsent : 0;
    this.flushAt = Math.max(1, Math.ceil(this.maxUnsent / 2));
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxTrackedKeys = options.maxTrackedKeys ?? 10_000;
    this.sweeper = setInterval(() => this.forgetEndedWindows(), Math.min(SWEEP_EVERY_MS, budget.windowSeconds * 1000));
    this.sweeper.unref();
  }

  static create(options: RateLimiterOptions): RateLimiter {
    const { budget } = options;
    const common = { points: budget.points, duration: budget.windowSeconds, keyPrefix: `rl:${budget.name}` };
    const insuranceLimiter = new RateLimiterMemory(common);
    if (options.redisUrl) {
      const redis = new Redis(options.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      });
      redis.on('error', (error: Error) => options.logger.warn({ err: error }, 'rate-limit store (Redis) error'));
      const limiter = new RateLimiterRedis({ ...common, storeClient: redis, insuranceLimiter });
      return new RateLimiter(budget, limiter, async () => redis.disconnect(), options);
    }
    if (!options.databaseUrl) throw new Error('rate limiter needs a PostgreSQL URL or REDIS_URL');
    // A small pool of its own: counter updates need no fsync wait (a crash forgets at most the last
    // moments of a one-minute budget), so they neither queue behind nor hold up the ORM's connections.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 4,
      options: '-c synchronous_commit=off',
      application_name: 'keyledger-rate-limit',
    });
    pool.on('error', (error) => options.logger.warn({ err: error }, 'rate-limit store (PostgreSQL) connection error'));
    const limiter = new RateLimiterPostgres({
      ...common,
      storeClient: pool,
      storeType: 'pool',
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      clearExpiredByTimeout: true,
      insuranceLimiter,
    });
    return new RateLimiter(budget, limiter, () => pool.end(), options);
  }

  /** How many clients' windows this instance remembers now (at most `maxTrackedKeys`). */
  get trackedKeys(): number {
    return this.tracked;
  }

  /** Spends one point of `key`'s budget. */
  consume(key: string): Promise<RateLimitDecision> {
    let state = this.keys.get(key);
    if (state) {
      const decision = this.decideFromMemory(key, state, Date.now());
      if (decision) return Promise.resolve(decision);
    } else {
      state = {
        window: undefined,
        unsent: 0,
        unsentSince: 0,
        lastAllowedAt: 0,
        inFlight: 0,
        waiting: [],
        busy: false,
        tracked: false,
      };
      this.keys.set(key, state);
    }
    const queued = state;
    return new Promise((resolve, reject) => {
      queued.waiting.push({ resolve, reject });
      if (!queued.busy) this.startDrain(key, queued, false);
    });
  }

  /** The decision memory can take for the key's next request, or undefined when the store must take it. */
  private decideFromMemory(key: string, state: KeyState, now: number): RateLimitDecision | undefined {
    const { window } = state;
    if (!window || now >= window.resetAt) return undefined;
    const resetSeconds = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
    // The store counted the whole budget in this window: nothing more passes anywhere until it resets.
    if (window.counted >= this.budget.points) {
      return { allowed: false, budget: this.budget, remaining: 0, resetSeconds };
    }
    const unsent = state.unsent + state.inFlight;
    if (unsent >= this.maxUnsent || state.waiting.length > 0 || window.resetAt - now < 2 * this.flushIntervalMs) {
      return undefined;
    }
    const counted = window.counted + unsent + 1;
    if (counted > this.budget.points - this.margin) return undefined;
    const age = now - window.answeredAt;
    if (age > (counted > this.budget.points / 2 ? FRESH_NEAR_LIMIT_MS : FRESH_FOR_MS)) return undefined;
    state.unsent += 1;
    state.lastAllowedAt = now;
    if (state.unsent === 1) state.unsentSince = now;
    if (!state.busy) {
      if (this.sendNow(state)) this.startDrain(key, state, false);
      else if (state.unsent === 1) this.scheduleFlush(key);
    }
    return { allowed: true, budget: this.budget, remaining: this.budget.points - counted, resetSeconds };
  }

  /** Whether the key's unsent requests go to the store now, not with the next flush: many, or past half the budget. */
  private sendNow(state: KeyState): boolean {
    if (state.unsent === 0) return false;
    if (state.unsent >= this.flushAt) return true;
    return state.window !== undefined && state.window.counted + state.unsent > this.budget.points / 2;
  }

  private startDrain(key: string, state: KeyState, flush: boolean): void {
    const drained: Promise<void> = this.drain(key, state, flush).finally(() => this.draining.delete(drained));
    this.draining.add(drained);
  }

  /**
   * Sends the key's waiting requests and what memory allowed to the store, one call per batch, until no request
   * waits (and, with `flush`, at least once): the answer decides the waiting requests and updates the known window.
   */
  private async drain(key: string, state: KeyState, flush: boolean): Promise<void> {
    state.busy = true;
    let force = flush;
    while (state.waiting.length > 0 || this.sendNow(state) || (force && state.unsent > 0)) {
      force = false;
      const batch = state.waiting;
      state.waiting = [];
      const points = state.unsent + batch.length;
      state.inFlight = points;
      state.unsent = 0;
      let res: RateLimiterRes;
      try {
        res = await this.limiter.consume(key, points);
      } catch (rejection) {
        state.inFlight = 0;
        if (!(rejection instanceof RateLimiterRes)) {
          // What the store holds is unknown now: the next request asks it again.
          state.window = undefined;
          for (const waiter of batch) waiter.reject(rejection);
          continue;
        }
        res = rejection;
      }
      state.inFlight = 0;
      const now = Date.now();
      state.window = this.remember(state)
        ? { counted: res.consumedPoints, resetAt: now + res.msBeforeNext, answeredAt: now }
        : undefined;
      const before = res.consumedPoints - batch.length;
      const resetSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      batch.forEach((waiter, index) => {
        const consumed = before + index + 1;
        waiter.resolve({
          allowed: consumed <= this.budget.points,
          budget: this.budget,
          remaining: Math.max(0, this.budget.points - consumed),
          resetSeconds,
        });
      });
    }
    state.busy = false;
    if (state.unsent > 0) this.scheduleFlush(key);
    else if (!state.tracked) this.keys.delete(key);
  }

  /** Whether the key's window is kept between calls: yes while fewer than maxTrackedKeys are. */
  private remember(state: KeyState): boolean {
    if (!state.tracked && this.tracked < this.maxTrackedKeys) {
      state.tracked = true;
      this.tracked += 1;
    }
    return state.tracked;
  }

  /** Sends the key's unsent requests once it is quiet or they are flushIntervalMs old. */
  private scheduleFlush(key: string): void {
    if (this.closed) return;
    this.unsentKeys.add(key);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flushUnsent(), QUIET_MS);
    this.flushTimer.unref();
  }

  private flushUnsent(): void {
    this.flushTimer = undefined;
    const now = Date.now();
    for (const key of this.unsentKeys) {
      const state = this.keys.get(key);
      // A key whose call is under way reschedules itself when the call ends.
      if (!state || state.busy || state.unsent === 0) {
        this.unsentKeys.delete(key);
      } else if (now - state.lastAllowedAt >= QUIET_MS || now - state.unsentSince >= this.flushIntervalMs) {
        this.unsentKeys.delete(key);
        this.startDrain(key, state, true);
      }
    }
    if (this.unsentKeys.size > 0 && !this.closed) {
      this.flushTimer = setTimeout(() => this.flushUnsent(), QUIET_MS);
      this.flushTimer.unref();
    }
  }

  /** Forgets the keys whose window has ended and that have nothing unsent: memory follows the traffic. */
  private forgetEndedWindows(): void {
    const now = Date.now();
    for (const [key, state] of this.keys) {
      if (state.busy || state.unsent > 0 || (state.window && state.window.resetAt > now)) continue;
      this.keys.delete(key);
      if (state.tracked) this.tracked -= 1;
    }
  }

  /** Sends every request counted in memory to the store, then lets go of the store. Once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    clearTimeout(this.flushTimer);
    for (;;) {
      for (const [key, state] of this.keys) if (!state.busy && state.unsent > 0) this.startDrain(key, state, true);
      if (this.draining.size === 0) break;
      await Promise.all(this.draining);
    }
    await this.close_();
  }
}

/** Who is asking, as far as budgets are concerned. */
export interface RateLimitSubject {
  /** Client address (TRUST_PROXY applied). */
  ip: string | null;
}

/**
 * A budget and what it counts by. Today: the client IP. A per-API-key or
 * per-account budget is one more rule with its own `keyOf`.
 */
export interface BudgetRule {
  budget: Budget;
  /** The key this subject spends from, or undefined when the budget does not apply to it. */
  keyOf(subject: RateLimitSubject): string | undefined;
}

/** The outcome across every budget that applies: refused when any of them is spent. */
export interface RateLimitVerdict {
  allowed: boolean;
  decisions: RateLimitDecision[];
}

/** Every budget of the service, spent together for each request. */
export class RateLimits {
  private constructor(private readonly entries: { rule: BudgetRule; limiter: RateLimiter }[]) {}

  /** One limiter per rule, all on the same store. No rules: nothing is limited. */
  static create(rules: BudgetRule[], store: Omit<RateLimiterOptions, 'budget'>): RateLimits {
    return new RateLimits(
      rules.map((rule) => ({ rule, limiter: RateLimiter.create({ ...store, budget: rule.budget }) })),
    );
  }

  /** Spends one point from each applicable budget. */
  async consume(subject: RateLimitSubject): Promise<RateLimitVerdict> {
    const decisions = await Promise.all(
      this.entries.flatMap(({ rule, limiter }) => {
        const key = rule.keyOf(subject);
        return key === undefined ? [] : [limiter.consume(key)];
      }),
    );
    return { allowed: decisions.every((decision) => decision.allowed), decisions };
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map(({ limiter }) => limiter.close()));
  }
}

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers,
 * structured-field version: one list item per budget), plus `Retry-After`
 * when refused.
 */
export function rateLimitHeaders(verdict: RateLimitVerdict): Record<string, string> {
  if (verdict.decisions.length === 0) return {};
  const headers: Record<string, string> = {
    'RateLimit-Policy': verdict.decisions
      .map(({ budget }) => `"${budget.name}";q=${budget.points};w=${budget.windowSeconds}`)
      .join(', '),
    RateLimit: verdict.decisions
      .map((decision) => `"${decision.budget.name}";r=${decision.remaining};t=${decision.resetSeconds}`)
      .join(', '),
  };
  const retryAfter = retryAfterOf(verdict);
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
  return headers;
}

/** The refused decision that ends last (the one to wait for); undefined when allowed. */
export function refusedDecision(verdict: RateLimitVerdict): RateLimitDecision | undefined {
  return verdict.decisions.filter((decision) => !decision.allowed).sort((a, b) => b.resetSeconds - a.resetSeconds)[0];
}

function retryAfterOf(verdict: RateLimitVerdict): number | undefined {
  return refusedDecision(verdict)?.resetSeconds;
}
