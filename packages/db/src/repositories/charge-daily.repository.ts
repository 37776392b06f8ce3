import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * Recomputes the charge summaries (`omise.charge_daily`, `omise.customer_charge_totals`) from
 * the charges, in the caller's transaction, with charge writes held off meanwhile. The
 * projection core keeps them as it writes; this repairs them after charges were written around
 * the core (SQL by hand, a release before the summaries still running during a roll-out).
 */
export async function rebuildChargeSummaries(trx: Kysely<Database>): Promise<void> {
  await sql`LOCK TABLE omise.charges IN SHARE MODE`.execute(trx);
  await sql`DELETE FROM omise.charge_daily`.execute(trx);
  await sql`
    INSERT INTO omise.charge_daily
    SELECT account, (created_at AT TIME ZONE 'UTC')::date, currency, status, paid,
           count(*), sum(amount), sum(refunded_amount)
      FROM omise.charges
     GROUP BY 1, 2, 3, 4, 5`.execute(trx);
  await sql`DELETE FROM omise.customer_charge_totals`.execute(trx);
  await sql`
    INSERT INTO omise.customer_charge_totals
    SELECT account, customer_id, sum(charge_count), min(first_charge_at), max(last_charge_at),
           CASE WHEN count(*) = 1 THEN min(currency) END, jsonb_object_agg(currency, net)
      FROM (SELECT account, customer_id, currency, count(*) AS charge_count,
                   min(created_at) AS first_charge_at, max(created_at) AS last_charge_at,
                   coalesce(sum(amount - refunded_amount) FILTER (WHERE status = 'successful'), 0)
                     AS net
              FROM omise.charges
             WHERE customer_id IS NOT NULL
             GROUP BY 1, 2, 3) per_currency
     GROUP BY 1, 2`.execute(trx);
}
