// Finds the Postgres and Redis to use when DATABASE_URL / REDIS_URL are not set: the
// localhost defaults, but only when they really answer (a connect and a query, not a port probe).
import { createConnection } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export async function postgresAnswers(url) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
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

export function redisAnswers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Fills in DATABASE_URL / REDIS_URL from the localhost defaults where those answer. */
export async function useLocalServicesIfUnset(env) {
  const found = [];
  if (!env.DATABASE_URL && (await postgresAnswers(DEFAULT_DATABASE_URL))) {
    env.DATABASE_URL = DEFAULT_DATABASE_URL;
    found.push('Postgres');
  }
  if (!env.REDIS_URL && (await redisAnswers(DEFAULT_REDIS_URL))) {
    env.REDIS_URL = DEFAULT_REDIS_URL;
    found.push('Redis');
  }
  return found;
}
