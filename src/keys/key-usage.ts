import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';

/** `lastUsedAt` is written at most this often per key. */
const WRITE_INTERVAL_MS = 60_000;

/**
 * Records `lastUsedAt` / `lastUsedIp` off the request's critical path: at most
 * one write a minute per key (the conditional UPDATE makes that hold across
 * instances too), never awaited by the request that triggered it.
 */
export class KeyUsageTracker {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly em: EntityManager,
    private readonly logger: Logger,
  ) {}

  /** Schedules a usage write for `keyId` unless one happened within the last minute. */
  touch(keyId: string, lastUsedAt: Date | null, ip: string | null): void {
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

  /** Waits for pending writes (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }
}
