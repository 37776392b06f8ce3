import type { Insertable } from 'kysely';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import type {
  BalanceSnapshotTable,
  ReceiptTable,
  TransactionTable,
  TransferTable,
} from '../tables/ledger.table';
import { guardedRecordsetUpsert, recordsetUpsert } from './json-recordset';
import { chunk, json } from './rows';

/** A ledger movement to write (the generated columns are Postgres'). */
export type NewTransaction = Omit<
  Insertable<TransactionTable>,
  'projected_at' | 'category' | 'component' | 'signed_amount'
>;
export type NewTransfer = Omit<Insertable<TransferTable>, 'projected_at'>;
export type NewBalanceSnapshot = Omit<Insertable<BalanceSnapshotTable>, 'projected_at'>;
export type NewReceipt = Omit<Insertable<ReceiptTable>, 'projected_at'>;

const TRANSACTION_INSERT = recordsetUpsert<NewTransaction>({
  table: 'omise.transactions',
  columns: [
    ['id', 'text'],
    ['account', 'text'],
    ['livemode', 'boolean'],
    ['direction', 'text'],
    ['key', 'text'],
    ['amount', 'bigint'],
    ['currency', 'text'],
    ['origin_id', 'text'],
    ['transferable_at', 'timestamptz'],
    ['created_at', 'timestamptz'],
    ['fee', 'bigint'],
    ['fee_vat', 'bigint'],
    ['raw', 'jsonb'],
    ['origin', 'text'],
    ['observed_at', 'timestamptz'],
  ],
  // Omise never changes a transaction: a second sight of one changes nothing, so the daily
  // summary below only ever counts a movement once.
  onConflict: 'id = omise.transactions.id WHERE false',
});

/**
 * Inserts ledger movements not stored yet and adds them to `omise.ledger_daily` in the same
 * statement, so the summary always equals the sum of the table.
 * @returns how many movements were new
 */
export async function insertTransactions(
  db: Kysely<Database>,
  rows: readonly NewTransaction[],
): Promise<number> {
  let inserted = 0;
  for (const part of chunk(rows, 5_000)) {
    const result = await sql<{ inserted: string }>`
      WITH ins AS (${TRANSACTION_INSERT(part)}
                   RETURNING account, currency, created_at, transferable_at, category, component,
                             direction, amount, signed_amount, fee, fee_vat),
           summed AS (
             INSERT INTO omise.ledger_daily AS d
                    (account, currency, day, category, component, direction,
                     movement_count, amount_total, signed_total, fee_total, fee_vat_total)
             SELECT account, currency, (created_at AT TIME ZONE 'UTC')::date, category,
                    component, direction, count(*), sum(amount), sum(signed_amount), sum(fee),
                    sum(fee_vat)
               FROM ins
              GROUP BY 1, 2, 3, 4, 5, 6
             ON CONFLICT (account, currency, day, category, component, direction) DO UPDATE
                SET movement_count = d.movement_count + excluded.movement_count,
                    amount_total = d.amount_total + excluded.amount_total,
                    signed_total = d.signed_total + excluded.signed_total,
                    fee_total = d.fee_total + excluded.fee_total,
                    fee_vat_total = d.fee_vat_total + excluded.fee_vat_total),
           hourly AS (
             INSERT INTO omise.ledger_hourly AS h
                    (account, currency, hour, category, component, movement_count,
                     principal_count, signed_total, fee_total, fee_vat_total)
             SELECT account, currency, date_trunc('hour', transferable_at, 'UTC'), category, component,
                    count(*), count(*) FILTER (WHERE component = 'principal'),
                    sum(signed_amount), sum(fee), sum(fee_vat)
               FROM ins
              WHERE transferable_at IS NOT NULL
              GROUP BY 1, 2, 3, 4, 5
             ON CONFLICT (account, currency, hour, category, component) DO UPDATE
                SET movement_count = h.movement_count + excluded.movement_count,
                    principal_count = h.principal_count + excluded.principal_count,
                    signed_total = h.signed_total + excluded.signed_total,
                    fee_total = h.fee_total + excluded.fee_total,
                    fee_vat_total = h.fee_vat_total + excluded.fee_vat_total)
      SELECT count(*) AS inserted FROM ins`.execute(db);
    inserted += Number(result.rows[0]?.inserted ?? 0);
  }
  return inserted;
}

/** The transfers table's guarded upsert: an older observation never replaces a newer one. */
export const TRANSFERS = guardedRecordsetUpsert<NewTransfer>('omise.transfers', [
  ['id', 'text'],
  ['account', 'text'],
  ['livemode', 'boolean'],
  ['amount', 'bigint'],
  ['fee', 'bigint'],
  ['fee_vat', 'bigint'],
  ['net', 'bigint'],
  ['currency', 'text'],
  ['sent', 'boolean'],
  ['paid', 'boolean'],
  ['failure_code', 'text'],
  ['failure_message', 'text'],
  ['recipient_id', 'text'],
  ['transaction_id', 'text'],
  ['metadata', 'jsonb'],
  ['created_at', 'timestamptz'],
  ['sent_at', 'timestamptz'],
  ['paid_at', 'timestamptz'],
  ['deleted_at', 'timestamptz'],
  ['raw', 'jsonb'],
  ['origin', 'text'],
  ['observed_at', 'timestamptz'],
]);

/**
 * Marks stored transfers deleted (Omise answered 404, or said `deleted`), unless a newer
 * observation is stored.
 * @returns the ids marked
 */
export async function markTransfersDeleted(
  db: Kysely<Database>,
  account: string,
  ids: readonly string[],
  observedAt: Date,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('omise.transfers')
    .set({ deleted_at: observedAt, observed_at: observedAt, projected_at: sql<Date>`now()` })
    .where('id', 'in', [...ids])
    .where('account', '=', account)
    .where('deleted_at', 'is', null)
    .where('observed_at', '<=', observedAt)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Records one balance observation (a second one at the same instant is ignored). */
export async function insertBalanceSnapshot(
  db: Kysely<Database>,
  row: NewBalanceSnapshot,
): Promise<void> {
  await db
    .insertInto('omise.balance_snapshots')
    .values({ ...row, raw: json(row.raw) })
    .onConflict((oc) => oc.columns(['account', 'currency', 'taken_at']).doNothing())
    .execute();
}

/** When the account's balance was last snapshotted, or null before the first ledger sync. */
export async function findLatestBalanceSnapshotAt(
  db: Kysely<Database>,
  account: string,
): Promise<Date | null> {
  const row = await db
    .selectFrom('omise.balance_snapshots')
    .select((eb) => eb.fn.max('taken_at').as('taken_at'))
    .where('account', '=', account)
    .executeTakeFirst();
  return row?.taken_at ?? null;
}

/** The receipts table's guarded upsert (a credit note may follow; receipts are re-read). */
export const RECEIPTS = guardedRecordsetUpsert<NewReceipt>('omise.receipts', [
  ['id', 'text'],
  ['account', 'text'],
  ['number', 'text'],
  ['date', 'timestamptz'],
  ['currency', 'text'],
  ['charge_fee', 'bigint'],
  ['voided_fee', 'bigint'],
  ['transfer_fee', 'bigint'],
  ['subtotal', 'bigint'],
  ['vat', 'bigint'],
  ['wht', 'bigint'],
  ['total', 'bigint'],
  ['credit_note', 'boolean'],
  ['raw', 'jsonb'],
  ['origin', 'text'],
  ['observed_at', 'timestamptz'],
]);
