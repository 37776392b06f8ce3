import { type Clock, type Logger } from '@omise-sync/core';
import { type Database, findSyncCheckpoint, saveSyncCheckpoint } from '@omise-sync/db';
import {
  type OmiseClient,
  type ListParams,
  type OmiseList,
  type OmiseListIterable,
  MAX_PAGE_SIZE,
} from '@omise-sync/omise-client';
import {
  type ChargeObservation,
  type DisputeObservation,
  type DisputeSeverityRules,
  type ProjectionRequest,
  type ProjectionResult,
  collect,
  embeddedDocuments,
  embeddedRefunds,
  projectBatch,
} from '@omise-sync/projection';
import { type Kysely } from 'kysely';
import { z } from 'zod';
import { type ProgressReporter } from './progress-reporter';
import { withSyncLease } from './sync-lease';
import { CheckpointConflictError, CheckpointFormatError } from './sync-errors';

/** The resources a backfill walks; refunds come embedded in (or listed under) their charges. */
export const BACKFILL_RESOURCES = ['charges', 'disputes'] as const;
export type BackfillResource = (typeof BACKFILL_RESOURCES)[number];

/** The checkpoint of one resource's backfill, as stored in `omise.sync_checkpoints`. */
export const BackfillCursor = z.object({
  /** Window start (inclusive), ISO 8601. */
  from: z.string(),
  /**
   * Window end (inclusive), pinned to the first page's `to` (Omise's clock) when the walk
   * began: items created later are outside the window, so offsets never shift under the walk.
   */
  to: z.string(),
  /** Items of the window committed so far; the next page starts here. */
  offset: z.number().int().min(0),
  /** Items in the window as Omise last counted them. */
  total: z.number().int().min(0),
  /** Rows written (charges or disputes) across every run of this walk. */
  written: z.number().int().min(0),
  /** List pages fetched across every run of this walk. */
  pages: z.number().int().min(0),
  startedAt: z.string(),
  /** Set when the walk reached the end of its window; the next run starts a new window. */
  completedAt: z.string().nullable(),
});
export type BackfillCursor = z.infer<typeof BackfillCursor>;

/** Name of a resource's checkpoint row. */
export function backfillCheckpointName(resource: BackfillResource): string {
  return `backfill:${resource}`;
}

/** Everything a backfill needs, built by the command (or a test). */
export interface BackfillDeps {
  db: Kysely<Database>;
  omise: OmiseClient;
  clock: Clock;
  progress: ProgressReporter;
  logger: Logger;
  severityRules: DisputeSeverityRules;
  /** Days a merchant has to answer a dispute (`DISPUTE_RESPONSE_DAYS`), shared with the worker. */
  responseDays: number;
  /** How long the run's lease lasts without renewal, in ms. @defaultValue 30000 */
  leaseTtlMs?: number;
  /** Aborting stops the walk after the batch being written; its checkpoint is kept. */
  signal?: AbortSignal;
}

export interface BackfillOptions {
  /** In this order; charges first lets dispute flags read their charge's age from Postgres. */
  resources: readonly BackfillResource[];
  /**
   * Window start. Unset: a walk in progress resumes; a finished one continues from the end of
   * its window; with no checkpoint, from the beginning (1970).
   */
  since?: Date | undefined;
  /** Discard any checkpoint and walk from `since` (or the beginning) again. @defaultValue false */
  restart?: boolean;
  /** Items written per transaction, with the checkpoint. @defaultValue 1000 */
  batchSize?: number;
  /** Pages fetched ahead of the writer. @defaultValue 4 */
  prefetchPages?: number;
}

/** What one resource's backfill did in this run. */
export interface BackfillSummary {
  resource: BackfillResource;
  status: 'completed' | 'interrupted';
  /** True when this run continued a walk a previous run left unfinished. */
  resumed: boolean;
  from: string;
  to: string;
  /** Items in the window. */
  total: number;
  /** Items of the window committed before this run started. */
  startOffset: number;
  /** Items committed by this run. */
  items: number;
  /** Rows written by this run (the SQL guard refuses rows older than what is stored). */
  written: number;
  /** Refund rows written with the charges. */
  refunds: number;
  /** Dispute flags created (origin `backfill`, never notified). */
  flags: number;
  /** List pages fetched by this run. */
  pages: number;
  seconds: number;
}

