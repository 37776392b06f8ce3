import { afterAll, beforeAll } from '@jest/globals';
import { Redis, type RedisOptions } from 'ioredis';
import { TEST_RUN_ENV, randomId, requireTestEnv } from './test-names';

// ioredis 6 declares `replyMapping` twice (optional-or-undefined, and as the constructor's
// generic), which `exactOptionalPropertyTypes` cannot reconcile; tests keep the default mapping.
type TestRedisOptions = Omit<RedisOptions, 'replyMapping'>;

/** A Redis key prefix that belongs to one test file, and connections to the test Redis. */
export interface TestRedis {
  /** Redis URL of the test server. */
  readonly url: string;
  /** Key prefix owned by this file; pass it as BullMQ's `prefix`. */
  readonly prefix: string;
  /** A shared connection for the file's own checks (closed after its tests). */
  readonly client: Redis;
  /** A new connection the caller owns (BullMQ workers need their own); closed after the file. */
  connect(options?: TestRedisOptions): Redis;
}

async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

/**
 * Gives the calling test file its own Redis key prefix on the test server. Every key under it
 * is deleted after the file's tests, and every connection made through `connect` is closed.
 */
export function useTestRedis(): TestRedis {
  let state: { url: string; prefix: string; client: Redis } | undefined;
  const owned: Redis[] = [];
  beforeAll(() => {
    const url = requireTestEnv('REDIS_URL');
    const prefix = `t:${requireTestEnv(TEST_RUN_ENV)}:${randomId()}`;
    state = { url, prefix, client: new Redis(url, { maxRetriesPerRequest: null }) };
  });
  afterAll(async () => {
    if (state === undefined) return;
    await Promise.all(owned.map((c) => c.quit().catch(() => c.disconnect())));
    await deleteByPrefix(state.client, state.prefix);
    await state.client.quit();
    state = undefined;
  });
  const current = () => {
    if (state === undefined) throw new Error('useTestRedis(): read it inside a test or hook');
    return state;
  };
  return {
    get url() {
      return current().url;
    },
    get prefix() {
      return current().prefix;
    },
    get client() {
      return current().client;
    },
    connect(options?: TestRedisOptions) {
      const connection = new Redis(current().url, { maxRetriesPerRequest: null, ...options });
      owned.push(connection);
      return connection;
    },
  };
}
