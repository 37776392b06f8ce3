import { type Logger } from '@omise-sync/core';
import { findSyncCheckpoint } from '@omise-sync/db';
import { CheckpointConflictError } from '../sync-errors';
import { withSyncLease } from '../sync-lease';
import {
  type BackfillCursor,
  type BackfillResource,
  backfillCheckpointName,
  readBackfillCursor,
} from './backfill-cursor';
import { type BackfillDeps, type BackfillOptions, type BackfillSummary } from './backfill.types';
import { CheckpointedWriter } from './checkpointed-writer';
import { type FetchedPage, PageWalker, startWindow } from './page-walker';
import {
  PAGE_SIZE,
  type ResourceWalker,
  chargeWalker,
  customerWalker,
  disputeWalker,
  linkWalker,
  recipientWalker,
  scheduleWalker,
  transferWalker,
} from './resource-walkers';

const EPOCH = new Date(0).toISOString();

/** A function, so TypeScript does not narrow `aborted` across the awaits between checks. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Where this run of a resource's walk begins. */
interface WalkStart<T> {
  cursor: BackfillCursor;
  /** An unfinished walk is continued. */
  resumed: boolean;
  /** The first page of a new window, fetched to learn its end. */
  first?: FetchedPage<T> | undefined;
}

/**
 * Resumes the unfinished walk of the checkpoint, or starts a new window: from `--since`, else
 * from the end of the last finished window, else from the beginning.
 */
async function openWalk<T>(
  deps: BackfillDeps,
  resource: BackfillResource,
  walker: ResourceWalker<T>,
  options: BackfillOptions,
  log: Logger,
): Promise<WalkStart<T>> {
  const name = backfillCheckpointName(resource);
  const stored = await findSyncCheckpoint(deps.db, name, deps.account);
  const previous =
    stored === undefined || options.restart === true
      ? undefined
      : readBackfillCursor(name, stored.cursor);
  if (previous !== undefined && previous.completedAt === null) {
    if (options.since !== undefined && Date.parse(previous.from) !== options.since.getTime()) {
      throw new CheckpointConflictError(
        `a backfill of ${resource} from ${previous.from} is unfinished (${previous.offset}/${previous.total}); ` +
          'run without --since to resume it, or add --restart to start over',
      );
    }
    log.info(
      { from: previous.from, to: previous.to, offset: previous.offset },
      'resuming backfill',
    );
    return { cursor: previous, resumed: true };
  }
  // Without --since, a finished walk continues where its window ended: items created in
  // that same second are written again, harmlessly (upserts).
  const from = options.since?.toISOString() ?? previous?.to ?? EPOCH;
  const { to, first } = await startWindow(walker, from, deps.clock);
  const cursor: BackfillCursor = {
    from,
    to,
    offset: 0,
    total: first.total,
    written: 0,
    pages: 0,
    startedAt: first.requestedAt.toISOString(),
    completedAt: null,
  };
  log.info({ from, to: cursor.to, total: cursor.total }, 'backfill started');
  return { cursor, resumed: false, first };
}

/**
 * Walks one resource's list endpoint through a fixed window and projects every item: the
 * page walker fetches up to `prefetchPages` pages ahead while the checkpointed writer commits
 * batches of `batchSize` items, each with its checkpoint.
 */
