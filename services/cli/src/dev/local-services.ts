import { spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** What docker-compose.yml's postgres and redis services listen on. */
export const COMPOSE_DATABASE_URL = 'postgres://omise_sync:omise_sync@127.0.0.1:5432/omise_sync';
/** docker-compose.yml's Redis requires its (public, demo-only) password. */
export const COMPOSE_REDIS_URL = 'redis://:omise_sync_demo@127.0.0.1:6379';

/** Where Postgres and Redis came from, for the user to read. */
export interface ResolvedServices {
  databaseUrl: string;
  redisUrl: string;
  /** True when the database URL was chosen by dev (so dev may create and reset its database). */
  databaseIsOurs: boolean;
  source: string;
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function dockerAvailable(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

export const START_SERVICES_HELP = [
  'npm run dev needs PostgreSQL (>= 15) and Redis (>= 7), and found neither running nor startable.',
  'Either set DATABASE_URL and REDIS_URL, or start them on localhost, for example:',
  '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  'or start a Docker engine: npm run dev then runs `docker compose up -d postgres redis` itself.',
].join('\n');

/**
 * DATABASE_URL / REDIS_URL when set; else the localhost defaults when they answer; else
 * docker-compose's postgres and redis when Docker is available. Returns undefined when none
 * of these works (the caller prints {@link START_SERVICES_HELP}).
 */
export async function resolveServices(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<ResolvedServices | undefined> {
  const givenDb =
    env.DATABASE_URL !== undefined && env.DATABASE_URL !== '' ? env.DATABASE_URL : undefined;
  const givenRedis =
    env.REDIS_URL !== undefined && env.REDIS_URL !== '' ? env.REDIS_URL : undefined;
  const databaseUrl = givenDb ?? DEFAULT_DATABASE_URL;
  const redisUrl = givenRedis ?? DEFAULT_REDIS_URL;
  const [dbUp, redisUp] = await Promise.all([postgresAnswers(databaseUrl), redisAnswers(redisUrl)]);
  if (dbUp && redisUp) {
    return {
      databaseUrl,
      redisUrl,
      databaseIsOurs: givenDb === undefined,
      source: givenDb === undefined ? 'localhost' : 'DATABASE_URL / REDIS_URL',
    };
  }
  if (givenDb !== undefined && givenRedis !== undefined) {
    log(`${!dbUp ? `DATABASE_URL does not answer` : `REDIS_URL does not answer`}`);
    return undefined;
  }
  if (!dockerAvailable()) return undefined;
  log('starting Postgres and Redis with docker compose…');
  const up = spawnSync('docker', ['compose', 'up', '-d', '--wait', 'postgres', 'redis'], {
    stdio: 'inherit',
  });
  if (up.status !== 0) return undefined;
  const composeDb = givenDb ?? COMPOSE_DATABASE_URL;
  const composeRedis = givenRedis ?? COMPOSE_REDIS_URL;
  if (!(await postgresAnswers(composeDb)) || !(await redisAnswers(composeRedis))) return undefined;
  return {
    databaseUrl: composeDb,
    redisUrl: composeRedis,
    databaseIsOurs: givenDb === undefined,
    source: 'docker compose',
  };
}
