/**
 * Something that hands out permission to send one request. The client awaits `acquire()`
 * before every attempt, retries included. Implementations may be shared by many clients.
 */
export interface RateLimiter {
  acquire(): Promise<void>;
}

/** Options of {@link createTokenBucketRateLimiter}. */
export interface TokenBucketRateLimiterOptions {
  /** Sustained rate, in requests per second. Must be positive. */
  requestsPerSecond: number;
  /**
   * How many requests may go at once after a quiet period.
   * @defaultValue 1
   */
  burst?: number;
  /**
   * Clock in milliseconds.
   * @defaultValue Date.now
   */
  now?: () => number;
  /**
   * How to wait, in milliseconds.
   * @defaultValue a timer-based sleep
   */
  sleep?: (ms: number) => Promise<void>;
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function validateRate(requestsPerSecond: number, burst: number): void {
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError(`requestsPerSecond must be a positive number, got ${requestsPerSecond}`);
  }
  if (!Number.isInteger(burst) || burst < 1) {
    throw new RangeError(`burst must be a positive integer, got ${burst}`);
  }
}

/**
 * An in-process token bucket, written as GCRA (a "theoretical arrival time" that advances by
 * one interval per request). Each call reserves its slot synchronously before it waits, so
 * concurrent callers are served in call order and the rate holds without a queue.
 */
export function createTokenBucketRateLimiter(options: TokenBucketRateLimiterOptions): RateLimiter {
  const { requestsPerSecond, burst = 1, now = Date.now, sleep = defaultSleep } = options;
  validateRate(requestsPerSecond, burst);
  const intervalMs = 1000 / requestsPerSecond;
  const toleranceMs = (burst - 1) * intervalMs;
  let theoreticalArrivalMs = Number.NEGATIVE_INFINITY;

  return {
    async acquire(): Promise<void> {
      const nowMs = now();
      const arrival = Math.max(theoreticalArrivalMs, nowMs);
      const waitMs = arrival - toleranceMs - nowMs;
      theoreticalArrivalMs = arrival + intervalMs;
      if (waitMs > 0) await sleep(waitMs);
    },
  };
}
