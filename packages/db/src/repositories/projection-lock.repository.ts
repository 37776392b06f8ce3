import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * The 64-bit advisory-lock id of a resource key (e.g. `charge:chrg_…`): the first 8 bytes of
 * its SHA-256, signed. Computed here rather than in SQL so that it can be sent as a plain
 * numeric literal together with BEGIN (see {@link beginProjection}); every process that locks
 * resources must use this function.
 */
export function projectionLockId(resourceKey: string): bigint {
  return createHash('sha256').update(resourceKey).digest().readBigInt64BE(0);
}

/**
 * Takes the transaction-scoped advisory lock of one resource, waiting for any other
 * transaction holding it. Projections of the same resource therefore run one at a time across
 * every worker process, and the lock is released by COMMIT or ROLLBACK, so a crashed worker
 * can never leave it held. Must be called inside a transaction.
 */
export async function lockResourceForProjection(
  trx: Kysely<Database>,
  resourceKey: string,
): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${projectionLockId(resourceKey).toString()}::bigint)`.execute(
    trx,
  );
}

/**
 * Starts a transaction on `connection` (a single pinned connection, `db.connection()`) and
 * takes the advisory locks of one or more resources, in one round trip: lock ids are numeric
 * literals, so every statement travels in one simple query. End it with COMMIT or ROLLBACK on
 * the same connection.
 */
export async function beginProjection(
  connection: Kysely<Database>,
  resourceKeys: string | readonly string[],
): Promise<void> {
  const keys: readonly string[] = typeof resourceKeys === 'string' ? [resourceKeys] : resourceKeys;
  // Several locks are always taken in ascending id order, one statement after the other (the
  // statements of a simple query run in order), so two transactions locking overlapping sets
  // cannot deadlock.
  const ids = [...new Set(keys.map(projectionLockId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const locks = ids.map((id) => `SELECT pg_advisory_xact_lock(${id.toString()})`);
  await sql.raw(['BEGIN', ...locks].join('; ')).execute(connection);
}
