import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * Creates the lock rows of `keys` that do not exist yet. Runs on its own, outside the
 * transaction that will lock them: a row inserted inside it would be invisible to every other
 * transaction until COMMIT, and so could not serialise them through `FOR UPDATE`. Rows are
 * inserted in key order, the order {@link lockResources} takes them in.
 */
export async function ensureResourceLocks(
  db: Kysely<Database>,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  await sql`
    INSERT INTO omise.resource_locks (resource_key)
    SELECT key FROM unnest(${[...keys]}::text[]) AS key ORDER BY key
    ON CONFLICT (resource_key) DO NOTHING`.execute(db);
}

/**
 * Takes the row locks of `keys` (`SELECT … ORDER BY resource_key FOR UPDATE`) for the rest of
 * the transaction `trx`, waiting for whoever holds one. Every writer of a projected resource
 * calls this, and Postgres locks the rows in the one order of the ORDER BY, so writers locking
 * overlapping sets never deadlock. `FOR UPDATE` needs UPDATE privilege: a read-only role cannot
 * take or hold these locks. Call {@link ensureResourceLocks} first.
 */
export async function lockResources(trx: Kysely<Database>, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await trx
    .selectFrom('omise.resource_locks')
    .select('resource_key')
    .where('resource_key', 'in', [...new Set(keys)])
    .orderBy('resource_key')
    .forUpdate()
    .execute();
}