const EPOCH = new Date(0).toISOString();
const PAGE_SIZE = MAX_PAGE_SIZE;

/** A function, so TypeScript does not narrow `aborted` across the awaits between checks. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function readCursor(name: string, value: unknown): BackfillCursor {
  const parsed = BackfillCursor.safeParse(value);
  if (!parsed.success) {
    throw new CheckpointFormatError(
      `checkpoint ${name} is not a backfill cursor (${parsed.error.issues[0]?.message ?? 'invalid'}); run with --restart`,
    );
  }
  return parsed.data;
}

/** A fetched page, with what the writer needs and when it was requested. */
interface FetchedPage<T> {
  offset: number;
  total: number;
  items: T[];
  requestedAt: Date;
}

/** Per resource: how to list a window and how to write a batch of it. */
interface ResourceWalker<T> {
  list(from: string, to: string | undefined): { page(offset: number): Promise<OmiseList<T>> };
  /** Completes what a page lacks (refund or document lists truncated in the page). */
  complete(items: T[]): Promise<T[]>;
  /** The projection requests of a batch (origin `backfill`). */
  requests(items: T[], observedAt: Date): ProjectionRequest[];
}

/**
 * One chronological window of a list endpoint, addressable by offset (the `to` bound is fixed,
 * so pages stay stable while items are added), each item wrapped for its walker.
 */
function windowPages<R, T>(
  list: (params: ListParams) => OmiseListIterable<R>,
  wrap: (item: R) => T,
): ResourceWalker<T>['list'] {
  return (from, to) => {
    const iterable = list({
      from,
      ...(to === undefined ? {} : { to }),
      limit: PAGE_SIZE,
      order: 'chronological',
    });
    return {
      page: async (offset) => {
        const page = await iterable.page(offset);
        return { ...page, data: page.data.map(wrap) };
      },
    };
  };
}

function chargeWalker(deps: BackfillDeps): ResourceWalker<ChargeObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.charges.list(params),
      (charge) => ({ charge, refunds: [] }),
    ),
    complete: (items) =>
      Promise.all(
        items.map(async ({ charge }): Promise<ChargeObservation> => {
          // The page embeds the first refunds of each charge; only a charge with more pages
          // of refunds costs another call.
          const refunds =
            embeddedRefunds(charge) ?? (await collect(deps.omise.refunds.list(charge.id)));
          return { charge, refunds };
        }),
      ),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'charge',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}

function disputeWalker(deps: BackfillDeps): ResourceWalker<DisputeObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.disputes.list(params),
      (dispute): DisputeObservation => ({ dispute, documents: [] }),
    ),
    complete: (items) =>
      Promise.all(
        items.map(async ({ dispute }) => ({
          dispute,
          documents:
            embeddedDocuments(dispute) ?? (await collect(deps.omise.documents.list(dispute.id))),
        })),
      ),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'dispute',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}

/** What a batch's projection wrote, for the summary. */
function countWritten(results: readonly ProjectionResult[]) {
  const counts = { written: 0, refunds: 0, flags: 0, failed: 0 };
  for (const result of results) {
    if (result.outcome === 'projected') {
      if (result.written) counts.written += 1;
      counts.refunds += result.children;
      if (result.flag !== undefined) counts.flags += 1;
    } else if (result.outcome === 'failed' || result.outcome === 'error') {
      counts.failed += 1;
    }
  }
  return counts;
}

/**
 * Walks one resource's list endpoint through a fixed window and projects every item, writing
 * each batch and the checkpoint in one transaction: a crash after COMMIT never redoes the
 * batch, a crash before it redoes it idempotently (upserts guarded by `observed_at`). Pages
 * are addressed by offset (the window is fixed), so up to `prefetchPages` are fetched while
 * the previous batch is written.
 */
