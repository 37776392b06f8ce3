import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseEnv } from './parse-env';
import { RedisEnv, describeRedisTarget } from './redis-connection';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    parseEnv(RedisEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('RedisEnv', () => {
  it('with REDIS_URL, connects to one server with BullMQ prefix "bull"', () => {
    expect(parseEnv(RedisEnv, { REDIS_URL: 'rediss://:pw@redis:6380/2' })).toEqual({
      mode: 'standalone',
      url: 'rediss://:pw@redis:6380/2',
      bullmqPrefix: 'bull',
    });
  });

  it('with sentinels, reads their addresses, the master name, both passwords and TLS', () => {
    expect(
      parseEnv(RedisEnv, {
        REDIS_SENTINELS: 'sentinel-0:26379, 10.0.0.7:26380,[::1]:26381',
        REDIS_SENTINEL_NAME: 'omise',
        REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
        REDIS_PASSWORD: 'data-secret',
        REDIS_USERNAME: 'omise-sync',
        REDIS_TLS: 'true',
      }),
    ).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 'sentinel-0', port: 26379 },
        { host: '10.0.0.7', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'omise',
      sentinelUsername: undefined,
      sentinelPassword: 'sentinel-secret',
      username: 'omise-sync',
      password: 'data-secret',
      tls: true,
      bullmqPrefix: 'bull',
    });
  });

  it('in cluster mode, the BullMQ prefix defaults to a hash tag', () => {
    const config = parseEnv(RedisEnv, { REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:6379' });
    expect(config).toMatchObject({ mode: 'cluster', bullmqPrefix: '{omise-sync}', tls: false });
  });

  it('in cluster mode, a prefix without a hash tag is refused', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis-0:6379', BULLMQ_PREFIX: 'bull' })).toEqual([
      expect.stringMatching(/^BULLMQ_PREFIX: must contain a hash tag/),
    ]);
    expect(
      parseEnv(RedisEnv, { REDIS_CLUSTER_NODES: 'redis-0:6379', BULLMQ_PREFIX: 'prod:{q}' })
        .bullmqPrefix,
    ).toBe('prod:{q}');
  });

  it.each([
    [{}, /^REDIS_URL: set one of REDIS_URL, REDIS_SENTINELS/],
    [
      { REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'r:6379' },
      /^REDIS_URL: set only one of REDIS_URL, REDIS_CLUSTER_NODES/,
    ],
    [{ REDIS_SENTINELS: 's:26379' }, /^REDIS_SENTINEL_NAME: required with REDIS_SENTINELS/],
    [
      { REDIS_URL: 'redis://r:6379', REDIS_SENTINEL_NAME: 'm' },
      /^REDIS_SENTINEL_NAME: only applies with REDIS_SENTINELS/,
    ],
    [{ REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'pw' }, /^REDIS_PASSWORD: put the password in/],
    [
      { REDIS_URL: 'redis://r:6379', REDIS_TLS: 'true' },
      /^REDIS_TLS: with REDIS_URL, use a rediss/,
    ],
    [{ REDIS_CLUSTER_NODES: 'r' }, /^REDIS_CLUSTER_NODES: "r" is not host:port/],
    [{ REDIS_SENTINELS: 's:99999', REDIS_SENTINEL_NAME: 'm' }, /^REDIS_SENTINELS: "s:99999"/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('describes the target for logs without any password', () => {
    const described = JSON.stringify(
      [
        { REDIS_URL: 'redis://user:url-secret@redis:6379' },
        {
          REDIS_SENTINELS: 's:26379',
          REDIS_SENTINEL_NAME: 'm',
          REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
          REDIS_PASSWORD: 'data-secret',
        },
        { REDIS_CLUSTER_NODES: 'r:6379', REDIS_PASSWORD: 'cluster-secret' },
      ].map((env) => describeRedisTarget(parseEnv(RedisEnv, env))),
    );
    expect(described).not.toMatch(/secret/);
    expect(described).toMatch(/"sentinels":\["s:26379"\]/);
  });
});
