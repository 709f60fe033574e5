/** Resolves after `ms` milliseconds. For setup (e.g. letting a subscription register), never for a timed assertion. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How `eventually` polls. */
export interface EventuallyOptions {
  /**
   * How long to keep trying before failing.
   * @default 5_000
   */
  timeoutMs?: number;
  /**
   * The pause between two checks.
   * @default 50
   */
  intervalMs?: number;
}

/**
 * Checks `check` until it holds, for something that happens asynchronously (a socket closing, a reconnection);
 * fails naming `what` (a text, or a function giving one at the time of failure) after `timeoutMs`.
 */
export async function eventually(
  what: string | (() => string),
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 5_000, intervalMs = 50 }: EventuallyOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`not within ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * `promise`'s outcome, or a rejection naming `what` once `timeoutMs` have passed: fails fast instead of hanging
 * until the jest timeout.
 */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
