import { type IgnoredEventJob, type OmiseEventJob } from '@omise-sync/core';
import {
  type Database,
  type EventRecord,
  findRecordedEventIds,
  findSyncCheckpoint,
  saveSyncCheckpoint,
} from '@omise-sync/db';
import { type OmiseEvent, MAX_PAGE_SIZE } from '@omise-sync/omise-client';
import { eventRecord, ignoredEventRecord, recordEvents } from '@omise-sync/projection';
import { type Kysely } from 'kysely';
import { BACKFILL_RESOURCES, BackfillCursor, backfillCheckpointName } from '../backfill';
import { enqueueEventJob, eventJobFor, rerunJobId } from '../event-jobs';
import { type DriftLedger } from './drift-ledger';
import { WebhookDeliveryTally } from './webhook-deliveries';
import {
  RECONCILE_EVENTS_CHECKPOINT,
  ReconcileEventsCursor,
  advanceEventsCursor,
} from './events-cursor';
import {
  type ReconcileDeps,
  type ReconcileEventsReport,
  type ReconcileOptions,
} from './reconcile.types';

const PROCESSED_OUTCOMES = ['projected', 'not_found', 'ignored'] as const;

function floorToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/**
 * Where a finished full backfill leaves off: the end of the window of the charge and dispute
 * backfills (the earlier one), when both walked from the beginning and finished. Every charge
 * and dispute created up to then was listed after it, so its rows already show every event
 * created before it. Undefined otherwise: a `--since` walk or a continuation (its window
 * starts where an earlier one ended, so older resources were not listed again) proves nothing.
 */
async function findFullBackfillEnd(
  db: Kysely<Database>,
  account: string,
): Promise<Date | undefined> {
  let end: number | undefined;
  for (const resource of BACKFILL_RESOURCES) {
    const stored = await findSyncCheckpoint(db, backfillCheckpointName(resource), account);
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

/**
 * Records `ignored` the events about objects omise-sync does not project that were never
 * recorded (a lost delivery), so a new kind of Omise event shows in `omise.events` and
 * `status` even then; no job is needed, as there is nothing to fetch. Events already recorded
 * keep their row. Returns how many were recorded.
 */
async function recordLostIgnoredEvents(
  deps: ReconcileDeps,
  jobs: readonly IgnoredEventJob[],
  receivedAt: Date,
): Promise<number> {
  const recorded = await findRecordedEventIds(
    deps.db,
    jobs.map((job) => job.eventId),
  );
  const lost = jobs.filter((job) => !recorded.has(job.eventId));
  if (lost.length > 0) {
    await recordEvents(
      deps.db,
      lost.map((job) => ignoredEventRecord(job, receivedAt)),
    );
    deps.logger.info(
      { count: lost.length, keys: [...new Set(lost.map((job) => job.key))] },
      'events omise-sync does not project recorded as ignored',
    );
  }
  return lost.length;
}

/**
 * Phase 1: reads the Events API from the cursor (or `since`) up to now − `settleMs` and puts
 * every charge, refund and dispute event not yet processed on the queue (origin `reconcile`),
 * records the other events never recorded as `ignored`, moving the cursor forward as it goes.
 * Tallies Omise's record of delivering every event read.
 */
export async function reconcileEvents(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  runId: number,
  ledger: DriftLedger,
): Promise<ReconcileEventsReport> {
  const now = deps.clock.now();
  const stored = await findSyncCheckpoint(deps.db, RECONCILE_EVENTS_CHECKPOINT, deps.account);
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
  const backfillEnd = await findFullBackfillEnd(deps.db, deps.account);

  const result: ReconcileEventsReport = {
    from: from.toISOString(),
    to: to.toISOString(),
    seen: 0,
    processed: 0,
    actions: { enqueued: 0, retried: 0, requeued: 0, in_flight: 0 },
    reflected: 0,
    invalid: 0,
    ignored: 0,
    webhookDeliveries: new WebhookDeliveryTally().result(),
  };
  if (from > to) return result;
  const deliveries = new WebhookDeliveryTally();

  const handleChunk = async (events: OmiseEvent[]) => {
    const receivedAt = deps.clock.now();
    const jobs: OmiseEventJob[] = [];
    const ignored: IgnoredEventJob[] = [];
    for (const event of events) {
      if (skip.has(event.id)) continue;
      deliveries.add(event);
      const disposition = eventJobFor(event, receivedAt, 'reconcile', deps.account);
      if (disposition.kind === 'project') jobs.push(disposition.job);
      else if (disposition.kind === 'ignore') ignored.push(disposition.job);
      else if (disposition.kind === 'invalid') {
        result.invalid += 1;
        deps.logger.warn({ eventId: event.id, problem: disposition.message }, 'unreadable event');
      }
    }
    result.seen += jobs.length;
    if (jobs.length > 0) {
      const processed = await findRecordedEventIds(
        deps.db,
        jobs.map((job) => job.eventId),
        PROCESSED_OUTCOMES,
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
    if (ignored.length > 0)
      result.ignored += await recordLostIgnoredEvents(deps, ignored, receivedAt);
    // Saved after the jobs are on the queue: a crash in between re-reads this chunk next
    // time, and the jobs it adds again are deduplicated by their ids.
    const next = advanceEventsCursor(cursor, events, undefined);
    if (next !== undefined && next !== cursor) {
      cursor = next;
      await saveSyncCheckpoint(deps.db, RECONCILE_EVENTS_CHECKPOINT, cursor, deps.account);
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
  result.webhookDeliveries = deliveries.result();
  const final = advanceEventsCursor(cursor, seenInLastSecond, to);
  if (final !== undefined && final !== cursor) {
    await saveSyncCheckpoint(deps.db, RECONCILE_EVENTS_CHECKPOINT, final, deps.account);
  }
  return result;
}
