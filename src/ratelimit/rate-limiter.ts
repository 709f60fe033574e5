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
}

/** A request waiting for its point of a key's budget. */
interface Waiter {
  resolve(decision: RateLimitDecision): void;
  reject(error: unknown): void;
}

/** The requests of one key: those waiting, and whether a store call for the key is under way. */
interface KeyQueue {
  waiting: Waiter[];
  busy: boolean;
}

/**
 * A shared, exact budget across instances (rate-limiter-flexible with the
 * PostgreSQL store, or Redis), with an in-memory insurance limiter that keeps
 * limiting, per instance, while the store is unreachable.
 *
 * Requests of one key that arrive while a store call for that key is under
 * way are spent together in the next call: n points at once, then request i
 * of the batch (in arrival order) is allowed when the count after the first
 * i of them is within the budget. That is exactly what n calls of one point
 * would decide (refused requests count too), with one round trip instead of
 * n; a request that finds no call under way goes to the store at once.
 */
export class RateLimiter {
  private readonly queues = new Map<string, KeyQueue>();

  private constructor(
    readonly budget: Budget,
    private readonly limiter: RateLimiterAbstract,
    private readonly close_: () => Promise<void>,
  ) {}

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
      return new RateLimiter(budget, limiter, async () => redis.disconnect());
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
    return new RateLimiter(budget, limiter, () => pool.end());
  }

  /** Spends one point of `key`'s budget. */
  consume(key: string): Promise<RateLimitDecision> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { waiting: [], busy: false };
        this.queues.set(key, queue);
      }
      queue.waiting.push({ resolve, reject });
      if (!queue.busy) void this.drain(key, queue);
    });
  }

  /** Spends the waiting requests' points, one store call per batch, until none wait. */
  private async drain(key: string, queue: KeyQueue): Promise<void> {
    queue.busy = true;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting;
      queue.waiting = [];
      let res: RateLimiterRes;
      try {
        res = await this.limiter.consume(key, batch.length);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          for (const waiter of batch) waiter.reject(rejection);
          continue;
        }
        res = rejection;
      }
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
    this.queues.delete(key);
  }

  async close(): Promise<void> {
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