async function backfillResource<T>(
  deps: BackfillDeps,
  resource: BackfillResource,
  walker: ResourceWalker<T>,
  options: BackfillOptions,
): Promise<BackfillSummary> {
  const started = deps.clock.now();
  const name = backfillCheckpointName(resource);
  const batchSize = options.batchSize ?? 1_000;
  const prefetch = options.prefetchPages ?? 4;
  const stored = await findSyncCheckpoint(deps.db, name);
  const previous =
    stored === undefined || options.restart === true ? undefined : readCursor(name, stored.cursor);
  const log = deps.logger.child({ resource });
  let pagesFetched = 0;

  let cursor: BackfillCursor;
  let firstPage: FetchedPage<T> | undefined;
  const resumed = previous !== undefined && previous.completedAt === null;
  if (previous !== undefined && previous.completedAt === null) {
    if (options.since !== undefined && Date.parse(previous.from) !== options.since.getTime()) {
      throw new CheckpointConflictError(
        `a backfill of ${resource} from ${previous.from} is unfinished (${previous.offset}/${previous.total}); ` +
          'run without --since to resume it, or add --restart to start over',
      );
    }
    cursor = previous;
    log.info({ from: cursor.from, to: cursor.to, offset: cursor.offset }, 'resuming backfill');
  } else {
    // Without --since, a finished walk continues where its window ended: items created in
    // that same second are written again, harmlessly (upserts).
    const from = options.since?.toISOString() ?? previous?.to ?? EPOCH;
    const requestedAt = deps.clock.now();
    // The first page is asked for without `to`: its answer carries Omise's "now", which
    // becomes the window's end for this walk and every resumption of it.
    const page = await walker.list(from, undefined).page(0);
    pagesFetched += 1;
    firstPage = {
      offset: 0,
      total: page.total,
      items: await walker.complete(page.data),
      requestedAt,
    };
    cursor = {
      from,
      to: page.to,
      offset: 0,
      total: page.total,
      written: 0,
      pages: 0,
      startedAt: requestedAt.toISOString(),
      completedAt: null,
    };
    log.info({ from, to: cursor.to, total: cursor.total }, 'backfill started');
  }
  const startOffset = cursor.offset;
  const basePages = cursor.pages;
  const list = walker.list(cursor.from, cursor.to);
  const counts = { written: 0, refunds: 0, flags: 0 };

  // The bounded pipeline: pages in flight, in offset order.
  const inFlight: Promise<FetchedPage<T>>[] = [];
  let nextOffset = cursor.offset;
  let knownTotal = cursor.total;
  const fetchPage = async (offset: number): Promise<FetchedPage<T>> => {
    if (firstPage !== undefined && offset === 0) return firstPage;
    const requestedAt = deps.clock.now();
    const page = await list.page(offset);
    pagesFetched += 1;
    return { offset, total: page.total, items: await walker.complete(page.data), requestedAt };
  };
  const fill = () => {
    while (inFlight.length < prefetch && nextOffset < knownTotal) {
      const promise = fetchPage(nextOffset);
      // Awaited later in order; until then a rejection must not count as unhandled.
      promise.catch(() => undefined);
      inFlight.push(promise);
      nextOffset += PAGE_SIZE;
    }
  };
  const discardInFlight = () => {
    inFlight.length = 0;
  };

  deps.progress.start({ label: resource, total: cursor.total, done: cursor.offset });
  // Two batches are written at once (Postgres parses one batch's JSON while this process
  // prepares the next), but they commit in order: each transaction waits for the previous
  // COMMIT before it saves its checkpoint, and rolls back if that one failed. The checkpoint
  // therefore always covers a contiguous prefix of the window.
  let lastCommit: Promise<BackfillCursor> = Promise.resolve(cursor);
  const writes: Promise<BackfillCursor>[] = [];
  const writeBatch = (items: T[], observedAt: Date, end: number, atEnd: boolean) => {
    const prior = lastCommit;
    const pages = basePages + pagesFetched;
    const total = knownTotal;
    let next: BackfillCursor | undefined;
    const commit = projectBatch(deps, walker.requests(items, observedAt), {
      // The checkpoint commits with the batch it accounts for, after the previous batch's.
      inTransaction: async (trx: Kysely<Database>, results) => {
        const before = await prior;
        next = {
          ...before,
          offset: end,
          total,
          pages,
          written: before.written + countWritten(results).written,
          completedAt: atEnd ? deps.clock.now().toISOString() : null,
        };
        await saveSyncCheckpoint(trx, name, next);
      },
    }).then((batchResults) => {
      const written = countWritten(batchResults);
      if (written.failed > 0) {
        log.error(
          { failed: written.failed },
          'items of the batch could not be written; see the error log',
        );
      }
      if (next === undefined) throw new Error('the batch committed without its checkpoint');
      cursor = next;
      counts.written += written.written;
      counts.refunds += written.refunds;
      counts.flags += written.flags;
      deps.progress.update(next.offset, Math.max(next.total, knownTotal));
      return next;
    });
    // Awaited below in order; until then a rejection must not count as unhandled.
    commit.catch(() => undefined);
    lastCommit = commit;
    writes.push(commit);
  };

  let interrupted = false;
  try {
    let batch: T[] = [];
    let batchObservedAt: Date | undefined;
    let done = cursor.offset >= cursor.total;
    while (!done) {
      if (isAborted(deps.signal)) {
        interrupted = true;
        break;
      }
      fill();
      const head = inFlight.shift();
      if (head === undefined) break;
      let page: FetchedPage<T>;
      try {
        page = await head;
      } catch (error) {
        // Aborting cancels the requests in flight; what was committed stays committed.
        if (isAborted(deps.signal)) {
          interrupted = true;
          break;
        }
        throw error;
      }
      knownTotal = Math.max(knownTotal, page.total);
      batch = batch.concat(page.items);
      // The batch is as new as its oldest page: every item was fetched after that instant.
      if (batchObservedAt === undefined || page.requestedAt < batchObservedAt) {
        batchObservedAt = page.requestedAt;
      }
      const batchEnd = page.offset + page.items.length;
      const atEnd = page.items.length === 0 || batchEnd >= knownTotal;
      if (!atEnd && page.items.length < PAGE_SIZE) {
        // A short page inside the window: later offsets were computed for full pages, so
        // drop them and continue right after the items actually received.
        discardInFlight();
        nextOffset = batchEnd;
      }
      if (batch.length >= batchSize || atEnd) {
        writeBatch(batch, batchObservedAt, batchEnd, atEnd);
        batch = [];
        batchObservedAt = undefined;
        done = atEnd;
        if (writes.length >= 2) await writes.shift();
      }
    }
    // Whatever happened, batches already sent are committed (or fail) before returning.
    const settled = await Promise.allSettled(writes.splice(0));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed !== undefined)
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    if (cursor.offset >= cursor.total && cursor.completedAt === null && !interrupted) {
      // An empty window (or one finished by an earlier batch): mark it complete.
      cursor = {
        ...cursor,
        pages: basePages + pagesFetched,
        completedAt: deps.clock.now().toISOString(),
      };
      await saveSyncCheckpoint(deps.db, name, cursor);
    }
  } finally {
    discardInFlight();
    // On an error, a batch still being written rolls back (its predecessor failed) before
    // the pool may be closed.
    await Promise.allSettled(writes);
    deps.progress.stop();
  }
  const seconds = (deps.clock.now().getTime() - started.getTime()) / 1000;
  const summary: BackfillSummary = {
    resource,
    status: interrupted ? 'interrupted' : 'completed',
    resumed,
    from: cursor.from,
    to: cursor.to,
    total: Math.max(cursor.total, knownTotal),
    startOffset,
    items: cursor.offset - startOffset,
    written: counts.written,
    refunds: counts.refunds,
    flags: counts.flags,
    pages: pagesFetched,
    seconds,
  };
  log.info(summary, interrupted ? 'backfill interrupted; resumable' : 'backfill finished');
  return summary;
}

/**
 * `omise-sync backfill`: walks each resource's list endpoint and projects everything, with
 * origin `backfill` (disputes found open are flagged, never notified). Holds a session lock so
 * only one backfill runs against a database at a time.
 */
export async function runBackfill(
  deps: BackfillDeps,
  options: BackfillOptions,
): Promise<BackfillSummary[]> {
  return withSyncLease(
    deps.db,
    'omise-sync:backfill',
    async () => {
      const summaries: BackfillSummary[] = [];
      for (const resource of options.resources) {
        if (isAborted(deps.signal)) break;
        const summary =
          resource === 'charges'
            ? await backfillResource(deps, resource, chargeWalker(deps), options)
            : await backfillResource(deps, resource, disputeWalker(deps), options);
        summaries.push(summary);
        if (summary.status === 'interrupted') break;
      }
      return summaries;
    },
    deps.leaseTtlMs,
  );
}
