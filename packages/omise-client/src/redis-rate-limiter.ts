import { type RateLimiter, defaultSleep, validateRate } from './rate-limiter';

/**
 * The one Redis method the limiter needs, typed structurally so this package does not
 * depend on ioredis at runtime. An ioredis `Redis` or `Cluster` instance fits.
 */
export interface RedisEvaluator {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** A Redis connection (ioredis). The limiter never closes it. */
  redis: RedisEvaluator;
  /**
   * The Redis key holding the shared budget; every process sharing a budget uses the same. The
   * script touches this one key only, so it runs on a Redis Cluster as is; a hash tag (such as
   * BullMQ's `{omise-sync}`) keeps it on the queues' node.
   */
  key: string;
  /** Sustained rate for all processes together, in requests per second. */
  requestsPerSecond: number;
  /**
   * How many requests may go at once after a quiet period.
   * @defaultValue 1
   */
  burst?: number;
  /**
   * How to wait, in milliseconds.
   * @defaultValue a timer-based sleep
   */
  sleep?: (ms: number) => Promise<void>;
}

// GCRA in one atomic script: read the theoretical arrival time, reserve the next slot and
// return how long the caller must wait. Time comes from Redis (TIME) so that processes on
// machines with skewed clocks still share one timeline. Microseconds keep the arithmetic
// exact in Lua's doubles for rates like 3/s.
const GCRA_SCRIPT = `
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local wait = tat - tolerance - now
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1000)
if wait < 0 then wait = 0 end
return wait
`;

/**
 * A rate limiter whose budget lives in Redis, so a fleet of workers shares one Omise budget.
 * Each `acquire()` reserves a slot atomically and then waits locally until it.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { redis, key, requestsPerSecond, burst = 1, sleep = defaultSleep } = options;
  validateRate(requestsPerSecond, burst);
  const intervalUs = Math.max(1, Math.round(1_000_000 / requestsPerSecond));
  const toleranceUs = (burst - 1) * intervalUs;

  return {
    async acquire(): Promise<void> {
      const waitUs = Number(await redis.eval(GCRA_SCRIPT, 1, key, intervalUs, toleranceUs));
      if (waitUs > 0) await sleep(waitUs / 1000);
    },
  };
}
