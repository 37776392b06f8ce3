import {
  type IgnoredEventJob,
  jobCatalog,
  type OmiseEventJob,
  type RedisConnection,
} from '@omise-sync/core';
import { type Queue } from 'bullmq';
import { Cluster } from 'ioredis';

/** The queue the receiver produces into: `jobCatalog.omiseEvent.queue` (ignored events too). */
export type OmiseEventQueue = Queue<OmiseEventJob | IgnoredEventJob>;

/** The job could not be written to Redis; the delivery must not be acknowledged. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}

export interface EventEnqueuerOptions {
  /** The BullMQ queue for `jobCatalog.omiseEvent`, created with the catalog's job options. */
  queue: OmiseEventQueue;
  /**
   * The ioredis connection the queue was created with. While it is not `ready`, adds fail at
   * once instead of waiting for a reconnect, so the HTTP layer can answer 503. Create it with
   * `enableOfflineQueue: false` and a `commandTimeout`, so in-flight commands fail too.
   */
  connection: RedisConnection;
  /**
   * Replicas that must confirm each job (Redis `WAIT`) before it counts as stored; 0 skips the
   * wait. @defaultValue `{ minReplicas: 0, timeoutMs: 500 }`
   */
  replicaAck?: { minReplicas: number; timeoutMs: number };
}

/**
 * Adds `OmiseEventJob`s to BullMQ with `Queue.add`. The promise settles only after Redis has
 * answered, so a caller never acknowledges an event that is not stored.
 *
 * Omise may deliver an event twice, so the event id is the job id: BullMQ keeps the first job
 * with a given id and ignores later adds of it. BullMQ's add resolves the same way in both
 * cases, so a redelivery cannot be told apart here.
 */
export class EventEnqueuer {
  private readonly queue: OmiseEventQueue;
  private readonly connection: RedisConnection;
  private readonly replicaAck: { minReplicas: number; timeoutMs: number };

  constructor(options: EventEnqueuerOptions) {
    this.queue = options.queue;
    this.connection = options.connection;
    this.replicaAck = options.replicaAck ?? { minReplicas: 0, timeoutMs: 500 };
  }

  /**
   * Adds the job with `jobId = payload.eventId` (and the queue's default options, the catalog's).
   * @throws QueueUnavailableError when Redis did not confirm the job
   */
  enqueue(payload: OmiseEventJob): Promise<void> {
    return this.add(jobCatalog.omiseEvent.name, payload);
  }

  /**
   * Adds an ignored event's job (the worker records it with its key), like {@link enqueue}.
   * @throws QueueUnavailableError when Redis did not confirm the job
   */
  enqueueIgnored(payload: IgnoredEventJob): Promise<void> {
    return this.add(jobCatalog.ignoredEvent.name, payload);
  }

  private async add(name: string, payload: OmiseEventJob | IgnoredEventJob): Promise<void> {
    // Checked first: BullMQ would otherwise wait for a first connection at start-up.
    if (this.connection.status !== 'ready') {
      throw new QueueUnavailableError(`Redis connection is ${this.connection.status}`);
    }
    try {
      await this.queue.add(name, payload, { jobId: payload.eventId });
    } catch (error) {
      throw new QueueUnavailableError('Redis did not accept the job', { cause: error });
    }
    if (this.replicaAck.minReplicas === 0) return;
    let replicas: number;
    try {
      replicas = await this.waitForReplicas();
    } catch (error) {
      throw new QueueUnavailableError('Redis did not answer WAIT', { cause: error });
    }
    // The job stays on the master either way; a redelivery finds it by its id.
    if (replicas < this.replicaAck.minReplicas) {
      throw new QueueUnavailableError(
        `${replicas} of ${this.replicaAck.minReplicas} replicas confirmed the job`,
      );
    }
  }

  /**
   * `WAIT` on the connection that wrote the job: replication is asynchronous, so a job only the
   * master holds is lost if the master fails before its replicas catch up. `WAIT` covers every
   * earlier write of the connection, so concurrent deliveries sharing it are covered too.
   */
  private async waitForReplicas(): Promise<number> {
    const { minReplicas, timeoutMs } = this.replicaAck;
    if (!(this.connection instanceof Cluster)) {
      return this.connection.wait(minReplicas, timeoutMs);
    }
    // A cluster sends a keyless command to any node; in a pipeline with a key of the queue's
    // slot it goes to that slot's master, on the connection the job was written on.
    const results = await this.connection
      .pipeline()
      .exists(this.queue.toKey('meta'))
      .wait(minReplicas, timeoutMs)
      .exec();
    const [error, replicas] = results?.[1] ?? [new Error('no reply to WAIT'), 0];
    if (error !== null) throw error;
    return Number(replicas);
  }
}
