import { type Kysely, type QueryCreator } from 'kysely';
import type { Database } from '../database';
import { createRecordsetUpsert, excludedUpdateSet, type RecordsetColumn } from './json-recordset';
import { type NewRefund, type RefundRow, json, newestPerId } from './rows';

/** `omise.refunds` as written by both upserts below (every column but `projected_at`). */
const REFUND_COLUMNS: readonly RecordsetColumn[] = [
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
const upsertRefundRecordset = createRecordsetUpsert<NewRefund>('omise.refunds', REFUND_COLUMNS);

/**
 * Inserts or updates refunds in batches, with the same guard as charges: an older observation
 * never replaces a newer one.
 * @returns the ids actually written
 */
export async function upsertRefunds(
  db: Kysely<Database>,
  rows: readonly NewRefund[],
): Promise<string[]> {
  return upsertRefundRecordset(db, newestPerId(rows));
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

/** The guarded multi-row upsert of refunds, as a query to execute or to embed in a CTE. */
export function refundUpsertQuery(qc: QueryCreator<Database>, batch: readonly NewRefund[]) {
  return qc
    .insertInto('omise.refunds')
    .values(batch.map((row) => ({ ...row, metadata: json(row.metadata), raw: json(row.raw) })))
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet(excludedUpdateSet(REFUND_COLUMNS))
        .whereRef('omise.refunds.observed_at', '<=', 'excluded.observed_at'),
    );
}
