import { type Clock, type Logger, type OmiseEventJob } from '@omise-sync/core';
import {
  type Database,
  type EventRecord,
  findSyncCheckpoint,
  finishReconcileRun,
  insertReconcileRun,
  saveSyncCheckpoint,
} from '@omise-sync/db';
import {
  type Charge,
  type Dispute,
  type OmiseClient,
  type OmiseEvent,
  type Refund,
  MAX_PAGE_SIZE,
  OmiseNotFoundError,
} from '@omise-sync/omise-client';
import {
  type ChargeObservation,
  type DisputeObservation,
  type DisputeSeverityRules,
  type ProjectionRequest,
  collect,
  embeddedDocuments,
  embeddedRefunds,
  eventRecord,
  projectBatch,
  recordEvents,
  resourceModules,
  toChargeRow,
  toDisputeRow,
  toRefundRow,
} from '@omise-sync/projection';
import { type Queue } from 'bullmq';
import { type Kysely } from 'kysely';
import { z } from 'zod';
import { BACKFILL_RESOURCES, BackfillCursor, backfillCheckpointName } from './backfill';
import {
  type DriftCounts,
  type DriftKind,
  chargeDifferences,
  disputeDifferences,
  emptyDrift,
  refundDifferences,
} from './drift';
import { type EnqueueAction, enqueueEventJob, eventJobFor, rerunJobId } from './event-jobs';
import { withSyncLease } from './sync-lease';

/** Name of the reconcile's cursor in `omise.sync_checkpoints`. */
export const RECONCILE_EVENTS_CHECKPOINT = 'reconcile:events';

/**
 * Where the Events API walk stands: the creation time of the last event seen, and the ids of
 * the events seen at exactly that time. The next run lists from that time (inclusive) and
 * skips those ids, so an event created in the same second but listed later is neither missed
 * nor read twice.
 */
export const ReconcileEventsCursor = z.object({
  createdAt: z.string(),
  ids: z.array(z.string()),
});
export type ReconcileEventsCursor = z.infer<typeof ReconcileEventsCursor>;

export interface ReconcileDeps {
  db: Kysely<Database>;
  omise: OmiseClient;
  /** The `omise-events` queue (the worker's prefix). */
  queue: Queue<OmiseEventJob>;
  clock: Clock;
  logger: Logger;
  severityRules: DisputeSeverityRules;
  /** Days a merchant has to answer a dispute (`DISPUTE_RESPONSE_DAYS`), shared with the worker. */
  responseDays: number;
  /** How long the run's lease lasts without renewal, in ms. @defaultValue 30000 */
  leaseTtlMs?: number;
}

export interface ReconcileOptions {
  /**
   * Start of the window: events from then are re-read (instead of from the cursor) and charges
   * created since then are compared. Unset: events from the cursor (or `lookbackMs` ago on the
   * first run), charges from `lookbackMs` ago.
   */
  since?: Date | undefined;
  /** How far back the first run reads events and every run compares charges, in ms. */
  lookbackMs: number;
  /** Events younger than this are left to webhook delivery and the next run, in ms. */
  settleMs: number;
}

/** What one reconciliation found and did. */
export interface ReconcileReport {
  runId: number;
  startedAt: Date;
  finishedAt: Date;
  since: Date;
  events: {
    from: string;
    to: string;
    /** Charge, refund and dispute events read. */
    seen: number;
    /** Of those, already processed (in `omise.events`). */
    processed: number;
    /** What was done with the others. */
    actions: Record<EnqueueAction, number>;
    /**
     * Of the others, created before a finished full backfill listed their resources: recorded
     * as projected (origin `backfill`) without a job, since their rows already show them.
     */
    reflected: number;
    /** Events whose envelope could not be read (logged). */
    invalid: number;
  };
  chargesCompared: number;
  disputesCompared: number;
  drift: DriftCounts;
  repaired: DriftCounts;
  /** Up to five ids per kind, for the report and the logs. */
  examples: Partial<Record<DriftKind, string[]>>;
}

