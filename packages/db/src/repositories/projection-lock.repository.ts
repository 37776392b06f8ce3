import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * Takes the transaction-scoped advisory lock of one resource (e.g. `charge:chrg_…`), waiting
 * for any other transaction holding it. Projections of the same resource therefore run one at
 * a time across every worker process, and the lock is released by COMMIT or ROLLBACK, so a
 * crashed worker can never leave it held. Must be called inside a transaction.
 */
export async function lockResourceForProjection(
  trx: Kysely<Database>,
  resourceKey: string,
): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${resourceKey}, 0))`.execute(trx);
}
