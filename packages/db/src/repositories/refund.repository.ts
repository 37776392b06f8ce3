import { type Kysely } from 'kysely';
import type { Database } from '../database';
import { type RecordsetColumn, guardedRecordsetUpsert } from './json-recordset';
import { type NewRefund, type RefundRow } from './rows';

/** `omise.refunds` as written by the upserts below (every column but `projected_at`). */
const REFUND_COLUMNS: readonly RecordsetColumn<NewRefund>[] = [
  ['id', 'text'],
  ['charge_id', 'text'],
  ['livemode', 'boolean'],
  ['amount', 'bigint'],
  ['currency', 'text'],
  ['status', 'text'],
  ['voided', 'boolean'],
  ['metadata', 'jsonb'],
  ['created_at', 'timestamptz'],
  ['raw', 'jsonb'],
  ['origin', 'text'],
  ['observed_at', 'timestamptz'],
];
const REFUNDS_UPSERT = guardedRecordsetUpsert<NewRefund>('omise.refunds', REFUND_COLUMNS);

/**
 * The guarded upsert of up to 5,000 refunds (distinct ids) as one statement, to execute or to
 * embed in a CTE; see {@link upsertRefunds}.
 */
export const refundUpsertStatement = REFUNDS_UPSERT.statement;

/**
 * Inserts or updates refunds in batches, with the same guard as charges: an older observation
 * never replaces a newer one.
 * @returns the ids actually written
 */
export async function upsertRefunds(
  db: Kysely<Database>,
  rows: readonly NewRefund[],
): Promise<string[]> {
  return REFUNDS_UPSERT.upsert(db, rows);
}

/** The refund, or `undefined`. */
export async function findRefund(db: Kysely<Database>, id: string): Promise<RefundRow | undefined> {
  return db.selectFrom('omise.refunds').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every refund of a charge, oldest first. */
export async function findRefundsByCharge(
  db: Kysely<Database>,
  chargeId: string,
): Promise<RefundRow[]> {
  return db
    .selectFrom('omise.refunds')
    .selectAll()
    .where('charge_id', '=', chargeId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
