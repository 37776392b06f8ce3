import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../database';
import type { DriftCounts, ReconcileRunTable, SyncCheckpointTable } from '../tables/sync.table';

export type SyncCheckpointRow = Selectable<SyncCheckpointTable>;
export type ReconcileRunRow = Selectable<ReconcileRunTable>;

/** The checkpoint of a walk, or `undefined` when it never saved one. */
export async function findSyncCheckpoint(
  db: Kysely<Database>,
  name: string,
): Promise<SyncCheckpointRow | undefined> {
  return db
    .selectFrom('omise.sync_checkpoints')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
}

/**
 * Saves a walk's cursor (any JSON value). Call it in the transaction that writes the rows the
 * cursor accounts for: both commit or neither does.
 */
export async function saveSyncCheckpoint(
  db: Kysely<Database>,
  name: string,
  cursor: unknown,
): Promise<void> {
  const value = JSON.stringify(cursor);
  await db
    .insertInto('omise.sync_checkpoints')
    .values({ name, cursor: value })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({ cursor: value, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

/** Forgets a walk's checkpoint (its next run starts over). */
export async function deleteSyncCheckpoint(db: Kysely<Database>, name: string): Promise<void> {
  await db.deleteFrom('omise.sync_checkpoints').where('name', '=', name).execute();
}

/** Every checkpoint whose name starts with `prefix` (e.g. `backfill:`), by name. */
export async function listSyncCheckpoints(
  db: Kysely<Database>,
  prefix = '',
): Promise<SyncCheckpointRow[]> {
  return db
    .selectFrom('omise.sync_checkpoints')
    .selectAll()
    .where('name', 'like', `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .orderBy('name')
    .execute();
}

/** Records the start of a reconciliation. @returns the run's id */
export async function insertReconcileRun(
  db: Kysely<Database>,
  run: { startedAt: Date; since: Date },
): Promise<number> {
  const { id } = await db
    .insertInto('omise.reconcile_runs')
    .values({ started_at: run.startedAt, since: run.since })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** What a reconciliation found and did, written when it ends (or fails). */
export interface ReconcileRunResult {
  finishedAt: Date;
  eventsSeen: number;
  eventsEnqueued: number;
  drift: DriftCounts;
  repaired: DriftCounts;
  error: string | null;
}

export async function finishReconcileRun(
  db: Kysely<Database>,
  id: number,
  result: ReconcileRunResult,
): Promise<void> {
  await db
    .updateTable('omise.reconcile_runs')
    .set({
      finished_at: result.finishedAt,
      events_seen: result.eventsSeen,
      events_enqueued: result.eventsEnqueued,
      drift: JSON.stringify(result.drift),
      repaired: JSON.stringify(result.repaired),
      error: result.error,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * The most recent reconciliation that ended (successfully or not), or `undefined` when none
 * has: what the drift metric and `omise-sync status` report.
 */
export async function findLatestReconcileRun(
  db: Kysely<Database>,
): Promise<ReconcileRunRow | undefined> {
  return db
    .selectFrom('omise.reconcile_runs')
    .selectAll()
    .where('finished_at', 'is not', null)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
