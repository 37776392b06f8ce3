import { createTokenBucketRateLimiter } from './rate-limiter';

function fakeClock(startMs = 1_000_000) {
  let nowMs = startMs;
  const sleeps: number[] = [];
  return {
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
    },
    sleeps,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  };
}

describe('createTokenBucketRateLimiter', () => {
  it('with burst 1, lets the first request through and spaces the rest by 1/rate', async () => {
    const clock = fakeClock();
    const limiter = createTokenBucketRateLimiter({ requestsPerSecond: 4, ...clock });
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it('with a burst of 3, three requests go at once and the fourth waits one interval', async () => {
    const clock = fakeClock();
    const limiter = createTokenBucketRateLimiter({ requestsPerSecond: 10, burst: 3, ...clock });
    for (let i = 0; i < 4; i += 1) await limiter.acquire();
    expect(clock.sleeps).toEqual([100]);
  });

  it('after a quiet period the burst is available again, but never more than the burst', async () => {
    const clock = fakeClock();
    const limiter = createTokenBucketRateLimiter({ requestsPerSecond: 10, burst: 2, ...clock });
    await limiter.acquire();
    await limiter.acquire();
    clock.advance(60_000);
    await limiter.acquire();
    await limiter.acquire();
    await limiter.acquire();
    expect(clock.sleeps).toEqual([100]);
  });

  it('over a long run, admits requests at the configured rate', async () => {
    const clock = fakeClock();
    const limiter = createTokenBucketRateLimiter({
      requestsPerSecond: 5,
      now: clock.now,
      sleep: (ms) => {
        clock.advance(ms);
        return Promise.resolve();
      },
    });
    const start = clock.now();
    for (let i = 0; i < 51; i += 1) await limiter.acquire();
    expect(clock.now() - start).toBe(10_000);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects a rate of %p', (rate) => {
    expect(() => createTokenBucketRateLimiter({ requestsPerSecond: rate })).toThrow(RangeError);
  });

  it('rejects a burst below 1', () => {
    expect(() => createTokenBucketRateLimiter({ requestsPerSecond: 1, burst: 0 })).toThrow(
      RangeError,
    );
  });
});
