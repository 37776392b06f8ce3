import {
  type AccountName,
  type Logger,
  type NotifyDisputeFlagJob,
  type OmiseEventJob,
  type RedisConfig,
  createLogger,
  createRedisConnection,
  eventQueueName,
  jobCatalog,
} from '@omise-sync/core';
import {
  type OmiseClient,
  type OmiseResponseInfo,
  createOmiseClient,
  createTokenBucketRateLimiter,
  isOmiseError,
} from '@omise-sync/omise-client';
import { Queue } from 'bullmq';
import { type OmiseConfig } from './sync-config';
import { SyncError } from './sync-errors';

/** The CLI's log lines go to stderr, so stdout carries only tables and progress. */
export function createCliLogger(command: string, level: string): Logger {
  return createLogger({ name: `omise-sync-${command}`, level, destination: process.stderr });
}

/** An Omise client for the sync commands, behind one token bucket for the whole command. */
export function createSyncOmiseClient(
  config: OmiseConfig,
  onResponse?: (info: OmiseResponseInfo) => void,
): OmiseClient {
  return createOmiseClient({
    secretKey: config.secretKey,
    baseUrl: config.apiUrl,
    timeoutMs: config.timeoutMs,
    // A backfill or reconcile is a batch job: ride out blips with a few retries (429s honour
    // Retry-After) rather than fail a long walk.
    maxRetries: 4,
    rateLimiter: createTokenBucketRateLimiter({
      requestsPerSecond: config.rateLimitRps,
      burst: config.rateLimitBurst,
    }),
    ...(onResponse === undefined ? {} : { onResponse }),
  });
}

/** The queues the sync commands read and write, on one Redis connection. */
export interface SyncQueues {
  /** An account's event queue (`eventQueueName`), opened on first use. */
  eventsOf(account: AccountName): Queue<OmiseEventJob>;
  followups: Queue<NotifyDisputeFlagJob>;
  close(): Promise<void>;
}

export function openSyncQueues(redis: RedisConfig, onError: (error: Error) => void): SyncQueues {
  const prefix = redis.bullmqPrefix;
  const connection = createRedisConnection(redis, { connectionName: 'omise-sync:cli' });
  const events = new Map<string, Queue<OmiseEventJob>>();
  const followups = new Queue<NotifyDisputeFlagJob>(jobCatalog.notifyDisputeFlag.queue, {
    connection,
    prefix,
  });
  // Without a listener, a connection error would be thrown as an unhandled 'error' event.
  connection.on('error', onError);
  followups.on('error', onError);
  return {
    eventsOf(account) {
      let queue = events.get(account);
      if (queue === undefined) {
        queue = new Queue<OmiseEventJob>(eventQueueName(account), { connection, prefix });
        queue.on('error', onError);
        events.set(account, queue);
      }
      return queue;
    },
    followups,
    async close() {
      const queues = [...events.values(), followups];
      // A command that fails early must not close the connection while BullMQ is still
      // setting it up (that surfaces as EPIPE errors).
      await Promise.allSettled(queues.map((queue) => queue.waitUntilReady()));
      await Promise.allSettled(queues.map((queue) => queue.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/**
 * Expected failures (another run holds the lock, a checkpoint conflict, an Omise error such as
 * 404 or 401) are printed as one line and exit 1; anything else propagates with its stack.
 */
export function reportExpectedFailure(error: unknown): number {
  if (error instanceof SyncError || isOmiseError(error)) {
    console.error(`${error.name}: ${error.message}`);
    return 1;
  }
  throw error;
}

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM (Ctrl-C, the CronJob's deadline), so a
 * walk stops after the batch it is writing; a second signal exits at once.
 */
export function abortOnSignals(onAbort: (signal: NodeJS.Signals) => void): {
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onAbort(signal);
    controller.abort(new Error(`received ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