const PROCESSED_OUTCOMES = ['projected', 'not_found', 'ignored'] as const;

function floorToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Tracks drift found and repaired, with a few example ids per kind. */
class DriftLedger {
  readonly drift = emptyDrift();
  readonly repaired = emptyDrift();
  readonly examples: Partial<Record<DriftKind, string[]>> = {};

  found(kind: DriftKind, id: string, count = 1): void {
    this.drift[kind] += count;
    const list = (this.examples[kind] ??= []);
    if (list.length < 5) list.push(id);
  }

  fixed(kind: DriftKind, count = 1): void {
    this.repaired[kind] += count;
  }
}

/**
 * The new events cursor after reading `events` (in chronological order) up to `to`: it only
 * ever moves forward. Pure.
 */
export function advanceEventsCursor(
  current: ReconcileEventsCursor | undefined,
  events: readonly Pick<OmiseEvent, 'id' | 'created_at'>[],
  to: Date | undefined,
): ReconcileEventsCursor | undefined {
  let next = current;
  const consider = (createdAtMs: number, id: string | undefined) => {
    const currentMs = next === undefined ? Number.NEGATIVE_INFINITY : Date.parse(next.createdAt);
    if (createdAtMs > currentMs) {
      next = { createdAt: new Date(createdAtMs).toISOString(), ids: id === undefined ? [] : [id] };
    } else if (createdAtMs === currentMs && id !== undefined && next !== undefined) {
      if (!next.ids.includes(id)) next = { ...next, ids: [...next.ids, id] };
    }
  };
  for (const event of events) consider(Date.parse(event.created_at), event.id);
  // The whole window up to `to` was read: the cursor may stand at `to` itself (keeping the
  // ids seen in that second, which the next run must skip).
  if (to !== undefined) {
    const toMs = to.getTime();
    const secondIds = events
      .filter((event) => Math.floor(Date.parse(event.created_at) / 1000) * 1000 === toMs)
      .map((event) => event.id);
    const currentMs = next === undefined ? Number.NEGATIVE_INFINITY : Date.parse(next.createdAt);
    if (toMs > currentMs) next = { createdAt: to.toISOString(), ids: secondIds };
  }
  return next;
}

/**
 * Where a finished full backfill leaves off: the end of the window of the charge and dispute
 * backfills (the earlier one), when both walked from the beginning and finished. Every charge
 * and dispute created up to then was listed after it, so its rows already show every event
 * created before it. Undefined otherwise: a `--since` walk or a continuation (its window
 * starts where an earlier one ended, so older resources were not listed again) proves nothing.
 */
async function findFullBackfillEnd(db: Kysely<Database>): Promise<Date | undefined> {
  let end: number | undefined;
  for (const resource of BACKFILL_RESOURCES) {
    const stored = await findSyncCheckpoint(db, backfillCheckpointName(resource));
    const parsed = BackfillCursor.safeParse(stored?.cursor);
    if (!parsed.success) return undefined;
    const { from, to, completedAt } = parsed.data;
    if (completedAt === null || Date.parse(from) !== 0) return undefined;
    end = Math.min(end ?? Number.POSITIVE_INFINITY, Date.parse(to));
  }
  return end === undefined || !Number.isFinite(end) ? undefined : new Date(end);
}

/**
 * The record of an event whose effect a full backfill already wrote: projected, by the
 * backfill. Recording it keeps the event history in `omise.events` complete without a job
 * that would only fetch the resource again (the first reconcile after a backfill would
 * otherwise re-fetch every resource touched in the lookback window).
 */
function reflectedEventRecord(job: OmiseEventJob, processedAt: Date): EventRecord {
  return { ...eventRecord(job, 'projected', processedAt), origin: 'backfill' };
}