async function backfillResource<T>(
  deps: BackfillDeps,
  resource: BackfillResource,
  walker: ResourceWalker<T>,
  options: BackfillOptions,
): Promise<BackfillSummary> {
  const started = deps.clock.now();
  const batchSize = options.batchSize ?? 1_000;
  const log = deps.logger.child({ resource });
  const { cursor: start, resumed, first } = await openWalk(deps, resource, walker, options, log);
  const startOffset = start.offset;
  const basePages = start.pages;
  const pages = new PageWalker(walker, {
    window: start,
    prefetch: options.prefetchPages ?? 4,
    clock: deps.clock,
    first,
  });
  const writer = new CheckpointedWriter<T>(deps, {
    name: backfillCheckpointName(resource),
    cursor: start,
    requests: (items, observedAt) => walker.requests(items, observedAt),
    log,
    onCommitted: (committed) =>
      deps.progress.update(committed.offset, Math.max(committed.total, pages.total)),
  });

  deps.progress.start({ label: resource, total: start.total, done: start.offset });
  let interrupted = false;
  try {
    let batch: T[] = [];
    let batchObservedAt: Date | undefined;
    let done = start.offset >= start.total;
    while (!done) {
      if (isAborted(deps.signal)) {
        interrupted = true;
        break;
      }
      let page: FetchedPage<T> | undefined;
      try {
        page = await pages.next();
      } catch (error) {
        // Aborting cancels the requests in flight; what was committed stays committed.
        if (isAborted(deps.signal)) {
          interrupted = true;
          break;
        }
        throw error;
      }
      if (page === undefined) break;
      batch = batch.concat(page.items);
      // The batch is as new as its oldest page: every item was fetched after that instant.
      if (batchObservedAt === undefined || page.requestedAt < batchObservedAt) {
        batchObservedAt = page.requestedAt;
      }
      const batchEnd = page.offset + page.items.length;
      const atEnd = page.items.length === 0 || batchEnd >= pages.total;
      // A short page inside the window: continue right after the items actually received.
      if (!atEnd && page.items.length < PAGE_SIZE) pages.restartAt(batchEnd);
      if (batch.length >= batchSize || atEnd) {
        writer.write(batch, batchObservedAt, {
          end: batchEnd,
          atEnd,
          pages: basePages + pages.fetched,
          total: pages.total,
        });
        batch = [];
        batchObservedAt = undefined;
        done = atEnd;
        await writer.waitForRoom();
      }
    }
    // Whatever happened, batches already sent are committed (or fail) before returning.
    await writer.flush();
    const cursor = writer.cursor;
    if (cursor.offset >= cursor.total && cursor.completedAt === null && !interrupted) {
      // An empty window (or one finished by an earlier batch): mark it complete.
      await writer.complete(basePages + pages.fetched);
    }
  } finally {
    pages.discard();
    // On an error, a batch still being written rolls back (its predecessor failed) before
    // the pool may be closed.
    await writer.settle();
    deps.progress.stop();
  }
  const cursor = writer.cursor;
  const seconds = (deps.clock.now().getTime() - started.getTime()) / 1000;
  const summary: BackfillSummary = {
    resource,
    status: interrupted ? 'interrupted' : 'completed',
    resumed,
    from: cursor.from,
    to: cursor.to,
    total: Math.max(cursor.total, pages.total),
    startOffset,
    items: cursor.offset - startOffset,
    written: writer.counts.written,
    refunds: writer.counts.refunds,
    flags: writer.counts.flags,
    pages: pages.fetched,
    seconds,
  };
  log.info(summary, interrupted ? 'backfill interrupted; resumable' : 'backfill finished');
  return summary;
}

/** Walks one resource with its walker. */
function backfillWith(
  deps: BackfillDeps,
  resource: BackfillResource,
  options: BackfillOptions,
): Promise<BackfillSummary> {
  switch (resource) {
    case 'charges':
      return backfillResource(deps, resource, chargeWalker(deps), options);
    case 'disputes':
      return backfillResource(deps, resource, disputeWalker(deps), options);
    case 'transfers':
      return backfillResource(deps, resource, transferWalker(deps), options);
    case 'customers':
      return backfillResource(deps, resource, customerWalker(deps), options);
    case 'recipients':
      return backfillResource(deps, resource, recipientWalker(deps), options);
    case 'schedules':
      return backfillResource(deps, resource, scheduleWalker(deps), options);
    case 'links':
      return backfillResource(deps, resource, linkWalker(deps), options);
  }
}

/**
 * `omise-sync backfill`: walks each resource's list endpoint and projects everything, with
 * origin `backfill` (disputes found open are flagged, never notified). Holds the
 * `omise-sync:backfill` lease in `omise.sync_leases`: one backfill at a time per database.
 */
export async function runBackfill(
  deps: BackfillDeps,
  options: BackfillOptions,
): Promise<BackfillSummary[]> {
  return withSyncLease(
    deps.db,
    { name: 'omise-sync:backfill', account: deps.account },
    async () => {
      const summaries: BackfillSummary[] = [];
      for (const resource of options.resources) {
        if (isAborted(deps.signal)) break;
        const summary = await backfillWith(deps, resource, options);
        summaries.push(summary);
        if (summary.status === 'interrupted') break;
      }
      return summaries;
    },
    deps.leaseTtlMs,
  );
}
