import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import type { StoredObservation } from './charge.repository';

/** The tables whose rows become tombstones when Omise deletes their object (ADR 0007). */
export type DirectoryTable =
  | 'omise.customers'
  | 'omise.cards'
  | 'omise.recipients'
  | 'omise.schedules'
  | 'omise.schedule_occurrences'
  | 'omise.links';

/** The tables reconcile lists in full, each row a tombstone (`deleted_at`) once Omise drops it. */
export type ListedTable = DirectoryTable | 'omise.transfers';

/** The tables a projected resource is stored in, each keyed by its Omise id with `observed_at`. */
export type ObservedTable = DirectoryTable | 'omise.charges' | 'omise.disputes' | 'omise.transfers';

/** When each stored row was requested from Omise, and its account; ids never projected are absent. */
export async function findStoredObservations(
  db: Kysely<Database>,
  table: ObservedTable,
  ids: readonly string[],
): Promise<Map<string, StoredObservation>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; observed_at: Date; account: string }>`
    SELECT id, observed_at, account FROM ${sql.table(table)} WHERE id = ANY(${[...ids]})`.execute(
    db,
  );
  return new Map(
    rows.map((row) => [row.id, { observedAt: row.observed_at, account: row.account }]),
  );
}

/**
 * Makes tombstones: sets `deleted_at` on the account's rows of `ids` not already deleted, and
 * moves `observed_at` forward so an older observation (a re-fetch sent before the deletion)
 * cannot bring the row back.
 * @returns the ids marked
 */
export async function markDirectoryRowsDeleted(
  db: Kysely<Database>,
  table: DirectoryTable,
  account: string,
  ids: readonly string[],
  deletedAt: Date,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    UPDATE ${sql.table(table)}
       SET deleted_at = ${deletedAt}, observed_at = greatest(observed_at, ${deletedAt}),
           projected_at = now()
     WHERE id = ANY(${[...ids]}) AND account = ${account} AND deleted_at IS NULL
     RETURNING id`.execute(db);
  return rows.map((row) => row.id);
}

/** The ids of the account's rows that are not tombstones (what reconcile expects Omise to list). */
export async function findLiveDirectoryIds(
  db: Kysely<Database>,
  table: ListedTable,
  account: string,
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM ${sql.table(table)} WHERE account = ${account} AND deleted_at IS NULL`.execute(
    db,
  );
  return rows.map((row) => row.id);
}

/**
 * Makes tombstones of a customer's stored cards that are not in `keep` (its complete card list
 * as just observed): Omise has deleted them.
 */
export async function markCardsDeletedExcept(
  db: Kysely<Database>,
  account: string,
  customerId: string,
  keep: readonly string[],
  deletedAt: Date,
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    UPDATE omise.cards
       SET deleted_at = ${deletedAt}, observed_at = greatest(observed_at, ${deletedAt}),
           projected_at = now()
     WHERE customer_id = ${customerId} AND account = ${account} AND deleted_at IS NULL
       AND observed_at <= ${deletedAt} AND NOT (id = ANY(${[...keep]}))
     RETURNING id`.execute(db);
  return rows.map((row) => row.id);
}
