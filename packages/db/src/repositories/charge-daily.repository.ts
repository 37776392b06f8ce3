import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * Recomputes `omise.charge_daily` from the charges, in the caller's transaction, with charge
 * writes held off meanwhile. The projection core keeps the summary as it writes; this repairs
 * it after charges were written around the core (SQL by hand, a release before the summary
 * still running during a roll-out).
 */
export async function rebuildChargeDaily(trx: Kysely<Database>): Promise<void> {
  await sql`LOCK TABLE omise.charges IN SHARE MODE`.execute(trx);
  await sql`DELETE FROM omise.charge_daily`.execute(trx);
  await sql`
    INSERT INTO omise.charge_daily
    SELECT account, (created_at AT TIME ZONE 'UTC')::date, currency, status, paid,
           count(*), sum(amount), sum(refunded_amount)
      FROM omise.charges
     GROUP BY 1, 2, 3, 4, 5`.execute(trx);
}
