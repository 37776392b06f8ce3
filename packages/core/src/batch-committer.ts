/** What a batch's commit reports for one of its items. */
export type BatchSettlement<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Writes one batch and reports, in the batch's order, what happened to each item. Throwing
 * (or rejecting) fails every item of the batch with that error.
 */
export type CommitBatch<I, R> = (batch: readonly I[]) => Promise<readonly BatchSettlement<R>[]>;

export interface BatchCommitterOptions<I> {
  /** Most items in one batch. */
  maxBatchSize: number;
  /** Batches committing at the same time; while they run, new items gather for the next. */
  maxBatchesInFlight: number;
  /**
   * When given, a batch starts as soon as this many items wait and fewer than
   * `maxBatchesInFlight` run, instead of at the end of the event-loop turn: the first items of
   * a busy turn are on their way while the turn goes on. Items that gather while every batch
   * is running still go together, up to `maxBatchSize`, so batches grow under backlog as before.
   */
  flushAt?: number | undefined;
  /**
   * When given, two items with the same key are never in batches that run at the same time:
   * an item whose key is in a running batch waits for the next one (e.g. so that batches do
   * not wait on each other's locks).
   */
  keyOf?: ((item: I) => string) | undefined;
  /** Called with each batch's size as it starts, e.g. for a batch-size metric. */
  onBatch?: ((size: number) => void) | undefined;
}

interface Submitted<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/** Thrown when a commit reports fewer results than the batch had items. */
export class MissingSettlementError extends Error {
  override readonly name = 'MissingSettlementError';
}

/**
 * Group commit: items submitted during one turn of the event loop (and while earlier batches
 * are still committing) are written together by one `commit` call, so batches grow with load
 * and a lone item still goes out at once. Each item's promise settles with its own result,
 * only after its batch's commit has reported; nothing is acknowledged before it is written.
 *
 * The webhook receiver's enqueuer (jobs into Redis) and the worker's charge projection (rows
 * into Postgres) are both built on it.
 */
export class BatchCommitter<I, R> {
  private readonly commit: CommitBatch<I, R>;
  private readonly maxBatchSize: number;
  private readonly maxBatchesInFlight: number;
  private readonly flushAt: number;
  private readonly keyOf: ((item: I) => string) | undefined;
  private readonly onBatch: ((size: number) => void) | undefined;
  private pending: Submitted<I, R>[] = [];
  private inFlight = 0;
  private readonly keysInFlight = new Set<string>();
  private flushScheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(commit: CommitBatch<I, R>, options: BatchCommitterOptions<I>) {
    const { maxBatchSize, maxBatchesInFlight, flushAt = Infinity } = options;
    if (!(maxBatchSize >= 1 && maxBatchesInFlight >= 1 && flushAt >= 1)) {
      throw new RangeError('maxBatchSize, maxBatchesInFlight and flushAt must be at least 1');
    }
    this.commit = commit;
    this.maxBatchSize = maxBatchSize;
    this.maxBatchesInFlight = maxBatchesInFlight;
    this.flushAt = flushAt;
    this.keyOf = options.keyOf;
    this.onBatch = options.onBatch;
  }

  /** Adds `item` to the next batch; settles with its result once that batch has committed. */
  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Items submitted and not yet in a running batch. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Resolves once no item is waiting or committing. */
  idle(): Promise<void> {
    if (this.pending.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private scheduleFlush(): void {
    if (this.inFlight >= this.maxBatchesInFlight || this.pending.length === 0) return;
    if (this.pending.length >= this.flushAt) {
      this.flush();
      // What the flush left (no slot free, or keys in flight) waits for a batch to finish.
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate runs after the current poll phase, so everything submitted in this turn of
    // the event loop joins the same batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxBatchesInFlight) {
      const batch = this.takeBatch();
      if (batch.length === 0) break;
      this.inFlight += 1;
      this.onBatch?.(batch.length);
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.scheduleFlush();
        if (this.pending.length === 0 && this.inFlight === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const wake of waiters) wake();
        }
      });
    }
  }

  private takeBatch(): Submitted<I, R>[] {
    const { keyOf } = this;
    if (keyOf === undefined) return this.pending.splice(0, this.maxBatchSize);
    const batch: Submitted<I, R>[] = [];
    const rest: Submitted<I, R>[] = [];
    for (const submitted of this.pending) {
      if (batch.length < this.maxBatchSize && !this.keysInFlight.has(keyOf(submitted.item))) {
        batch.push(submitted);
      } else {
        rest.push(submitted);
      }
    }
    this.pending = rest;
    // Added after the selection: items of one key in the same batch are the batch's business.
    for (const submitted of batch) this.keysInFlight.add(keyOf(submitted.item));
    return batch;
  }

  private async run(batch: Submitted<I, R>[]): Promise<void> {
    try {
      let settlements: readonly BatchSettlement<R>[];
      try {
        settlements = await this.commit(batch.map((submitted) => submitted.item));
      } catch (error) {
        // Passed on as it is: callers classify errors by their fields (a socket error's code),
        // which a wrapper would hide.
        for (const submitted of batch) submitted.reject(error);
        return;
      }
      batch.forEach((submitted, index) => {
        const settlement = settlements[index];
        if (settlement === undefined) {
          submitted.reject(new MissingSettlementError('the batch commit reported no result'));
        } else if (settlement.ok) {
          submitted.resolve(settlement.value);
        } else {
          submitted.reject(settlement.error);
        }
      });
    } finally {
      const { keyOf } = this;
      if (keyOf !== undefined) {
        for (const submitted of batch) this.keysInFlight.delete(keyOf(submitted.item));
      }
    }
  }
}
