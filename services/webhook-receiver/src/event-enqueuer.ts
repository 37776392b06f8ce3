import {
  BatchCommitter,
  type BatchSettlement,
  jobCatalog,
  type OmiseEventJob,
} from '@omise-sync/core';
import { type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { type BulkAddResult, type BulkJob, BulkJobAdder } from './bullmq-bulk-add';
import { stringifyOmiseEventJob } from '@omise-sync/core';

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
  /**
   * Jobs waiting at which a batch is sent at once rather than at the end of the event-loop
   * turn (while fewer than `maxBatchesInFlight` run). Unset: only at the end of the turn.
   */
  flushAt?: number;
  /** Called with each batch's size as it is sent, e.g. for a batch-size metric. */
  onBatch?: (size: number) => void;
}

/**
 * Adds `OmiseEventJob`s to BullMQ, batching the adds of concurrent requests: everything
 * enqueued during one event-loop turn (and while earlier batches are in flight) goes to Redis
 * in one script call (see bullmq-bulk-add.ts), through the group commit in `@omise-sync/core`.
 * Each promise settles only after Redis has answered for its own job, so a caller never
 * acknowledges an event that is not stored.
 *
 * The event id is the job id, so a redelivery is not enqueued twice. To tell a redelivery
 * apart (BullMQ's add returns the id either way), the script checks EXISTS on the job key
 * just before each add; a script runs atomically, so this holds with several receivers.
 */
export class EventEnqueuer {
  private readonly connection: Redis;
  private readonly adder: BulkJobAdder<OmiseEventJob>;
  private readonly committer: BatchCommitter<BulkJob, EnqueueOutcome>;
  private closed = false;

  constructor(options: EventEnqueuerOptions) {
    this.connection = options.connection;
    const { name, options: jobOptions } = jobCatalog.omiseEvent;
    this.adder = new BulkJobAdder(options.queue, name, jobOptions);
    this.committer = new BatchCommitter((jobs) => this.write(jobs), {
      maxBatchSize: options.maxBatchSize ?? 100,
      maxBatchesInFlight: options.maxBatchesInFlight ?? 1,
      flushAt: options.flushAt,
      onBatch: options.onBatch,
    });
  }

  /**
   * Adds the job with `jobId = payload.eventId` and the catalog's options.
   * @param eventJson the JSON text `payload.event` was parsed from, when the caller has it (the
   *   delivery's body); it is stored as it is instead of serialising the event again.
   * @throws QueueUnavailableError when Redis did not confirm the job
   */
  enqueue(payload: OmiseEventJob, eventJson?: string): Promise<EnqueueOutcome> {
    if (this.closed) return Promise.reject(new QueueUnavailableError('the enqueuer is closed'));
    return this.committer.submit({
      jobId: payload.eventId,
      json: stringifyOmiseEventJob(payload, eventJson),
    });
  }

  /** Jobs accepted and not yet sent to Redis. */
  get backlog(): number {
    return this.committer.waiting;
  }

  /** Refuses new adds and resolves once every accepted add has settled. */
  async close(): Promise<void> {
    this.closed = true;
    await this.committer.idle();
  }

  private async write(jobs: readonly BulkJob[]): Promise<BatchSettlement<EnqueueOutcome>[]> {
    // Without the offline queue ioredis would fail these anyway; checking first also covers
    // the start-up window in which BullMQ is still waiting for a first connection.
    if (this.connection.status !== 'ready') {
      throw new QueueUnavailableError(`Redis connection is ${this.connection.status}`);
    }
    let results: BulkAddResult[];
    try {
      results = await this.adder.add(this.connection, jobs);
    } catch (error) {
      throw new QueueUnavailableError('Redis did not accept the batch', { cause: error });
    }
    return results.map((result) =>
      result.ok
        ? { ok: true, value: { duplicate: result.existed } }
        : {
            ok: false,
            error: new QueueUnavailableError(`Redis refused the job: ${result.reason}`),
          },
    );
  }
}
