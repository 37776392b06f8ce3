import { type Kysely, sql } from 'kysely';
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

/** The fee and its VAT Omise took on each stored charge of `ids` (from its `raw`; 0 if absent). */
export async function findChargeFees(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, { fee: number; fee_vat: number }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; fee: string; fee_vat: string }>`
    SELECT id, coalesce((raw ->> 'fee')::bigint, 0) AS fee,
           coalesce((raw ->> 'fee_vat')::bigint, 0) AS fee_vat
      FROM omise.charges WHERE id = ANY(${[...ids]})`.execute(db);
  return new Map(
    rows.map((row) => [row.id, { fee: Number(row.fee), fee_vat: Number(row.fee_vat) }]),
  );
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
