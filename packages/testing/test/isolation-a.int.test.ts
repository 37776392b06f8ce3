import { describe, it } from '@jest/globals';
import { useTestDatabase, useTestRedis } from '../src';
import { proveIsolation } from './isolation';

describe('test isolation (file a of 2)', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();

  it('when two test files run at once, each sees only its own rows and jobs', async () => {
    await proveIsolation('a', database, redis);
  }, 150_000);
});
