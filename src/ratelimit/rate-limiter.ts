import { Redis } from 'ioredis';
import type { Knex } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

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
  /** PostgreSQL store through the ORM's pool (the default). */
  knex?: Knex;
  /** Redis store instead, when set. */
  redisUrl?: string;
  logger: Logger;
}

/**
 * A shared, exact budget across instances (rate-limiter-flexible with the
 * PostgreSQL store, or Redis), with an in-memory insurance limiter that keeps
 * limiting, per instance, while the store is unreachable.
 */
export class RateLimiter {
  private constructor(
    readonly budget: Budget,
    private readonly limiter: RateLimiterAbstract,
    private readonly redis: Redis | undefined,
  ) {}

  static create(options: RateLimiterOptions): RateLimiter {
    const { budget } = options;
    const common = { points: budget.points, duration: budget.windowSeconds, keyPrefix: `rl:${budget.name}` };
    const insuranceLimiter = new RateLimiterMemory(common);
    if (options.redisUrl) {
      const redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
      redis.on('error', (error: Error) => options.logger.warn({ err: error }, 'rate-limit store (Redis) error'));
      return new RateLimiter(budget, new RateLimiterRedis({ ...common, storeClient: redis, insuranceLimiter }), redis);
    }
    if (!options.knex) throw new Error('rate limiter needs a PostgreSQL connection or REDIS_URL');
    const limiter = new RateLimiterPostgres({
      ...common,
      storeClient: options.knex,
      storeType: 'knex',
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      clearExpiredByTimeout: true,
      insuranceLimiter,
    });
    return new RateLimiter(budget, limiter, undefined);
  }

  /** Spends one point of `key`'s budget. */
  async consume(key: string): Promise<RateLimitDecision> {
    try {
      const res = await this.limiter.consume(key, 1);
      return this.decision(true, res);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return this.decision(false, rejection);
      throw rejection;
    }
  }

  private decision(allowed: boolean, res: RateLimiterRes): RateLimitDecision {
    return {
      allowed,
      budget: this.budget,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }
}

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers,
 * structured-field version), plus `Retry-After` when refused.
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const { budget } = decision;
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"${budget.name}";q=${budget.points};w=${budget.windowSeconds}`,
    RateLimit: `"${budget.name}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
  if (!decision.allowed) headers['Retry-After'] = String(decision.resetSeconds);
  return headers;
}
