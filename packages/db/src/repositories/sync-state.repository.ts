import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../database';
import type {
  DriftCounts,
  ReconcileRunTable,
  SyncCheckpointTable,
  WebhookDeliverySummary,
} from '../tables/sync.table';

export type SyncCheckpointRow = Selectable<SyncCheckpointTable>;
export type ReconcileRunRow = Selectable<ReconcileRunTable>;

/** The account of the single-account variables, whose rows predate accounts. */
const DEFAULT_ACCOUNT = 'default';

/** The checkpoint of an account's walk, or `undefined` when it never saved one. */
export async function findSyncCheckpoint(
  db: Kysely<Database>,
  name: string,
  account = DEFAULT_ACCOUNT,
): Promise<SyncCheckpointRow | undefined> {
  return db
    .selectFrom('omise.sync_checkpoints')
    .selectAll()
    .where('account', '=', account)
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
  account = DEFAULT_ACCOUNT,
): Promise<void> {
  const value = JSON.stringify(cursor);
  await db
    .insertInto('omise.sync_checkpoints')
    .values({ account, name, cursor: value })
    .onConflict((oc) =>
      oc.columns(['account', 'name']).doUpdateSet({ cursor: value, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

/** Forgets an account's walk checkpoint (its next run starts over). */
export async function deleteSyncCheckpoint(
  db: Kysely<Database>,
  name: string,
  account = DEFAULT_ACCOUNT,
): Promise<void> {
  await db
    .deleteFrom('omise.sync_checkpoints')
    .where('account', '=', account)
    .where('name', '=', name)
    .execute();
}

/**
 * Every checkpoint whose name starts with `prefix` (e.g. `backfill:`), of one account or (when
 * `account` is null) of all, by account and name.
 */
export async function listSyncCheckpoints(
  db: Kysely<Database>,
  prefix = '',
  account: string | null = DEFAULT_ACCOUNT,
): Promise<SyncCheckpointRow[]> {
  let query = db
    .selectFrom('omise.sync_checkpoints')
    .selectAll()
    .where('name', 'like', `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (account !== null) query = query.where('account', '=', account);
  return query.orderBy('account').orderBy('name').execute();
}

/** Records the start of a reconciliation. @returns the run's id */
export async function insertReconcileRun(
  db: Kysely<Database>,
  run: { startedAt: Date; since: Date; account?: string },
): Promise<number> {
  const { id } = await db
    .insertInto('omise.reconcile_runs')
    .values({
      started_at: run.startedAt,
      since: run.since,
      account: run.account ?? DEFAULT_ACCOUNT,
    })
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
  /** Omise's record of delivering the events read (left as it was when omitted). */
  webhookDeliveries?: WebhookDeliverySummary;
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
      ...(result.webhookDeliveries === undefined
        ? {}
        : { webhook_deliveries: JSON.stringify(result.webhookDeliveries) }),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * The most recent reconciliation that ended (successfully or not), of one account or of any,
 * or `undefined` when none has.
 */
export async function findLatestReconcileRun(
  db: Kysely<Database>,
  account?: string,
): Promise<ReconcileRunRow | undefined> {
  let query = db
    .selectFrom('omise.reconcile_runs')
    .selectAll()
    .where('finished_at', 'is not', null);
  if (account !== undefined) query = query.where('account', '=', account);
  return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The most recent ended reconciliation of each account, by account. */
export async function findLatestReconcileRuns(db: Kysely<Database>): Promise<ReconcileRunRow[]> {
  return db
    .selectFrom('omise.reconcile_runs')
    .distinctOn('account')
    .selectAll()
    .where('finished_at', 'is not', null)
    .orderBy('account')
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