async function reconcileEvents(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  runId: number,
  ledger: DriftLedger,
): Promise<ReconcileReport['events']> {
  const now = deps.clock.now();
  const stored = await findSyncCheckpoint(deps.db, RECONCILE_EVENTS_CHECKPOINT);
  let cursor: ReconcileEventsCursor | undefined;
  if (stored !== undefined) {
    const parsed = ReconcileEventsCursor.safeParse(stored.cursor);
    if (parsed.success) cursor = parsed.data;
    else deps.logger.warn('the reconcile cursor is unreadable; reading from the lookback window');
  }
  // Omise lists by whole seconds; `to` on a second boundary means "through that second".
  const to = floorToSecond(new Date(now.getTime() - options.settleMs));
  let from: Date;
  let skip = new Set<string>();
  if (options.since !== undefined) from = options.since;
  else if (cursor !== undefined) {
    from = new Date(cursor.createdAt);
    skip = new Set(cursor.ids);
  } else from = new Date(now.getTime() - options.lookbackMs);
  const backfillEnd = await findFullBackfillEnd(deps.db);

  const result: ReconcileReport['events'] = {
    from: from.toISOString(),
    to: to.toISOString(),
    seen: 0,
    processed: 0,
    actions: { enqueued: 0, retried: 0, requeued: 0, in_flight: 0 },
    reflected: 0,
    invalid: 0,
  };
  if (from > to) return result;

  const handleChunk = async (events: OmiseEvent[]) => {
    const receivedAt = deps.clock.now();
    const jobs: OmiseEventJob[] = [];
    for (const event of events) {
      if (skip.has(event.id)) continue;
      const disposition = eventJobFor(event, receivedAt, 'reconcile');
      if (disposition.kind === 'project') jobs.push(disposition.job);
      else if (disposition.kind === 'invalid') {
        result.invalid += 1;
        deps.logger.warn({ eventId: event.id, problem: disposition.message }, 'unreadable event');
      }
    }
    result.seen += jobs.length;
    if (jobs.length > 0) {
      const processed = new Set(
        (
          await deps.db
            .selectFrom('omise.events')
            .select('id')
            .where(
              'id',
              'in',
              jobs.map((job) => job.eventId),
            )
            .where('outcome', 'in', PROCESSED_OUTCOMES)
            .execute()
        ).map((row) => row.id),
      );
      const reflected: EventRecord[] = [];
      for (const job of jobs) {
        if (processed.has(job.eventId)) {
          result.processed += 1;
          continue;
        }
        if (
          backfillEnd !== undefined &&
          // Strictly before: an event of the window end's own second may postdate the listing.
          Date.parse(job.eventCreatedAt) < backfillEnd.getTime() &&
          (await deps.queue.getJob(job.eventId)) === undefined
        ) {
          reflected.push(reflectedEventRecord(job, receivedAt));
          continue;
        }
        const action = await enqueueEventJob(
          deps.queue,
          job,
          rerunJobId(job.eventId, 'reconcile', runId),
        );
        result.actions[action] += 1;
        if (action !== 'in_flight') {
          ledger.found('events_unprocessed', job.eventId);
          ledger.fixed('events_unprocessed');
          deps.logger.info(
            { eventId: job.eventId, key: job.key, resourceId: job.resourceId, action },
            'unprocessed event put on the queue',
          );
        }
      }
      if (reflected.length > 0) {
        await recordEvents(deps.db, reflected);
        result.reflected += reflected.length;
      }
    }
    // Saved after the jobs are on the queue: a crash in between re-reads this chunk next
    // time, and the jobs it adds again are deduplicated by their ids.
    const next = advanceEventsCursor(cursor, events, undefined);
    if (next !== undefined && next !== cursor) {
      cursor = next;
      await saveSyncCheckpoint(deps.db, RECONCILE_EVENTS_CHECKPOINT, cursor);
    }
  };

  let chunk: OmiseEvent[] = [];
  const seenInLastSecond: OmiseEvent[] = [];
  for await (const event of deps.omise.events.list({
    from,
    to,
    order: 'chronological',
    limit: MAX_PAGE_SIZE,
  })) {
    chunk.push(event);
    if (Math.floor(Date.parse(event.created_at) / 1000) * 1000 === to.getTime()) {
      seenInLastSecond.push(event);
    }
    if (chunk.length >= MAX_PAGE_SIZE) {
      await handleChunk(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await handleChunk(chunk);
  const final = advanceEventsCursor(cursor, seenInLastSecond, to);
  if (final !== undefined && final !== cursor) {
    await saveSyncCheckpoint(deps.db, RECONCILE_EVENTS_CHECKPOINT, final);
  }
  return result;
}

/** Projects what reconcile fetched, through the projection core (origin `reconcile`). */
async function repair(deps: ReconcileDeps, requests: ProjectionRequest[]): Promise<void> {
  const results = await projectBatch(deps, requests);
  for (const result of results) {
    if (result.outcome === 'failed' || result.outcome === 'error') {
      deps.logger.error({ err: result.error }, 'reconcile could not write a repair');
    } else if (result.outcome === 'projected' && result.flag !== undefined) {
      deps.logger.info(
        { disputeId: result.flag.disputeId, severity: result.flag.severity },
        'dispute flagged by reconcile (not notified)',
      );
    }
  }
}

/**
 * Projects a dispute fetched by reconcile, the way the worker does (lock, flag, documents).
 * When the SQL guard refuses the row, a newer observation is already stored (the worker may
 * have projected an event reconcile just enqueued): either way the drift is gone.
 */
async function repairDispute(
  deps: ReconcileDeps,
  dispute: Dispute,
  observedAt: Date,
): Promise<void> {
  const documents =
    embeddedDocuments(dispute) ?? (await collect(deps.omise.documents.list(dispute.id)));
  const observation: DisputeObservation = { dispute, documents };
  await repair(deps, [
    { kind: 'observed', type: 'dispute', observation, origin: 'reconcile', observedAt },
  ]);
}

/**
 * Compares disputes with their rows and repairs what differs: every open or pending dispute at
 * Omise, every dispute of any status created since `since`, every stored dispute that is
 * still active in Postgres, and every stored dispute without a flag (so a dispute that opened
 * and closed unseen still gets its one flag).
 */
async function reconcileDisputes(
  deps: ReconcileDeps,
  since: Date,
  ledger: DriftLedger,
): Promise<number> {
  const listedAt = deps.clock.now();
  // Collected before anything is repaired: filtered lists shift while their items change.
  const listed = new Map<string, Dispute>();
  for (const status of ['open', 'pending'] as const) {
    for (const dispute of await collect(deps.omise.disputes.list({ status }))) {
      listed.set(dispute.id, dispute);
    }
  }
  for (const dispute of await collect(
    deps.omise.disputes.list({ from: since, order: 'chronological', limit: MAX_PAGE_SIZE }),
  )) {
    listed.set(dispute.id, dispute);
  }
  const rows = await deps.db
    .selectFrom('omise.disputes')
    .leftJoin('omise.dispute_flags', 'omise.dispute_flags.dispute_id', 'omise.disputes.id')
    .selectAll('omise.disputes')
    .select('omise.dispute_flags.dispute_id as flag_id')
    .where((eb) =>
      eb.or([
        eb('omise.disputes.status', 'in', ['open', 'pending']),
        eb('omise.dispute_flags.dispute_id', 'is', null),
        ...(listed.size === 0 ? [] : [eb('omise.disputes.id', 'in', [...listed.keys()])]),
      ]),
    )
    .execute();
  const stored = new Map(rows.map((row) => [row.id, row]));
  let compared = 0;
  const context = { origin: 'reconcile' as const, observedAt: listedAt };

  for (const dispute of listed.values()) {
    compared += 1;
    const row = stored.get(dispute.id);
    let kind: DriftKind | undefined;
    if (row === undefined) kind = 'dispute_missing';
    else if (row.flag_id === null) kind = 'dispute_unflagged';
    else if (
      row.observed_at < listedAt &&
      disputeDifferences(toDisputeRow(dispute, context, deps.responseDays), row).length > 0
    ) {
      kind = 'dispute_stale';
    }
    if (kind === undefined) continue;
    ledger.found(kind, dispute.id);
    await repairDispute(deps, dispute, listedAt);
    ledger.fixed(kind);
  }

  // Active or unflagged in Postgres but not listed: closed (or gone) since it was last seen.
  for (const row of rows) {
    const active = row.status === 'open' || row.status === 'pending';
    if (listed.has(row.id) || (!active && row.flag_id !== null)) continue;
    compared += 1;
    const fetchedAt = deps.clock.now();
    let observation: DisputeObservation;
    try {
      observation = await resourceModules.dispute.fetch(deps.omise, row.id);
    } catch (error) {
      if (!(error instanceof OmiseNotFoundError)) throw error;
      ledger.found('dispute_unknown', row.id);
      continue;
    }
    if (row.observed_at >= fetchedAt) continue;
    const stale =
      disputeDifferences(toDisputeRow(observation.dispute, context, deps.responseDays), row)
        .length > 0;
    if (row.flag_id !== null && !stale) continue;
    const kind: DriftKind = row.flag_id === null ? 'dispute_unflagged' : 'dispute_stale';
    ledger.found(kind, row.id);
    await repair(deps, [
      {
        kind: 'observed',
        type: 'dispute',
        observation,
        origin: 'reconcile',
        observedAt: fetchedAt,
      },
    ]);
    ledger.fixed(kind);
  }
  return compared;
}

async function reconcileCharges(
  deps: ReconcileDeps,
  since: Date,
  ledger: DriftLedger,
): Promise<number> {
  let compared = 0;
  const seen = new Set<string>();
  const first = await deps.omise.charges
    .list({ from: since, limit: MAX_PAGE_SIZE, order: 'chronological' })
    .page(0);
  // The window's end is pinned to Omise's "now" of the first page, as the list iterator does.
  const to = first.to;
  const list = deps.omise.charges.list({
    from: since,
    to,
    limit: MAX_PAGE_SIZE,
    order: 'chronological',
  });
  let page = first;
  let requestedAt = deps.clock.now();
  for (let offset = 0; ;) {
    const charges = page.data.filter((charge) => !seen.has(charge.id));
    for (const charge of charges) seen.add(charge.id);
    compared += charges.length;
    await compareChargePage(deps, charges, requestedAt, ledger);
    offset += page.data.length;
    if (page.data.length === 0 || offset >= page.total) break;
    requestedAt = deps.clock.now();
    page = await list.page(offset);
  }

  // Charges Postgres holds in the window that Omise does not list: reported, not repaired.
  const storedIds = await deps.db
    .selectFrom('omise.charges')
    .select('id')
    .where('created_at', '>=', since)
    .where('created_at', '<=', new Date(to))
    .execute();
  for (const { id } of storedIds) if (!seen.has(id)) ledger.found('charge_unknown', id);
  return compared;
}

async function compareChargePage(
  deps: ReconcileDeps,
  charges: readonly Charge[],
  requestedAt: Date,
  ledger: DriftLedger,
): Promise<void> {
  if (charges.length === 0) return;
  const ids = charges.map((charge) => charge.id);
  const rows = new Map(
    (await deps.db.selectFrom('omise.charges').selectAll().where('id', 'in', ids).execute()).map(
      (row) => [row.id, row],
    ),
  );
  const refundRows = new Map(
    (
      await deps.db.selectFrom('omise.refunds').selectAll().where('charge_id', 'in', ids).execute()
    ).map((row) => [row.id, row]),
  );
  const context = { origin: 'reconcile' as const, observedAt: requestedAt };
  const repairs: { observation: ChargeObservation; kinds: DriftKind[] }[] = [];
  for (const charge of charges) {
    const row = rows.get(charge.id);
    // A row observed after this page was requested is newer than what the page shows.
    if (row !== undefined && row.observed_at >= requestedAt) continue;
    const refunds: Refund[] =
      embeddedRefunds(charge) ?? (await collect(deps.omise.refunds.list(charge.id)));
    const kinds: DriftKind[] = [];
    if (row === undefined) kinds.push('charge_missing');
    else if (chargeDifferences(toChargeRow(charge, context), row).length > 0) {
      kinds.push('charge_stale');
    }
    for (const refund of refunds) {
      const refundRow = refundRows.get(refund.id);
      if (refundRow === undefined) kinds.push('refund_missing');
      else if (
        refundRow.observed_at < requestedAt &&
        refundDifferences(toRefundRow(refund, charge, context), refundRow).length > 0
      ) {
        kinds.push('refund_stale');
      }
    }
    if (kinds.length === 0) continue;
    for (const kind of kinds)
      ledger.found(kind, kind.startsWith('refund') ? `${charge.id}/refunds` : charge.id);
    repairs.push({ observation: { charge, refunds }, kinds });
  }
  if (repairs.length === 0) return;
  await repair(
    deps,
    repairs.map(({ observation }) => ({
      kind: 'observed',
      type: 'charge',
      observation,
      origin: 'reconcile',
      observedAt: requestedAt,
    })),
  );
  // A charge the guard refused has a newer observation stored: its drift is gone too.
  for (const repair of repairs) for (const kind of repair.kinds) ledger.fixed(kind);
  deps.logger.info({ repaired: repairs.length }, 'charges repaired from the list');
}

/**
 * `omise-sync reconcile`: makes Postgres converge to what the Omise API says.
 * 1. Reads the Events API from the cursor and puts every charge, refund and dispute event not
 *    yet processed on the queue (origin `reconcile`): lost deliveries, failed jobs.
 * 2. Compares open and pending disputes, and charges created since `since`, with their rows
 *    and repairs what differs by projecting the fetched resource (origin `reconcile`; the
 *    `observed_at` guard keeps anything newer).
 * 3. Records the run and its drift in `omise.reconcile_runs`.
 * Nothing it projects ever notifies. Holds a session lock: one reconcile at a time.
 */
export async function runReconcile(
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  return withSyncLease(
    deps.db,
    'omise-sync:reconcile',
    async () => {
      const startedAt = deps.clock.now();
      const since = options.since ?? new Date(startedAt.getTime() - options.lookbackMs);
      const runId = await insertReconcileRun(deps.db, { startedAt, since });
      const log = deps.logger.child({ reconcileRun: runId });
      const scoped = { ...deps, logger: log };
      const ledger = new DriftLedger();
      let events: ReconcileReport['events'] | undefined;
      try {
        events = await reconcileEvents(scoped, options, runId, ledger);
        const disputesCompared = await reconcileDisputes(scoped, since, ledger);
        const chargesCompared = await reconcileCharges(scoped, since, ledger);
        const finishedAt = deps.clock.now();
        await finishReconcileRun(deps.db, runId, {
          finishedAt,
          eventsSeen: events.seen,
          eventsEnqueued:
            events.actions.enqueued + events.actions.retried + events.actions.requeued,
          drift: ledger.drift,
          repaired: ledger.repaired,
          error: null,
        });
        const report: ReconcileReport = {
          runId,
          startedAt,
          finishedAt,
          since,
          events,
          chargesCompared,
          disputesCompared,
          drift: ledger.drift,
          repaired: ledger.repaired,
          examples: ledger.examples,
        };
        log.info(
          { drift: ledger.drift, repaired: ledger.repaired, examples: ledger.examples },
          'reconcile finished',
        );
        return report;
      } catch (error) {
        await finishReconcileRun(deps.db, runId, {
          finishedAt: deps.clock.now(),
          eventsSeen: events?.seen ?? 0,
          eventsEnqueued:
            events === undefined
              ? 0
              : events.actions.enqueued + events.actions.retried + events.actions.requeued,
          drift: ledger.drift,
          repaired: ledger.repaired,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }).catch((recordError: unknown) =>
          log.error({ err: recordError }, 'could not record the failed run'),
        );
        throw error;
      }
    },
    deps.leaseTtlMs,
  );
}
