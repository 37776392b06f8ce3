import { type RedisConnection } from '@omise-sync/core';
import { QueueUnavailableError, type OmiseEventQueue } from './event-enqueuer';

export interface BacklogMonitorOptions {
  queue: OmiseEventQueue;
  /** The queue's connection; while it is not ready the count fails at once instead of waiting. */
  connection: RedisConnection;
  /** Waiting jobs at or above which the backlog counts as full; 0 turns the check off. */
  maxWaiting: number;
  /**
   * How long a count read from Redis is reused, in milliseconds.
   * @defaultValue 500
   */
  maxAgeMs?: number;
  /** Clock in milliseconds since the epoch. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Tells whether the queue's backlog is over the configured ceiling. The waiting count is read
 * from Redis at most once per `maxAgeMs` (concurrent callers share one read), not per request.
 */
export class BacklogMonitor {
  private readonly queue: OmiseEventQueue;
  private readonly connection: RedisConnection;
  private readonly maxWaiting: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private cached: { count: number; readAt: number } | undefined;
  private reading: Promise<number> | undefined;

  constructor(options: BacklogMonitorOptions) {
    this.queue = options.queue;
    this.connection = options.connection;
    this.maxWaiting = options.maxWaiting;
    this.maxAgeMs = options.maxAgeMs ?? 500;
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.maxWaiting > 0;
  }

  /**
   * True when the waiting count is at or above the ceiling (always false when disabled).
   * @throws QueueUnavailableError while Redis is disconnected (or the error of the count)
   */
  async isFull(): Promise<boolean> {
    if (!this.enabled) return false;
    return (await this.waitingCount()) >= this.maxWaiting;
  }

  /** Jobs waiting to be processed (wait and prioritized), at most `maxAgeMs` old. */
  async waitingCount(): Promise<number> {
    return this.freshCount() ?? this.readCount();
  }

  private freshCount(): number | undefined {
    const cached = this.cached;
    return cached !== undefined && this.now() - cached.readAt < this.maxAgeMs
      ? cached.count
      : undefined;
  }

  /** Reads the count from Redis; concurrent callers share one read. */
  private readCount(): Promise<number> {
    if (this.connection.status !== 'ready') {
      return Promise.reject(
        new QueueUnavailableError(`Redis connection is ${this.connection.status}`),
      );
    }
    this.reading ??= this.queue
      .getJobCountByTypes('wait', 'prioritized')
      .then((count) => {
        this.cached = { count, readAt: this.now() };
        return count;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
