import { jobCatalog, type OmiseEventJob } from '@omise-sync/core';
import { Job, type IRedisTransaction, type Queue } from 'bullmq';
import { type Redis } from 'ioredis';

/** The queue the receiver produces into: `jobCatalog.omiseEvent.queue`. */
export type OmiseEventQueue = Queue<OmiseEventJob>;

/** What Redis said about one job. */
export interface EnqueueOutcome {
  /** True when a job with this event id already existed (a redelivery); nothing was added. */
  duplicate: boolean;
}

/** The job could not be written to Redis; the delivery must not be acknowledged. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}

export interface EventEnqueuerOptions {
  /** The BullMQ queue for `jobCatalog.omiseEvent`. */
  queue: OmiseEventQueue;
  /**
   * The ioredis connection the queue was created with. While it is not `ready`, adds fail at
   * once instead of waiting for a reconnect, so the HTTP layer can answer 503. Create it with
   * `enableOfflineQueue: false` and a `commandTimeout`, so in-flight commands fail too.
   */
  connection: Redis;
  /**
   * Most jobs sent to Redis in one MULTI.
   * @defaultValue 100
   */
  maxBatchSize?: number;
  /**
   * Batches that may be waiting for Redis at the same time. While they are in flight, new
   * adds accumulate into the next batch (group commit), so batches grow with load.
   * @defaultValue 1
   */
  maxBatchesInFlight?: number;
  /** Called once per batch written (successfully or not), e.g. for a batch-size metric. */
  onBatch?: (size: number) => void;
}

interface PendingAdd {
  payload: OmiseEventJob;
  resolve: (outcome: EnqueueOutcome) => void;
  reject: (error: Error) => void;
}

type TransactionWithExists = IRedisTransaction & { exists(key: string): unknown };

function hasExists(tx: IRedisTransaction): tx is TransactionWithExists {
  return 'exists' in tx && typeof tx.exists === 'function';
}

/**
 * Adds `OmiseEventJob`s to BullMQ, batching the adds of concurrent requests: everything
 * enqueued during one event-loop turn (and while the previous batch is in flight) goes to
 * Redis as one MULTI. Each promise settles only after Redis has answered for its own job,
 * so a caller never acknowledges an event that is not stored.
 *
 * The event id is the job id, so a redelivery is not enqueued twice. To tell a redelivery
 * apart (BullMQ's add returns the id either way), each add is preceded in the same MULTI by
 * an EXISTS on the job key; MULTI makes the pair atomic even with several receivers.
 */
export class EventEnqueuer {
  private readonly queue: OmiseEventQueue;
  private readonly connection: Redis;
  private readonly maxBatchSize: number;
  private readonly maxBatchesInFlight: number;
  private readonly onBatch: ((size: number) => void) | undefined;
  private pending: PendingAdd[] = [];
  private inFlight = 0;
  private flushScheduled = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: EventEnqueuerOptions) {
    this.queue = options.queue;
    this.connection = options.connection;
    this.maxBatchSize = options.maxBatchSize ?? 100;
    this.maxBatchesInFlight = options.maxBatchesInFlight ?? 1;
    this.onBatch = options.onBatch;
  }

  /**
   * Adds the job with `jobId = payload.eventId` and the catalog's options.
   * @throws QueueUnavailableError when Redis did not confirm the job
   */
  enqueue(payload: OmiseEventJob): Promise<EnqueueOutcome> {
    if (this.closed) return Promise.reject(new QueueUnavailableError('the enqueuer is closed'));
    return new Promise<EnqueueOutcome>((resolve, reject) => {
      this.pending.push({ payload, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Jobs accepted but not yet confirmed by Redis. */
  get backlog(): number {
    return this.pending.length;
  }

  /** Refuses new adds and resolves once every accepted add has settled. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= this.maxBatchesInFlight) return;
    if (this.pending.length === 0) return;
    this.flushScheduled = true;
    // setImmediate runs after the current poll phase, so every request whose body arrived in
    // this turn of the event loop joins the same batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxBatchesInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatchSize);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.onBatch?.(batch.length);
        if (this.pending.length > 0) {
          this.scheduleFlush();
        } else if (this.inFlight === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const wake of waiters) wake();
        }
      });
    }
  }

  private async write(batch: PendingAdd[]): Promise<void> {
    const failAll = (error: unknown) => {
      const reason =
        error instanceof QueueUnavailableError
          ? error
          : new QueueUnavailableError('Redis did not accept the batch', { cause: error });
      for (const add of batch) add.reject(reason);
    };
    // Without the offline queue ioredis would fail these anyway; checking first also covers
    // the start-up window in which BullMQ is still waiting for a first connection.
    if (this.connection.status !== 'ready') {
      failAll(new QueueUnavailableError(`Redis connection is ${this.connection.status}`));
      return;
    }
    try {
      const client = await this.queue.client;
      const tx = client.multi();
      if (!hasExists(tx)) {
        throw new TypeError('the BullMQ client must be ioredis (its MULTI needs EXISTS)');
      }
      const { name, options } = jobCatalog.omiseEvent;
      const adds = batch.map((add) => {
        const jobId = add.payload.eventId;
        const job = new Job(this.queue, name, add.payload, { ...options, jobId }, jobId);
        tx.exists(this.queue.toKey(jobId));
        return job.addJob(tx);
      });
      // addJob queues its script synchronously but reports option errors asynchronously;
      // settle them before EXEC to know which adds are in the transaction.
      const queued = await Promise.allSettled(adds);
      const results = await tx.exec();
      if (results === null) throw new QueueUnavailableError('Redis discarded the transaction');

      let index = 0;
      batch.forEach((add, position) => {
        const existsReply = results[index];
        index += 1;
        const addState = queued[position];
        if (addState === undefined || addState.status === 'rejected') {
          add.reject(
            new QueueUnavailableError('BullMQ refused the job', { cause: addState?.reason }),
          );
          return;
        }
        const addReply = results[index];
        index += 1;
        const error = existsReply?.[0] ?? addReply?.[0];
        if (existsReply === undefined || addReply === undefined || error) {
          add.reject(new QueueUnavailableError('Redis refused the job', { cause: error }));
          return;
        }
        // BullMQ scripts answer a negative number for errors and the job id otherwise.
        if (typeof addReply[1] === 'number' && addReply[1] < 0) {
          add.reject(new QueueUnavailableError(`BullMQ add failed with code ${addReply[1]}`));
          return;
        }
        add.resolve({ duplicate: existsReply[1] === 1 });
      });
    } catch (error) {
      failAll(error);
    }
  }
}
