import { type Kysely } from 'kysely';
import type { Database } from '../database';
import { type ChargeRow } from './rows';

/** The charge, or `undefined` when omise-sync has never projected it. */
export async function findCharge(db: Kysely<Database>, id: string): Promise<ChargeRow | undefined> {
  return db.selectFrom('omise.charges').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The charge; throws when it has never been projected. */
export async function getCharge(db: Kysely<Database>, id: string): Promise<ChargeRow> {
  return db.selectFrom('omise.charges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * What Omise fixes when the charge is created and never changes (its `created_at` and
 * customer), or `undefined` when omise-sync has never projected it.
 */
export async function findImmutableChargeFields(
  db: Kysely<Database>,
  id: string,
): Promise<{ created_at: Date; customer_id: string | null } | undefined> {
  return db
    .selectFrom('omise.charges')
    .select(['created_at', 'customer_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** When the charge's current row was requested from Omise, or `undefined` if there is none. */
export async function findChargeObservedAt(
  db: Kysely<Database>,
  id: string,
): Promise<Date | undefined> {
  const row = await db
    .selectFrom('omise.charges')
    .select('observed_at')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.observed_at;
}

/** What the projection needs to know of a stored row before it writes the resource again. */
export interface StoredObservation {
  /** When the stored state was requested from Omise. */
  observedAt: Date;
  /** The account that owns the row. */
  account: string;
}
