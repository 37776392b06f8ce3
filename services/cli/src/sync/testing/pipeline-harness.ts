import { randomBytes } from 'node:crypto';
import { type OmiseEventJob, jobCatalog } from '@omise-sync/core';
import { type TestDatabase, type TestRedis } from '@omise-sync/db/testing';
import { type OmiseClient, createOmiseClient } from '@omise-sync/omise-client';
import { type Emulator, type Faults, startEmulator } from '@omise-sync/omise-emulator';
import {
  type RunningReceiver,
  WEBHOOK_PATH,
  loadConfig as loadReceiverConfig,
  startReceiver,
} from '@omise-sync/webhook-receiver';
import {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  type OmiseSyncWorker,
  WorkerMetrics,
  createWorker,
  systemClock,
} from '@omise-sync/worker';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AlertSink } from '../../dev/alert-sink';
import { type ReconcileDeps } from '../reconcile';
import { silentLogger, waitFor } from './sync-test-kit';

/**
 * The whole live pipeline in this process, as deployed: the emulator delivering signed
 * webhooks (with faults) to the real receiver, which enqueues on BullMQ; a real worker
 * projecting into the test database; a local alert endpoint on port 0.
 */
export interface Pipeline {
  emulator: Emulator;
  receiver: RunningReceiver;
  worker: OmiseSyncWorker;
  alerts: AlertSink;
  events: Queue<OmiseEventJob>;
  followups: Queue;
  /** A client on the emulator, for the sync commands under test. */
  omise: OmiseClient;
  /** Resolves once the emulator has no delivery pending and both queues are empty. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startPipeline(
  database: TestDatabase,
  redis: TestRedis,
  options: {
    seed: string;
    faults?: Partial<Faults>;
    /** The worker's Omise client (default: a plain client on the emulator). */
    workerOmise?: (emulator: Emulator) => OmiseClient;
    /** The emulator's clock (default: Date.now). */
    emulatorNow?: () => number;
  } = { seed: 'pipeline' },
): Promise<Pipeline> {
  const alerts = await AlertSink.start(() => undefined);
  const secret = randomBytes(32).toString('base64');
  const receiver = await startReceiver(
    loadReceiverConfig({
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: redis.prefix,
      OMISE_WEBHOOK_SECRETS: secret,
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
    }),
    { logger: silentLogger, processMetrics: false, host: '127.0.0.1' },
  );
  const emulator = await startEmulator({
    seed: options.seed,
    webhooks: [{ url: `${receiver.url}${WEBHOOK_PATH}`, secrets: [secret] }],
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.emulatorNow === undefined ? {} : { now: options.emulatorNow }),
  });
  const omise = createOmiseClient({ secretKey: emulator.secretKey, baseUrl: emulator.url });
  const worker = createWorker({
    db: database.handle.db,
    createRedisConnection: () => new Redis(redis.url, { maxRetriesPerRequest: null }),
    omise: options.workerOmise?.(emulator) ?? omise,
    logger: silentLogger,
    metrics: new WorkerMetrics({ defaultMetrics: false }),
    prefix: redis.prefix,
    concurrency: 8,
    severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
    alertWebhook: { url: alerts.url, testMode: 'notify' },
    notifySweepIntervalMs: 0,
  });
  await worker.start();
  const events = new Queue<OmiseEventJob>(jobCatalog.omiseEvent.queue, {
    connection: redis.connect(),
    prefix: redis.prefix,
  });
  const followups = new Queue(jobCatalog.notifyDisputeFlag.queue, {
    connection: redis.connect(),
    prefix: redis.prefix,
  });
  const busy = async () => {
    let jobs = 0;
    for (const queue of [events, followups]) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      jobs += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return jobs;
  };
  return {
    emulator,
    receiver,
    worker,
    alerts,
    events,
    followups,
    omise,
    async idle() {
      await emulator.deliveries.idle();
      // Twice in a row, so a job added by a finishing one (a follow-up) is not missed.
      await waitFor(async () => ((await busy()) === 0 && (await busy()) === 0 ? true : undefined), {
        timeoutMs: 60_000,
        what: 'the queues to drain',
      });
    },
    async close() {
      await emulator.close();
      await receiver.close();
      await worker.close({ timeoutMs: 5_000 });
      await Promise.allSettled([events.close(), followups.close()]);
      await alerts.close();
    },
  };
}

/** What `runReconcile` needs to reconcile the test database against the pipeline's emulator. */
export function reconcileDepsOf(pipeline: Pipeline, database: TestDatabase): ReconcileDeps {
  return {
    db: database.handle.db,
    omise: pipeline.omise,
    queue: pipeline.events,
    clock: systemClock,
    logger: silentLogger,
    severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
  };
}
