import { type Logger } from '@omise-sync/core';
import { type Database, saveSyncCheckpoint } from '@omise-sync/db';
import { type ProjectionResult, projectBatch } from '@omise-sync/projection';
import { type Kysely } from 'kysely';
import { type BackfillCursor } from './backfill-cursor';
import { type BackfillDeps } from './backfill.types';
import { type ResourceWalker } from './resource-walkers';

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

/** Where a batch ends in its window, and the counts its checkpoint records. */
export interface BatchPosition {
  /** Offset just after the batch's last item. */
  end: number;
  /** The batch reaches the end of the window: its checkpoint marks the walk complete. */
  atEnd: boolean;
  /** List pages fetched by this walk so far, across runs. */
  pages: number;
  /** Items in the window as Omise last counted them. */
  total: number;
}

export interface CheckpointedWriterOptions<T> {
  /** The checkpoint row's name. */
  name: string;
  /** The checkpoint the first batch continues from. */
  cursor: BackfillCursor;
  requests: ResourceWalker<T>['requests'];
  log: Logger;
  /** Called after each batch commits, in order, with its checkpoint. */
  onCommitted(cursor: BackfillCursor): void;
}

/**
 * Writes a walk's batches through `projectBatch`, each with its checkpoint in the batch's
 * transaction: a crash after COMMIT never redoes the batch, a crash before it redoes it
 * idempotently (upserts guarded by `observed_at`). The next batch is fetched and prepared
 * while one is written, but a batch's transaction starts only after the previous COMMIT (and
 * not at all if that one failed): batches share summary rows (`omise.charge_daily`, customer
 * totals), so a later batch holding them while it waited for an earlier one to commit would
 * block that one for good. The checkpoint therefore always covers a contiguous prefix of the
 * window.
 */
export class CheckpointedWriter<T> {
  /** The last checkpoint committed. */
  cursor: BackfillCursor;
  /** What the batches committed so far wrote. */
  readonly counts = { written: 0, refunds: 0, flags: 0 };
  private lastCommit: Promise<BackfillCursor>;
  private readonly writes: Promise<BackfillCursor>[] = [];

  constructor(
    private readonly deps: BackfillDeps,
    private readonly options: CheckpointedWriterOptions<T>,
  ) {
    this.cursor = options.cursor;
    this.lastCommit = Promise.resolve(options.cursor);
  }

  /** Starts writing a batch; {@link waitForRoom} and {@link flush} wait for it. */
  write(items: T[], observedAt: Date, position: BatchPosition): void {
    const { deps, options } = this;
    const prior = this.lastCommit;
    let next: BackfillCursor | undefined;
    const commit = prior
      .then((before) =>
        projectBatch(deps, options.requests(items, observedAt), {
          // The checkpoint commits with the batch it accounts for, after the previous batch's.
          inTransaction: async (trx: Kysely<Database>, results) => {
            next = {
              ...before,
              offset: position.end,
              total: position.total,
              pages: position.pages,
              written: before.written + countWritten(results).written,
              completedAt: position.atEnd ? deps.clock.now().toISOString() : null,
            };
            await saveSyncCheckpoint(trx, options.name, next, deps.account);
          },
        }),
      )
      .then((batchResults) => {
        const written = countWritten(batchResults);
        if (written.failed > 0) {
          options.log.error(
            { failed: written.failed },
            'items of the batch could not be written; see the error log',
          );
        }
        if (next === undefined) throw new Error('the batch committed without its checkpoint');
        this.cursor = next;
        this.counts.written += written.written;
        this.counts.refunds += written.refunds;
        this.counts.flags += written.flags;
        options.onCommitted(next);
        return next;
      });
    // Awaited later in order; until then a rejection must not count as unhandled.
    commit.catch(() => undefined);
    this.lastCommit = commit;
    this.writes.push(commit);
  }

  /** Waits for the oldest batch while two are being written; throws if it failed. */
  async waitForRoom(): Promise<void> {
    if (this.writes.length >= 2) await this.writes.shift();
  }

  /** Waits until every batch sent has committed; throws the first failure. */
  async flush(): Promise<void> {
    const settled = await Promise.allSettled(this.writes.splice(0));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed !== undefined)
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }

  /**
   * Waits until every batch still being written has committed or rolled back, without
   * throwing: after an error, before the pool may be closed.
   */
  async settle(): Promise<void> {
    await Promise.allSettled(this.writes);
  }

  /** Marks the walk complete when no batch did (an empty window, or one already written). */
  async complete(pages: number): Promise<void> {
    this.cursor = {
      ...this.cursor,
      pages,
      completedAt: this.deps.clock.now().toISOString(),
    };
    await saveSyncCheckpoint(this.deps.db, this.options.name, this.cursor, this.deps.account);
  }
}
