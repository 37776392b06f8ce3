import { type Kysely } from 'kysely';
import type { Database } from '../database';
import { type RecordsetColumn, guardedRecordsetUpsert } from './json-recordset';
import { type ChargeRow, type NewCharge } from './rows';

/** `omise.charges` as written by the upserts below (every column but `projected_at`). */
const CHARGE_COLUMNS: readonly RecordsetColumn<NewCharge>[] = [
  ['id', 'text'],
  ['livemode', 'boolean'],
  ['amount', 'bigint'],
  ['currency', 'text'],
  ['status', 'text'],
  ['authorized', 'boolean'],
  ['paid', 'boolean'],
  ['capturable', 'boolean'],
  ['reversed', 'boolean'],
  ['expired', 'boolean'],
  ['refunded_amount', 'bigint'],
  ['failure_code', 'text'],
  ['failure_message', 'text'],
  ['customer_id', 'text'],
  ['card_brand', 'text'],
  ['card_last_digits', 'text'],
  ['description', 'text'],
  ['metadata', 'jsonb'],
  ['created_at', 'timestamptz'],
  ['authorized_at', 'timestamptz'],
  ['paid_at', 'timestamptz'],
  ['expires_at', 'timestamptz'],
  ['reversed_at', 'timestamptz'],
  ['raw', 'jsonb'],
  ['origin', 'text'],
  ['observed_at', 'timestamptz'],
];
const CHARGES_UPSERT = guardedRecordsetUpsert<NewCharge>('omise.charges', CHARGE_COLUMNS);

/**
 * The guarded upsert of up to 5,000 charges (distinct ids) as one statement, to execute or to
 * embed in a CTE; see {@link upsertCharges}.
 */
export const chargeUpsertStatement = CHARGES_UPSERT.statement;

/**
 * Inserts or updates charges in batches. A row is only replaced by an observation at least as
 * new as the one it holds (`observed_at`), so a slow re-fetch finishing after a faster, newer
 * one never brings the older state back.
 * @returns the ids actually written (rows refused by the guard are not listed)
 */
export async function upsertCharges(
  db: Kysely<Database>,
  rows: readonly NewCharge[],
): Promise<string[]> {
  return CHARGES_UPSERT.upsert(db, rows);
}

/** The charge, or `undefined` when omise-sync has never projected it. */
export async function findCharge(db: Kysely<Database>, id: string): Promise<ChargeRow | undefined> {
  return db.selectFrom('omise.charges').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The charge; throws when it has never been projected. */
export async function getCharge(db: Kysely<Database>, id: string): Promise<ChargeRow> {
  return db.selectFrom('omise.charges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** When the charge was created (Omise's `created_at`), or `undefined` when never projected. */
export async function findChargeCreatedAt(
  db: Kysely<Database>,
  id: string,
): Promise<Date | undefined> {
  const row = await db
    .selectFrom('omise.charges')
    .select('created_at')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.created_at;
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

/** When each stored charge was requested from Omise; ids never projected are absent. */
export async function findChargesObservedAt(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, Date>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('omise.charges')
    .select(['id', 'observed_at'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((row) => [row.id, row.observed_at]));
}
