import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { withPooledConnection } from '../db/sql';

/** `lastUsedAt` is written at most this often per key. */
const WRITE_INTERVAL_MS = 60_000;
/** Request counts are written in one statement at most this often. */
const FLUSH_INTERVAL_MS = 2_000;
/** Hourly counts older than this are deleted (usage shows the last 7 days). */
const KEEP = '8 days';
/** How often an instance deletes old hourly counts. */
const PRUNE_INTERVAL_MS = 3_600_000;

/** Counts of one key waiting to be written. */
interface Pending {
  accountId: string;
  /** Requests per hour (ISO start of the hour). */
  hours: Map<string, number>;
  /** Requests the key served after it had been rotated. */
  sinceRotation: number;
}

/**
 * Adds the counted requests to the hourly table and to each rotated key's
 * count since rotation: `$1` key ids, `$2` account ids, `$3` hours, `$4`
 * requests, `$5` requests after rotation (parallel arrays, one row per key and hour).
 */
const FLUSH = `
  WITH counted AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::bigint[], $5::bigint[])
                  AS c(key_id, account_id, hour, requests, since_rotation)
  ), hourly AS (
    INSERT INTO api_key_usage AS u (key_id, account_id, hour, requests)
    SELECT key_id, account_id, hour, requests FROM counted
    ON CONFLICT (key_id, hour) DO UPDATE SET requests = u.requests + excluded.requests
  )
  UPDATE api_keys k SET requests_since_rotation = k.requests_since_rotation + r.n
    FROM (SELECT key_id, sum(since_rotation) AS n FROM counted GROUP BY key_id HAVING sum(since_rotation) > 0) r
   WHERE k.id = r.key_id`;

/**
 * Records API key usage off the request's critical path, never awaited by the
 * request that triggered it: `lastUsedAt` / `lastUsedIp` at most once a minute
 * per key (the conditional UPDATE makes that hold across instances too), and
 * request counts per key and hour (plus, for a rotated key, since the
 * rotation) summed in memory and written in one statement every 2 s.
 */
export class KeyUsageTracker {
  private readonly inFlight = new Map<string, Promise<void>>();
  private pending = new Map<string, Pending>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastPrune = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly logger: Logger,
  ) {}

  /**
   * Counts one request of `keyId` and schedules a last-use write unless one
   * happened within the last minute. `rotated`: the key had been rotated
   * when the request was authenticated.
   */
  touch(keyId: string, accountId: string, lastUsedAt: Date | null, ip: string | null, rotated: boolean): void {
    this.count(keyId, accountId, rotated);
    if (lastUsedAt && Date.now() - lastUsedAt.getTime() < WRITE_INTERVAL_MS) return;
    if (this.inFlight.has(keyId)) return;
    const write = this.em
      .getConnection()
      .execute(
        `UPDATE api_keys SET last_used_at = now(), last_used_ip = ?
          WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')`,
        [ip, keyId],
      )
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error, keyId }, 'could not record API key usage'))
      .finally(() => this.inFlight.delete(keyId));
    this.inFlight.set(keyId, write);
  }

  /** Writes the counts gathered so far (the timer does this every 2 s; shutdown and tests call it). */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /** Waits for pending writes and writes the remaining counts (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight.values());
    await this.flush();
  }

  private count(keyId: string, accountId: string, rotated: boolean): void {
    let entry = this.pending.get(keyId);
    if (!entry) {
      entry = { accountId, hours: new Map(), sinceRotation: 0 };
      this.pending.set(keyId, entry);
    }
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    entry.hours.set(hour, (entry.hours.get(hour) ?? 0) + 1);
    if (rotated) entry.sinceRotation += 1;
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
      this.flushTimer.unref();
    }
  }

  private async write(batch: Map<string, Pending>): Promise<void> {
    const keys: string[] = [];
    const accounts: string[] = [];
    const hours: string[] = [];
    const requests: number[] = [];
    const sinceRotation: number[] = [];
    for (const [keyId, entry] of batch) {
      let first = true;
      for (const [hour, count] of entry.hours) {
        keys.push(keyId);
        accounts.push(entry.accountId);
        hours.push(hour);
        requests.push(count);
        // The key's count since rotation rides on its first row.
        sinceRotation.push(first ? entry.sinceRotation : 0);
        first = false;
      }
    }
    try {
      // pg binds each JS array as one PostgreSQL array (the query builder would expand it).
      await withPooledConnection(this.em, async (connection) => {
        await connection.query(FLUSH, [keys, accounts, hours, requests, sinceRotation]);
        if (Date.now() - this.lastPrune > PRUNE_INTERVAL_MS) {
          this.lastPrune = Date.now();
          await connection.query(`DELETE FROM api_key_usage WHERE hour < now() - interval '${KEEP}'`);
        }
      });
    } catch (error) {
      this.logger.warn({ err: error, keys: batch.size }, 'could not record API key request counts');
    }
  }
}
