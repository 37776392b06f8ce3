import {
  type AccountName,
  type Clock,
  type DisputeReminderJob,
  type Logger,
  type NotifyDisputeFlagJob,
  type RedisConnection,
  type PiiPolicy,
  eventQueueName,
  jobCatalog,
  systemClock,
} from '@omise-sync/core';
import {
  type Database,
  type EventPartitionMaintenance,
  findDisputeFlagsAwaitingNotification,
  findLatestReconcileRuns,
  maintainEventPartitions,
} from '@omise-sync/db';
import type { OmiseClient } from '@omise-sync/omise-client';
import { type Job, Queue, Worker } from 'bullmq';
import { type Kysely, sql } from 'kysely';
import type { FetchLike } from './dispute-alert';
import type { DisputeResponseDays, DisputeSeverityRules } from '@omise-sync/projection';
import { ANY_ACCOUNT, type WorkerMetrics, bullQueueProbe } from './metrics';
import {
  type AlertWebhookOptions,
  createNotifyDisputeFlagProcessor,
} from './notify-dispute-flag.processor';
import {
  type ReminderSweep,
  createDisputeReminderProcessor,
  sweepDisputeReminders,
} from './dispute-reminders';
import { createOmiseEventProcessor } from './omise-event.processor';
import { ProjectionBatcher } from './projection.batcher';
import { registerReconcileMetrics } from './reconcile-metrics';

/** One Omise account the worker projects. */
export interface WorkerAccount {
  name: AccountName;
  /** A client with this account's key, rate limit and connections (shared with no account). */
  omise: OmiseClient;
}

/** Everything the worker needs, built by main.ts (or by a test). */
export interface CreateWorkerDeps {
  db: Kysely<Database>;
  /**
   * Opens a new Redis connection (BullMQ workers need `maxRetriesPerRequest: null`). The
   * worker opens a few and closes them on `close()`.
   */
  createRedisConnection(): RedisConnection;
  /**
   * Every account served. Each has its own queue (`eventQueueName`), BullMQ Worker, batcher and
   * Omise client, so one account's backlog, slowness or outage never holds another's events.
   */
  accounts: readonly WorkerAccount[];
  logger: Logger;
  metrics: WorkerMetrics;
  /** @defaultValue the system clock */
  clock?: Clock;
  /** BullMQ key prefix; must match the receiver's. @defaultValue 'bull' */
  prefix?: string;
  /** Omise events in flight at once per account (BullMQ concurrency). @defaultValue 64 */
  concurrency?: number;
  severityRules: DisputeSeverityRules;
  /** Days a merchant has to answer a dispute (`DISPUTE_RESPONSE_DAYS`), maybe per card country. */
  responseDays: DisputeResponseDays;
  /** How personal data is stored (`PII_MODE`, `PII_SALT`); see FollowUpDeps. */
  pii?: PiiPolicy | undefined;
  /**
   * Hours before an open dispute's `respond_by` at which the alert webhook is reminded
   * (`DISPUTE_REMINDER_HOURS`). @defaultValue [72, 24]
   */
  reminderHours?: readonly number[];
  /** Where dispute alerts go; undefined: flags are written, nobody is notified. */
  alertWebhook?: AlertWebhookOptions | undefined;
  /** HTTP transport for alerts. @defaultValue globalThis.fetch */
  fetch?: FetchLike;
  /**
   * Milliseconds between sweeps for flags whose notification job was lost (a crash between
   * COMMIT and enqueue); 0 turns the sweeper off. @defaultValue 30000
   */
  notifySweepIntervalMs?: number;
  /** How old an unsent, unclaimed flag must be before the sweeper enqueues it, in ms. @defaultValue 60000 */
  notifySweepMinAgeMs?: number;
  /**
   * BullMQ lock duration, in ms: a killed worker's jobs are retaken once their lock expires
   * and a stalled check runs, so within about `lockDurationMs + stalledIntervalMs`. A live
   * worker renews its locks every `lockDurationMs / 2`. @defaultValue 10000
   */
  lockDurationMs?: number;
  /** BullMQ stalled-job check interval, in ms. @defaultValue 5000 */
  stalledIntervalMs?: number;
  /**
   * Most events projected in one transaction (batches form only under load).
   * @defaultValue 64
   */
  maxBatchSize?: number;
  /** Queue hold-back after Postgres was unreachable, in ms. @defaultValue { minMs: 250, maxMs: 2000 } */
  databaseRetryDelay?: { minMs: number; maxMs: number };
  /**
   * Days of event history kept (`EVENTS_RETENTION_DAYS`): older months' partitions of
   * `omise.events` are dropped; 0 keeps everything. @defaultValue 400
   */
  eventsRetentionDays?: number;
  /**
   * Milliseconds between passes of event partition maintenance (the first runs at start); 0
   * turns it off. @defaultValue 3600000 (hourly)
   */
  partitionMaintenanceIntervalMs?: number;
}

