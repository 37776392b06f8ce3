import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/** The account of the single-account variables, whose rows predate accounts. */
const DEFAULT_ACCOUNT = 'default';

/**
 * Leases are per account: one backfill or reconcile per account at a time, several accounts
 * at once. Takes the lease `name` for `holder` until `ttlMs` from now, if nobody holds it or the
 * holder's lease expired (times are Postgres' clock, so machines' clocks do not matter).
 * @returns true when `holder` now holds the lease
 */
export async function acquireSyncLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  ttlMs: number,
  account = DEFAULT_ACCOUNT,
): Promise<boolean> {
  const row = await db
    .insertInto('omise.sync_leases')
    .values({
      account,
      name,
      holder,
      expires_at: sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})`,
    })
    .onConflict((oc) =>
      oc
        .columns(['account', 'name'])
        .doUpdateSet({
          holder: (eb) => eb.ref('excluded.holder'),
          expires_at: (eb) => eb.ref('excluded.expires_at'),
        })
        .where('omise.sync_leases.expires_at', '<', sql<Date>`now()`),
    )
    .returning('holder')
    .executeTakeFirst();
  return row?.holder === holder;
}

/**
 * Extends `holder`'s lease to `ttlMs` from now.
 * @returns false when the lease is no longer `holder`'s (it expired and was taken over)
 */
export async function renewSyncLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  ttlMs: number,
  account = DEFAULT_ACCOUNT,
): Promise<boolean> {
  const result = await db
    .updateTable('omise.sync_leases')
    .set({ expires_at: sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})` })
    .where('account', '=', account)
    .where('name', '=', name)
    .where('holder', '=', holder)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives the lease back, if `holder` still has it. */
export async function releaseSyncLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  account = DEFAULT_ACCOUNT,
): Promise<void> {
  await db
    .deleteFrom('omise.sync_leases')
    .where('account', '=', account)
    .where('name', '=', name)
    .where('holder', '=', holder)
    .execute();
}
