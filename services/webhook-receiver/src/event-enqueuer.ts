import { jobCatalog, type OmiseEventJob } from '@omise-sync/core';
import { type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { BulkJobAdder } from './bullmq-bulk-add';
import { stringifyOmiseEventJob } from './omise-event-envelope';

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
   * Most jobs sent to Redis in one call.
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
  /** The payload as the JSON to store. */
  json: string;
  resolve: (outcome: EnqueueOutcome) => void;
  reject: (error: Error) => void;
}

/**
 * Adds `OmiseEventJob`s to BullMQ, batching the adds of concurrent requests: everything
 * enqueued during one event-loop turn (and while the previous batch is in flight) goes to
 * Redis in one script call (see bullmq-bulk-add.ts). Each promise settles only after Redis
 * has answered for its own job, so a caller never acknowledges an event that is not stored.
 *
 * The event id is the job id, so a redelivery is not enqueued twice. To tell a redelivery
 * apart (BullMQ's add returns the id either way), the script checks EXISTS on the job key
 * just before each add; a script runs atomically, so this holds with several receivers.
 */
export class EventEnqueuer {
  private readonly connection: Redis;
  private readonly maxBatchSize: number;
  private readonly maxBatchesInFlight: number;
  private readonly onBatch: ((size: number) => void) | undefined;
  private readonly adder: BulkJobAdder<OmiseEventJob>;
  private pending: PendingAdd[] = [];
  private inFlight = 0;
  private flushScheduled = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: EventEnqueuerOptions) {
    this.connection = options.connection;
    this.maxBatchSize = options.maxBatchSize ?? 100;
    this.maxBatchesInFlight = options.maxBatchesInFlight ?? 1;
    this.onBatch = options.onBatch;
    const { name, options: jobOptions } = jobCatalog.omiseEvent;
    this.adder = new BulkJobAdder(options.queue, name, jobOptions);
  }

  /**
   * Adds the job with `jobId = payload.eventId` and the catalog's options.
   * @param eventJson the JSON text `payload.event` was parsed from, when the caller has it (the
   *   delivery's body); it is stored as it is instead of serialising the event again.
   * @throws QueueUnavailableError when Redis did not confirm the job
   */
  enqueue(payload: OmiseEventJob, eventJson?: string): Promise<EnqueueOutcome> {
    if (this.closed) return Promise.reject(new QueueUnavailableError('the enqueuer is closed'));
    const json = stringifyOmiseEventJob(payload, eventJson);
    return new Promise<EnqueueOutcome>((resolve, reject) => {
      this.pending.push({ payload, json, resolve, reject });
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
      const results = await this.adder.add(
        this.connection,
        batch.map((add) => ({ jobId: add.payload.eventId, data: add.payload, json: add.json })),
      );
      batch.forEach((add, index) => {
        const result = results[index];
        if (result?.ok === true) add.resolve({ duplicate: result.existed });
        else add.reject(new QueueUnavailableError(`Redis refused the job: ${result?.reason}`));
      });
    } catch (error) {
      failAll(error);
    }
  }
}
