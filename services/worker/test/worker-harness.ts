import { createLogger, jobCatalog, type Logger, type OmiseEventJob } from '@omise-sync/core';
import type { TestDatabase, TestRedis } from '@omise-sync/testing';
import { type OmiseClient, createOmiseClient } from '@omise-sync/omise-client';
import type { Emulator, EmulatorAccount } from '@omise-sync/omise-emulator';
import { type Job, type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import { type CreateWorkerDeps, type OmiseSyncWorker, createWorker } from '../src/create-worker';
import { DEFAULT_DISPUTE_SEVERITY_RULES } from '@omise-sync/projection';
import { WorkerMetrics } from '../src/metrics';
import { waitFor } from './event-jobs';

/** A pino logger whose lines tests can read back. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger({ name: 'worker-test', level: 'debug', destination }), lines };
}

export function omiseClientFor(
  emulator: Pick<EmulatorAccount, 'secretKey' | 'name'> & { url?: string },
  metrics?: WorkerMetrics,
  baseUrl = emulator.url ?? '',
): OmiseClient {
  return createOmiseClient({
    secretKey: emulator.secretKey,
    baseUrl,
    maxRetries: 0,
    timeoutMs: 10_000,
    ...(metrics === undefined ? {} : { onResponse: metrics.recordOmiseResponseOf(emulator.name) }),
  });
}

export interface Harness {
  worker: OmiseSyncWorker;
  metrics: WorkerMetrics;
  lines: Record<string, unknown>[];
  events: Queue<OmiseEventJob>;
  followups: Queue;
  /** Enqueues like the receiver (job id = event id unless `jobId` overrides it). */
  enqueue(job: OmiseEventJob, options?: JobsOptions): Promise<Job<OmiseEventJob>>;
  /** Resolves with the job once it is completed or failed. */
  settled(jobId: string, queue?: Queue): Promise<Job>;
  /** Resolves once no job is waiting, active or delayed in either queue. */
  idle(): Promise<void>;
  /** Omise API calls made so far, by path template. */
  omiseCalls(): Promise<number>;
  close(): Promise<void>;
}

/** Starts a worker on the test database and Redis prefix, against the emulator. */
export async function startHarness(
  database: TestDatabase,
  redis: TestRedis,
  emulator: Emulator,
  overrides: Partial<CreateWorkerDeps> = {},
): Promise<Harness> {
  const metrics = overrides.metrics ?? new WorkerMetrics({ defaultMetrics: false });
  const { logger, lines } = capturingLogger();
  const worker = createWorker({
    db: database.handle.db,
    // Owned connections, not redis.connect(): the worker quits them itself on close, and the
    // harness's own cleanup would then try to quit them again (ioredis keeps a 2 s timer).
    createRedisConnection: () => new Redis(redis.url, { maxRetriesPerRequest: null }),
    accounts: [{ name: 'default', omise: omiseClientFor(emulator, metrics) }],
    logger,
    metrics,
    prefix: redis.prefix,
    concurrency: 8,
    severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
    responseDays: 7,
    notifySweepIntervalMs: 0,
    ...overrides,
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
  const settled = async (jobId: string, queue: Queue = events) => {
    await waitFor(
      async () => {
        const state = await queue.getJobState(jobId);
        return state === 'completed' || state === 'failed';
      },
      { what: `job ${jobId} to settle` },
    );
    // Read after the state is final, so attemptsMade and failedReason are final too.
    const job = await queue.getJob(jobId);
    if (job === undefined) throw new Error(`job ${jobId} disappeared`);
    return job;
  };
  return {
    worker,
    metrics,
    lines,
    events,
    followups,
    enqueue: (job, options) =>
      events.add(jobCatalog.omiseEvent.name, job, {
        ...jobCatalog.omiseEvent.options,
        jobId: job.eventId,
        ...options,
      }),
    settled,
    idle: () =>
      waitFor(
        async () => {
          const counts = await Promise.all(
            [events, followups].map((q) =>
              q.getJobCounts('wait', 'active', 'delayed', 'prioritized'),
            ),
          );
          return counts.every((c) => Object.values(c).every((n) => n === 0));
        },
        { what: 'the queues to drain' },
      ).then(() => undefined),
    omiseCalls: async () => {
      const metric = await metrics.omiseRequests.get();
      return metric.values.reduce((sum, v) => sum + v.value, 0);
    },
    close: async () => {
      await worker.close({ timeoutMs: 5_000 });
      await Promise.all([events.close(), followups.close()]);
    },
  };
}
