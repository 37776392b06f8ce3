import { type RedisClusterProcesses, startRedisCluster, useTestRedis } from '@omise-sync/testing';
import { Cluster } from 'ioredis';
import { createRedisRateLimiter } from './redis-rate-limiter';

describe('createRedisRateLimiter on a real Redis', () => {
  const redis = useTestRedis();

  function recordingSleep() {
    const waits: number[] = [];
    return {
      waits,
      sleep: (ms: number) => {
        waits.push(ms);
        return Promise.resolve();
      },
    };
  }

  it('when two processes share a key, their requests together are spaced by 1/rate', async () => {
    const key = `${redis.prefix}:omise-budget`;
    const a = recordingSleep();
    const b = recordingSleep();
    // Two connections stand in for two worker processes.
    const limiterA = createRedisRateLimiter({
      redis: redis.connect(),
      key,
      requestsPerSecond: 1,
      sleep: a.sleep,
    });
    const limiterB = createRedisRateLimiter({
      redis: redis.connect(),
      key,
      requestsPerSecond: 1,
      sleep: b.sleep,
    });
    await Promise.all(
      Array.from({ length: 5 }, () => [limiterA.acquire(), limiterB.acquire()]).flat(),
    );
    // One request went at once (no sleep); nine reserved one-second slots after it. Redis time
    // moves on while the calls arrive, so each wait is a little under its slot.
    const waits = [...a.waits, ...b.waits].sort((x, y) => x - y);
    expect(waits).toHaveLength(9);
    waits.forEach((wait, index) => {
      expect(wait).toBeLessThanOrEqual((index + 1) * 1000);
      expect(wait).toBeGreaterThan((index + 1) * 1000 - 500);
    });
    expect(a.waits.length).toBeGreaterThan(0);
    expect(b.waits.length).toBeGreaterThan(0);
  });

  it('with a burst of 4, four requests go without waiting and the fifth waits', async () => {
    const key = `${redis.prefix}:burst`;
    const recorder = recordingSleep();
    const limiter = createRedisRateLimiter({
      redis: redis.client,
      key,
      requestsPerSecond: 2,
      burst: 4,
      sleep: recorder.sleep,
    });
    for (let i = 0; i < 5; i += 1) await limiter.acquire();
    expect(recorder.waits).toHaveLength(1);
    expect(recorder.waits[0]).toBeGreaterThan(0);
    expect(recorder.waits[0]).toBeLessThanOrEqual(500);
  });

  it('keys of separate budgets do not affect each other', async () => {
    const recorder = recordingSleep();
    const first = createRedisRateLimiter({
      redis: redis.client,
      key: `${redis.prefix}:one`,
      requestsPerSecond: 1,
      sleep: recorder.sleep,
    });
    const second = createRedisRateLimiter({
      redis: redis.client,
      key: `${redis.prefix}:two`,
      requestsPerSecond: 1,
      sleep: recorder.sleep,
    });
    await first.acquire();
    await second.acquire();
    expect(recorder.waits).toEqual([]);
  });

  it('the budget key expires on its own once idle', async () => {
    const key = `${redis.prefix}:expiry`;
    const limiter = createRedisRateLimiter({ redis: redis.client, key, requestsPerSecond: 5 });
    await limiter.acquire();
    const ttl = await redis.client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_200);
  });
});

describe('createRedisRateLimiter on a Redis Cluster', () => {
  let cluster: RedisClusterProcesses | undefined;
  const clients: Cluster[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.quit()));
    await cluster?.stop();
  });

  const connect = () => {
    const client = new Cluster(cluster?.nodes.map((node) => ({ ...node })) ?? []);
    clients.push(client);
    return client;
  };

  it('when two processes share a hash-tagged key, their requests are spaced by 1/rate', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    // One key per budget, so the script never spans slots; the tag keeps it beside the queues.
    const key = '{omise-sync}:omise-budget';
    const limiters = [connect(), connect()].map((redis) =>
      createRedisRateLimiter({ redis, key, requestsPerSecond: 2, sleep }),
    );
    await Promise.all(limiters.flatMap((limiter) => [limiter.acquire(), limiter.acquire()]));
    waits.sort((a, b) => a - b);
    expect(waits).toHaveLength(3);
    waits.forEach((wait, index) => {
      expect(wait).toBeLessThanOrEqual((index + 1) * 500);
      expect(wait).toBeGreaterThan((index + 1) * 500 - 250);
    });
  });
});
