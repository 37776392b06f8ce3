import type { OmiseResponseInfo } from '@omise-sync/omise-client';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What happened to one event job (label of `omise_sync_worker_jobs_total`). */
export type JobOutcome =
  /** Fetched and written. */
  | 'projected'
  /** Already reflected by a fetch made after the event arrived: recorded, no API call. */
  | 'coalesced'
  /** Omise answered 404: recorded as not_found, not retried. */
  | 'not_found'
  /** The event is about an object omise-sync does not project, or names no valid id: recorded as ignored. */
  | 'ignored'
  /** A transient failure; BullMQ retries it with backoff. */
  | 'retried'
  /** Failed for good (after the last attempt, or unrecoverable): in the failed set. */
  | 'failed'
  /** Postgres was unreachable: back to the queue without spending an attempt. */
  | 'postponed'
  /** Shutdown deadline passed: handed back to the queue for another worker. */
  | 'interrupted';

/** What happened to one dispute notification (label of `omise_sync_notifications_total`). */
export type NotificationOutcome =
  | 'sent'
  /** Nothing to send: already sent, being sent, or not owed. */
  | 'skipped'
  /** A definite failure (refused, non-2xx); the claim is released and BullMQ retries. */
  | 'retried'
  /** Ambiguous failure (timeout after sending): never retried, so never sent twice. */
  | 'ambiguous'
  /** ALERT_WEBHOOK_URL is not configured. */
  | 'disabled'
  /** A test-mode dispute with ALERT_TEST_MODE=skip: recorded, not sent. */
  | 'test_mode';

/**
 * The `account` label of what belongs to no single account: the follow-up queue every account
 * shares, and follow-up jobs queued before jobs carried their account. Not a valid account name.
 */
export const ANY_ACCOUNT = '*';

/** Something that can report a queue's backlog (a BullMQ Queue). */
export interface QueueProbe {
  readonly name: string;
  /** The account whose queue this is, or {@link ANY_ACCOUNT} for a queue every account shares. */
  readonly account: string;
  getWaitingCount(): Promise<number>;
  /** Timestamp (ms) when the oldest waiting job was added, or undefined when none waits. */
  oldestWaitingAddedAt(): Promise<number | undefined>;
}

/** A BullMQ queue as a {@link QueueProbe}. */
export function bullQueueProbe(
  queue: Pick<Queue, 'name' | 'getWaitingCount' | 'getJobs'>,
  account: string,
): QueueProbe {
  return {
    name: queue.name,
    account,
    getWaitingCount: () => queue.getWaitingCount(),
    oldestWaitingAddedAt: async () => {
      // asc = true: the oldest waiting job first.
      const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
      return oldest?.timestamp;
    },
  };
}

/**
 * The worker's Prometheus metrics, on a registry of its own (no global state, so tests and
 * several workers in one process do not collide).
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({
    name: 'omise_sync_worker_jobs_total',
    help: 'Omise event jobs processed, by account and outcome',
    labelNames: ['account', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly projectionDuration = new Histogram({
    name: 'omise_sync_projection_duration_seconds',
    help: 'Time to project one event (lock, fetch, write, commit), by account and resource',
    labelNames: ['account', 'resource'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'omise_sync_projection_batch_size',
    help: 'Events projected per transaction (batches grow with load), by account',
    labelNames: ['account'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  readonly eventLag = new Histogram({
    name: 'omise_sync_event_lag_seconds',
    help: "Time from the Omise event's created_at to the committed row, by account",
    labelNames: ['account'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
    registers: [this.registry],
  });
  readonly deliveryLag = new Histogram({
    name: 'omise_sync_delivery_lag_seconds',
    help: 'Time from receiving the event (receivedAt) to the committed row, by account',
    labelNames: ['account'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly omiseRequests = new Counter({
    name: 'omise_sync_omise_api_requests_total',
    help: 'Omise API calls by account, method, path template and status (0 = no response)',
    labelNames: ['account', 'method', 'path', 'status'] as const,
    registers: [this.registry],
  });
  readonly omiseRequestDuration = new Histogram({
    name: 'omise_sync_omise_api_request_duration_seconds',
    help: 'Duration of one Omise API attempt, by account, method and path template',
    labelNames: ['account', 'method', 'path'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'omise_sync_worker_auth_failures_total',
    help: "Omise answered 401/403 to the worker: the account's secret key is wrong or revoked",
    labelNames: ['account'] as const,
    registers: [this.registry],
  });
  readonly ignoredEvents = new Counter({
    name: 'omise_sync_ignored_events_total',
    help: 'Events recorded as ignored (not projected), by account and event key: a new kind of Omise event shows here',
    labelNames: ['account', 'key'] as const,
    registers: [this.registry],
  });
  readonly accountConflicts = new Counter({
    name: 'omise_sync_account_conflicts_total',
    help: 'Events that arrived for an id another account owns (failed, not written; ADR 0005), by the account they arrived for and resource',
    labelNames: ['account', 'resource'] as const,
    registers: [this.registry],
  });
  readonly disputeFlags = new Counter({
    name: 'omise_sync_dispute_flags_total',
    help: 'Dispute flags written, by account, severity and origin',
    labelNames: ['account', 'severity', 'origin'] as const,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'omise_sync_notifications_total',
    help: 'Dispute notifications, by account and outcome',
    labelNames: ['account', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly disputeReminders = new Counter({
    name: 'omise_sync_dispute_reminders_total',
    help: 'Dispute deadline reminders, by account, kind (72h, 24h…) and outcome',
    labelNames: ['account', 'kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly probes: QueueProbe[] = [];

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const probes = this.probes;
    // Read from Redis at scrape time, so the numbers are current and nothing polls between.
    new Gauge({
      name: 'omise_sync_queue_waiting_jobs',
      help: 'Jobs waiting in a queue, by queue and account (`*`: shared by every account); the autoscaler scales workers on this',
      labelNames: ['queue', 'account'] as const,
      registers: [this.registry],
      async collect() {
        for (const probe of probes) {
          this.set({ queue: probe.name, account: probe.account }, await probe.getWaitingCount());
        }
      },
    });
    new Gauge({
      name: 'omise_sync_queue_oldest_waiting_age_seconds',
      help: 'Age of the oldest job waiting in a queue (0 when none waits), by queue and account (`*`: shared)',
      labelNames: ['queue', 'account'] as const,
      registers: [this.registry],
      async collect() {
        for (const probe of probes) {
          const addedAt = await probe.oldestWaitingAddedAt();
          this.set(
            { queue: probe.name, account: probe.account },
            addedAt === undefined ? 0 : Math.max(0, (Date.now() - addedAt) / 1000),
          );
        }
      },
    });
  }

  /** Reports these queues in the queue gauges. */
  observeQueues(probes: readonly QueueProbe[]): void {
    this.probes.push(...probes);
  }

  /** For the `onResponse` hook of an account's Omise client. */
  recordOmiseResponseOf(account: string): (info: OmiseResponseInfo) => void {
    return (info) => this.recordOmiseResponse(account, info);
  }

  private recordOmiseResponse(account: string, info: OmiseResponseInfo): void {
    this.omiseRequests.inc({
      account,
      method: info.method,
      path: info.path,
      status: String(info.status),
    });
    this.omiseRequestDuration.observe(
      { account, method: info.method, path: info.path },
      info.durationMs / 1000,
    );
  }
}
