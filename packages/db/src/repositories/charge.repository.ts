import { type Kysely, type QueryCreator, sql } from 'kysely';
import type { Database } from '../database';
import { createRecordsetUpsert } from './json-recordset';
import { type ChargeRow, type NewCharge, json, newestPerId } from './rows';

/** `omise.charges` as written by {@link upsertCharges} (every column but `projected_at`). */
const upsertChargeRecordset = createRecordsetUpsert<NewCharge>('omise.charges', [
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
]);

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
  return upsertChargeRecordset(db, newestPerId(rows));
}

/** The charge, or `undefined` when omise-sync has never projected it. */
export async function findCharge(db: Kysely<Database>, id: string): Promise<ChargeRow | undefined> {
  return db.selectFrom('omise.charges').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The charge; throws when it has never been projected. */
export async function getCharge(db: Kysely<Database>, id: string): Promise<ChargeRow> {
  return db.selectFrom('omise.charges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
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

/** The guarded multi-row upsert of charges, as a query to execute or to embed in a CTE. */
export function chargeUpsertQuery(qc: QueryCreator<Database>, batch: readonly NewCharge[]) {
  return qc
    .insertInto('omise.charges')
    .values(batch.map((row) => ({ ...row, metadata: json(row.metadata), raw: json(row.raw) })))
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          livemode: eb.ref('excluded.livemode'),
          amount: eb.ref('excluded.amount'),
          currency: eb.ref('excluded.currency'),
          status: eb.ref('excluded.status'),
          authorized: eb.ref('excluded.authorized'),
          paid: eb.ref('excluded.paid'),
          capturable: eb.ref('excluded.capturable'),
          reversed: eb.ref('excluded.reversed'),
          expired: eb.ref('excluded.expired'),
          refunded_amount: eb.ref('excluded.refunded_amount'),
          failure_code: eb.ref('excluded.failure_code'),
          failure_message: eb.ref('excluded.failure_message'),
          customer_id: eb.ref('excluded.customer_id'),
          card_brand: eb.ref('excluded.card_brand'),
          card_last_digits: eb.ref('excluded.card_last_digits'),
          description: eb.ref('excluded.description'),
          metadata: eb.ref('excluded.metadata'),
          created_at: eb.ref('excluded.created_at'),
          authorized_at: eb.ref('excluded.authorized_at'),
          paid_at: eb.ref('excluded.paid_at'),
          expires_at: eb.ref('excluded.expires_at'),
          reversed_at: eb.ref('excluded.reversed_at'),
          raw: eb.ref('excluded.raw'),
          origin: eb.ref('excluded.origin'),
          observed_at: eb.ref('excluded.observed_at'),
          projected_at: sql<Date>`now()`,
        }))
        .whereRef('omise.charges.observed_at', '<=', 'excluded.observed_at'),
    );
}
