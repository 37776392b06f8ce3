/**
 * Where the test Postgres and Redis come from. One place decides, for globalSetup:
 * DATABASE_URL / REDIS_URL when set, else testcontainers when a Docker engine answers,
 * else a clear failure that says how to provide them. Tests are never skipped silently.
 */

/** Containers started by globalSetup, stopped by globalTeardown. */
export interface StartedServices {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

export const MISSING_SERVICES_MESSAGE = [
  'omise-sync tests need a real PostgreSQL and Redis, and found neither configured nor startable.',
  'Either set both of:',
  '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres   (a role that may CREATE DATABASE)',
  '  REDIS_URL=redis://127.0.0.1:6379',
  'or start a Docker engine so testcontainers can run postgres:15 and redis:7 for you.',
  '(`npm test` at the repository root sets them for you when Postgres and Redis answer on localhost.)',
].join('\n');

export class TestServicesUnavailableError extends Error {
  override readonly name = 'TestServicesUnavailableError';
}

async function isDockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Starts Postgres 15 and Redis 7 in containers (only when Docker is available). */
async function startContainers(): Promise<StartedServices> {
  const [{ PostgreSqlContainer }, { RedisContainer }] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/redis'),
  ]);
  const [postgres, redis] = await Promise.all([
    new PostgreSqlContainer('postgres:15-alpine').start(),
    new RedisContainer('redis:7-alpine').start(),
  ]);
  return {
    databaseUrl: postgres.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
}

/**
 * Returns the services to test against; `stop` is a no-op for services the caller provided.
 * @throws TestServicesUnavailableError when neither the environment nor Docker provides them.
 */
export async function resolveTestServices(env: NodeJS.ProcessEnv): Promise<StartedServices> {
  const databaseUrl = env.DATABASE_URL;
  const redisUrl = env.REDIS_URL;
  if (
    databaseUrl !== undefined &&
    databaseUrl !== '' &&
    redisUrl !== undefined &&
    redisUrl !== ''
  ) {
    return { databaseUrl, redisUrl, stop: () => Promise.resolve() };
  }
  if (await isDockerAvailable()) {
    return startContainers();
  }
  throw new TestServicesUnavailableError(MISSING_SERVICES_MESSAGE);
}
