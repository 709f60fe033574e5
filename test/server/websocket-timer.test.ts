import 'reflect-metadata';
import { MAX_TIMER_DELAY_MS, armTimer } from '../../src/server/websocket/timers';

/**
 * The timer that closes a socket when its API key expires: setTimeout fires at
 * once past 2^31-1 ms (24.8 days), so longer delays are re-armed in chunks.
 * Jest's fake clock stands in for the days.
 */
const DAY = 24 * 60 * 60 * 1000;

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('armTimer', () => {
  it('fires a 30-day timer after 30 days, not at the 24.8-day setTimeout maximum', () => {
    const fired = jest.fn();
    armTimer(fired, 30 * DAY);
    jest.advanceTimersByTime(MAX_TIMER_DELAY_MS + 1);
    jest.advanceTimersByTime(5 * DAY - MAX_TIMER_DELAY_MS + 25 * DAY - 2);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('re-arms in chunks of at most maxDelayMs until the delay has passed', () => {
    const fired = jest.fn();
    armTimer(fired, 10_500, { maxDelayMs: 1000 });
    for (let chunk = 0; chunk < 10; chunk++) {
      jest.advanceTimersByTime(1000);
      expect(fired).not.toHaveBeenCalled();
      expect(jest.getTimerCount()).toBe(1);
    }
    jest.advanceTimersByTime(499);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('fires at once for a delay already past, and never after cancel', () => {
    const past = jest.fn();
    armTimer(past, -5);
    jest.advanceTimersByTime(0);
    expect(past).toHaveBeenCalledTimes(1);

    const cancelled = jest.fn();
    const timer = armTimer(cancelled, 5000, { maxDelayMs: 1000 });
    jest.advanceTimersByTime(2500);
    timer.cancel();
    jest.advanceTimersByTime(10_000);
    expect(cancelled).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });
});
