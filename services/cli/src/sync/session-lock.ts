import { type Database } from '@omise-sync/db';
import { type Kysely, sql } from 'kysely';
import { SyncAlreadyRunningError } from './sync-errors';

/**
 * Runs `fn` while holding a Postgres session advisory lock named `key`, so two backfills (or
 * two reconciles) never run at once against one database, whichever machine starts them. The
 * lock lives on one pooled connection held for the whole run; if the process dies, Postgres
 * drops the connection and the lock with it.
 * @throws SyncAlreadyRunningError at once when another session holds the lock
 */
export async function withSessionLock<T>(
  db: Kysely<Database>,
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{
      locked: boolean;
    }>`SELECT pg_try_advisory_lock(hashtextextended(${key}, 0)) AS locked`.execute(connection);
    if (rows[0]?.locked !== true) {
      throw new SyncAlreadyRunningError(`${key} is already running in another process`);
    }
    try {
      return await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(connection);
    }
  });
}