export interface CloseOptions {
  /**
   * Milliseconds active jobs get to finish; after that they are interrupted and handed back
   * to the queue (another worker, or this one after a restart, takes them). @defaultValue 25000
   */
  timeoutMs?: number;
}

/** A running omise-sync worker. */
export interface OmiseSyncWorker {
  /** Starts consuming; resolves once connected to Redis. */
  start(): Promise<void>;
  /** Drains gracefully (see {@link CloseOptions}) and closes its Redis connections. */
  close(options?: CloseOptions): Promise<void>;
  /** Pings Postgres and Redis, for /readyz. */
  checkReady(): Promise<{ ready: boolean; checks: Record<string, string> }>;
  /** Runs one notification sweep now (the timer does this periodically). */
  sweepNotifications(): Promise<number>;
  /**
   * Plans, cancels and enqueues deadline reminders now (the same timer does this); nothing
   * without an alert webhook.
   */
  sweepReminders(): Promise<ReminderSweep>;
  /**
   * Creates the coming months' partitions of `omise.events` and drops those past the
   * retention period now (the worker does this at start and then hourly).
   */
  maintainPartitions(): Promise<EventPartitionMaintenance>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Notify jobs are keyed by dispute (BullMQ ids may not contain ':'), so each is queued once. */
export function notifyJobId(disputeId: string): string {
  return `notify-${disputeId}`;
}

/**
 * Builds the worker: a BullMQ consumer of each account's event queue (projection), one of
 * `omise-followups` (dispute alerts), the notification sweeper, and queue gauges.
 */
export function createWorker(deps: CreateWorkerDeps): OmiseSyncWorker {
  const clock = deps.clock ?? systemClock;
  const prefix = deps.prefix ?? 'bull';
  const logger = deps.logger;
  const connections: RedisConnection[] = [];
  const connect = () => {
    const connection = deps.createRedisConnection();
    connections.push(connection);
    return connection;
  };

  const producerConnection = connect();
  const followups = new Queue<NotifyDisputeFlagJob | DisputeReminderJob>(
    jobCatalog.notifyDisputeFlag.queue,
    {
      connection: producerConnection,
      prefix,
      defaultJobOptions: jobCatalog.notifyDisputeFlag.options,
    },
  );
  const accountQueues = deps.accounts.map((account) => ({
    account: account.name,
    queue: new Queue(eventQueueName(account.name), { connection: producerConnection, prefix }),
  }));
  const eventQueues = accountQueues.map(({ queue }) => queue);
  followups.on('error', (error) => logger.error({ err: error }, 'follow-up queue error'));
  for (const queue of eventQueues) {
    queue.on('error', (error) => logger.error({ err: error, queue: queue.name }, 'queue error'));
  }
  deps.metrics.observeQueues([
    ...accountQueues.map(({ account, queue }) => bullQueueProbe(queue, account)),
    bullQueueProbe(followups, ANY_ACCOUNT),
  ]);
  // The drift the reconcile CronJob found, exported here because the worker is always scraped.
  registerReconcileMetrics(deps.metrics.registry, () => findLatestReconcileRuns(deps.db));

  const enqueueNotification = async (disputeId: string, account: AccountName) => {
    if (deps.alertWebhook === undefined) {
      deps.metrics.notifications.inc({ account, outcome: 'disabled' });
      return;
    }
    try {
      await followups.add(
        jobCatalog.notifyDisputeFlag.name,
        { disputeId, account },
        { jobId: notifyJobId(disputeId) },
      );
    } catch (error) {
      // The flag is committed; the sweeper enqueues it later.
      logger.warn(
        { err: error, disputeId },
        'could not enqueue the dispute alert; the sweeper will',
      );
    }
  };

  const workerOptions = {
    prefix,
    autorun: false,
    lockDuration: deps.lockDurationMs ?? 10_000,
    stalledInterval: deps.stalledIntervalMs ?? 5_000,
    // A job whose worker died mid-way is retaken up to 3 times before it fails as stalled.
    maxStalledCount: 3,
  };

  // One consumer per account: a Worker has one concurrency budget, so accounts sharing one
  // would let a slow account's jobs take every slot.
  const eventWorkers = deps.accounts.map((account) => {
    const queueName = eventQueueName(account.name);
    const batcher = new ProjectionBatcher({
      db: deps.db,
      account: account.name,
      omise: account.omise,
      clock,
      severityRules: deps.severityRules,
      responseDays: deps.responseDays,
      pii: deps.pii,
      onBatch: (size) => deps.metrics.batchSize.observe({ account: account.name }, size),
      ...(deps.maxBatchSize === undefined ? {} : { maxBatchSize: deps.maxBatchSize }),
    });
    const processEvent = createOmiseEventProcessor({
      account: account.name,
      batcher,
      db: deps.db,
      logger: logger.child({ queue: queueName, account: account.name }),
      metrics: deps.metrics,
      clock,
      onFlagCommitted: (flag) => enqueueNotification(flag.disputeId, account.name),
      postponeQueue: async (ms) => {
        await eventWorker.rateLimit(ms);
      },
      ...(deps.databaseRetryDelay === undefined
        ? {}
        : { databaseRetryDelay: deps.databaseRetryDelay }),
    });
    // Three parameters, so BullMQ hands the processor an AbortSignal (used on shutdown).
    const eventWorker = new Worker(
      queueName,
      (job: Job, token?: string, signal?: AbortSignal) => processEvent(job, token, signal),
      { ...workerOptions, connection: connect(), concurrency: deps.concurrency ?? 64 },
    );
    return eventWorker;
  });
  const followupLogger = logger.child({ queue: jobCatalog.notifyDisputeFlag.queue });
  const notifyFlag = createNotifyDisputeFlagProcessor({
    db: deps.db,
    logger: followupLogger,
    metrics: deps.metrics,
    clock,
    alertWebhook: deps.alertWebhook,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  const alertWebhook = deps.alertWebhook;
  const remind =
    alertWebhook === undefined
      ? undefined
      : createDisputeReminderProcessor({
          db: deps.db,
          logger: followupLogger,
          metrics: deps.metrics,
          clock,
          alertWebhook,
          ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
        });
  // One queue carries both follow-ups; the job name says which.
  const notifyWorker = new Worker(
    jobCatalog.notifyDisputeFlag.queue,
    (job: Job, token?: string) =>
      job.name === jobCatalog.disputeReminder.name && remind !== undefined
        ? remind(job, token)
        : notifyFlag(job),
    { ...workerOptions, connection: connect(), concurrency: 4 },
  );
  const workers = [...eventWorkers, notifyWorker];
  for (const worker of workers) {
    // Redis trouble surfaces here; BullMQ reconnects by itself.
    worker.on('error', (error) => logger.error({ err: error, queue: worker.name }, 'worker error'));
  }

  const sweepNotifications = async (): Promise<number> => {
    if (deps.alertWebhook === undefined) return 0;
    const due = await findDisputeFlagsAwaitingNotification(deps.db, {
      flaggedBefore: new Date(clock.now().getTime() - (deps.notifySweepMinAgeMs ?? 60_000)),
      limit: 500,
    });
    for (const flag of due) await enqueueNotification(flag.dispute_id, flag.account);
    if (due.length > 0) logger.info({ count: due.length }, 'sweeper re-enqueued dispute alerts');
    return due.length;
  };
  const sweepReminders = async (): Promise<ReminderSweep> => {
    if (alertWebhook === undefined)
      return { planned: 0, enqueued: 0, cancelled: 0, rescheduled: 0 };
    const sweep = await sweepDisputeReminders({
      db: deps.db,
      logger,
      metrics: deps.metrics,
      clock,
      queue: followups,
      hours: deps.reminderHours ?? [72, 24],
      alertWebhook,
    });
    if (sweep.planned > 0 || sweep.cancelled > 0 || sweep.rescheduled > 0) {
      logger.info(sweep, 'dispute reminders swept');
    }
    return sweep;
  };
  const maintainPartitions = async (): Promise<EventPartitionMaintenance> => {
    const result = await maintainEventPartitions(deps.db, {
      at: clock.now(),
      retentionDays: deps.eventsRetentionDays ?? 400,
    });
    if (result.created.length > 0 || result.dropped.length > 0 || result.busy.length > 0) {
      logger.info(result, 'event partitions maintained');
    }
    return result;
  };
  // Missing partitions cost nothing but speed (rows wait in the default partition), so a
  // failed pass is logged and left to the next one.
  let partitionMaintenance: Promise<unknown> = Promise.resolve();
  const runPartitionMaintenance = (): void => {
    partitionMaintenance = maintainPartitions().catch((error: unknown) =>
      logger.warn({ err: error }, 'event partition maintenance failed; retried next pass'),
    );
  };
  let partitionTimer: NodeJS.Timeout | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let running: Promise<unknown>[] = [];

  return {
    async start() {
      for (const worker of workers) {
        running.push(
          worker.run().catch((error: unknown) => {
            logger.error({ err: error, queue: worker.name }, 'worker stopped');
          }),
        );
      }
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
      const partitionInterval = deps.partitionMaintenanceIntervalMs ?? 3_600_000;
      if (partitionInterval > 0) {
        runPartitionMaintenance();
        partitionTimer = setInterval(runPartitionMaintenance, partitionInterval);
        partitionTimer.unref();
      }
      const interval = deps.notifySweepIntervalMs ?? 30_000;
      if (interval > 0 && deps.alertWebhook !== undefined) {
        sweeper = setInterval(() => {
          sweepNotifications().catch((error: unknown) =>
            logger.warn({ err: error }, 'notification sweep failed'),
          );
          sweepReminders().catch((error: unknown) =>
            logger.warn({ err: error }, 'reminder sweep failed'),
          );
        }, interval);
        sweeper.unref();
      } else if (deps.alertWebhook === undefined) {
        logger.warn('ALERT_WEBHOOK_URL is not set; dispute flags are written but not notified');
      }
    },

    async close(options = {}) {
      if (sweeper !== undefined) clearInterval(sweeper);
      if (partitionTimer !== undefined) clearInterval(partitionTimer);
      await partitionMaintenance;
      const timeoutMs = options.timeoutMs ?? 25_000;
      const graceful = Promise.all(workers.map((worker) => worker.close()));
      if ((await withTimeout(graceful, timeoutMs)) === 'timeout') {
        logger.warn({ timeoutMs }, 'shutdown deadline reached; handing active jobs back');
        for (const worker of workers) worker.cancelAllJobs('shutdown');
        // Interrupted processors return at once and their jobs go back to `wait`; if that
        // cannot happen (Redis gone), force-close: the locks expire and another worker
        // retakes the jobs as stalled.
        if ((await withTimeout(graceful, 5_000)) === 'timeout') {
          await Promise.all(workers.map((worker) => worker.close(true)));
        }
      }
      await Promise.allSettled(running);
      running = [];
      await Promise.allSettled([followups, ...eventQueues].map((queue) => queue.close()));
      await Promise.allSettled(
        connections.map((connection) =>
          connection.status === 'end' ? Promise.resolve() : connection.quit().then(() => undefined),
        ),
      );
    },

    async checkReady() {
      const checks: Record<string, string> = {};
      const [postgres, redis] = await Promise.allSettled([
        withTimeout(sql`SELECT 1`.execute(deps.db), 2_000),
        withTimeout(producerConnection.ping(), 2_000),
      ]);
      checks['postgres'] =
        postgres.status === 'fulfilled' && postgres.value !== 'timeout' ? 'ok' : 'unreachable';
      checks['redis'] =
        redis.status === 'fulfilled' && redis.value === 'PONG' ? 'ok' : 'unreachable';
      return { ready: Object.values(checks).every((status) => status === 'ok'), checks };
    },

    sweepNotifications,
    sweepReminders,
    maintainPartitions,
  };
}
