// Timers longer than setTimeout's 24.8-day limit (a socket's key expiry), re-armed in chunks.
/** The longest delay setTimeout honours (2^31-1 ms, 24.8 days); past it, it fires at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** How `armTimer` arms. */
export interface ArmTimerOptions {
  /**
   * The longest single setTimeout; longer delays are re-armed in chunks.
   * @default MAX_TIMER_DELAY_MS
   */
  maxDelayMs?: number;
}

/**
 * Calls `callback` once `delayMs` have passed, however long that is (setTimeout
 * alone fires a 30-day timer at once): waits in chunks of at most `maxDelayMs`,
 * each re-armed for what is left of the deadline. The timers do not keep the
 * process alive.
 */
export function armTimer(
  callback: () => void,
  delayMs: number,
  { maxDelayMs = MAX_TIMER_DELAY_MS }: ArmTimerOptions = {},
): { cancel(): void } {
  const deadline = Date.now() + Math.max(0, delayMs);
  let timer: NodeJS.Timeout;
  const arm = () => {
    const remaining = deadline - Date.now();
    timer = setTimeout(remaining > maxDelayMs ? arm : callback, Math.max(0, Math.min(remaining, maxDelayMs)));
    timer.unref();
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}
