import {
  type AccountName,
  type Clock,
  IgnoredEventJob,
  type Logger,
  OmiseEventJob,
  SpanKind,
  contextOfJob,
  jobCatalog,
  withSpan,
} from '@omise-sync/core';
import { type Database } from '@omise-sync/db';
import { OmiseAuthenticationError, isOmiseError } from '@omise-sync/omise-client';
import {
  AccountConflictError,
  InvalidResourceError,
  type ProjectionResult,
  type ResourceRef,
  type WrittenFlag,
  eventRecord,
  eventResource,
  ignoredEventRecord,
  recordEvents,
} from '@omise-sync/projection';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { type Kysely } from 'kysely';
import { isDatabaseUnavailable } from './database-errors';
import type { JobOutcome, WorkerMetrics } from './metrics';
import type { ProjectionBatcher } from './projection.batcher';

/** The job's payload did not match `OmiseEventJob`; retrying cannot fix it. */
export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
}

/** Shutdown reached its deadline while the job ran; it goes back to the queue. */
export class JobInterruptedError extends Error {
  override readonly name = 'JobInterruptedError';
}

/** Parses a job payload at the boundary. */
export function parseEventJob(data: unknown): OmiseEventJob {
  const parsed = OmiseEventJob.safeParse(data);
  if (!parsed.success) {
    throw new MalformedJobError(
      `malformed omise-event job: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

export interface OmiseEventProcessorDeps {
  /** The account whose queue this processor consumes (the `account` label of its metrics). */
  account: AccountName;
  db: Kysely<Database>;
  logger: Logger;
  metrics: WorkerMetrics;
  clock: Clock;
  /** Projects events in batched transactions (`@omise-sync/projection`). */
  batcher: Pick<ProjectionBatcher, 'project'>;
  /** Called after COMMIT with a flag that owes a notification (enqueues the follow-up job). */
  onFlagCommitted(flag: WrittenFlag): Promise<void>;
  /** Holds back the whole queue for `ms` (BullMQ `worker.rateLimit`). */
  postponeQueue(ms: number): Promise<void>;
  /**
   * How long the queue is held back after Postgres was unreachable; doubles per consecutive
   * failure up to `maxMs`, so projection resumes within `maxMs` of Postgres returning.
   * @defaultValue { minMs: 250, maxMs: 2000 }
   */
  databaseRetryDelay?: { minMs: number; maxMs: number };
}

/** Rejects as soon as `signal` aborts; `work` keeps running and settles on its own. */
function untilInterrupted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  let onAbort = () => undefined as void;
  const interrupted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new JobInterruptedError('shutdown deadline reached'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // race() passes work's own rejection through untouched (its code classifies it).
  return Promise.race([work, interrupted]).finally(() =>
    signal.removeEventListener('abort', onAbort),
  );
}

function describe(error: unknown): string {
  if (isOmiseError(error)) {
    return [
      `${error.name}: ${error.message}`,
      error.status === undefined ? undefined : `status ${error.status}`,
      error.code === undefined ? undefined : `code ${error.code}`,
      error.requestId === undefined ? undefined : `request ${error.requestId}`,
    ]
      .filter((part) => part !== undefined)
      .join(', ');
  }
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return typeof message === 'string'
    ? `${typeof name === 'string' ? name : 'Error'}: ${message}`
    : String(error);
}

/**
 * The BullMQ processor for `jobCatalog.omiseEvent`. It maps every failure once, by type:
 * - malformed payload, 401/403 and other non-retryable Omise answers: the job fails now
 *   (`UnrecoverableError`) and stays in the failed set for inspection and replay; 401/403
 *   are logged as errors and counted, never skipped silently;
 * - 404: recorded as `not_found`, the job completes;
 * - 429, 5xx, network errors, unexpected errors: rethrown, BullMQ retries with the catalog's
 *   exponential backoff; the last attempt records the event as `failed`;
 * - Postgres unreachable: the queue is held back and the job returns to `wait` without
 *   spending an attempt, so an outage of any length loses nothing;
 * - shutdown deadline: the job returns to `wait` for another worker.
 */
export function createOmiseEventProcessor(deps: OmiseEventProcessorDeps) {
  const delay = deps.databaseRetryDelay ?? { minMs: 250, maxMs: 2_000 };
  const { account } = deps;
  let consecutiveDatabaseFailures = 0;

  const record = async (
    job: OmiseEventJob,
    outcome: 'failed' | 'ignored',
    error: unknown,
  ): Promise<void> => {
    await recordEvents(deps.db, [eventRecord(job, outcome, deps.clock.now(), describe(error))]);
  };

  return async function processOmiseEvent(
    job: Job<unknown>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<JobOutcome> {
    // Child loggers are built only when a line is written: most jobs log nothing.
    const jobBindings = () => ({ jobId: job.id, attempt: job.attemptsMade + 1 });
    if (job.name === jobCatalog.ignoredEvent.name) return recordIgnored(job);
    let payload: OmiseEventJob;
    try {
      payload = parseEventJob(job.data);
    } catch (error) {
      deps.metrics.jobs.inc({ account, outcome: 'failed' });
      deps.logger
        .child(jobBindings())
        .error({ err: error }, 'malformed omise-event job; failed without retry');
      throw new UnrecoverableError(describe(error));
    }
    // The delivery's trace continues here (a new one for jobs enqueued without it).
    return withSpan(
      'process omise-event',
      {
        kind: SpanKind.CONSUMER,
        parent: contextOfJob(payload.trace),
        attributes: {
          'omise.account': account,
          'omise.event.id': payload.eventId,
          'omise.event.key': payload.key,
          'omise_sync.origin': payload.origin,
          'omise_sync.attempt': job.attemptsMade + 1,
        },
      },
      () => processEvent(job, payload, signal),
    );
  };

  async function processEvent(
    job: Job<unknown>,
    payload: OmiseEventJob,
    signal: AbortSignal | undefined,
  ): Promise<JobOutcome> {
    const jobBindings = () => ({ jobId: job.id, attempt: job.attemptsMade + 1 });
    let jobLoggerInstance: Logger | undefined;
    const jobLogger = (): Logger =>
      (jobLoggerInstance ??= deps.logger.child({
        ...jobBindings(),
        eventId: payload.eventId,
        key: payload.key,
        resourceId: payload.resourceId,
      }));
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const started = process.hrtime.bigint();
    let result: ProjectionResult | 'ignored';
    try {
      let resource: ResourceRef | undefined;
      try {
        resource = eventResource(payload);
      } catch (error) {
        if (!(error instanceof InvalidResourceError)) throw error;
        // Acknowledged and recorded, never fetched: the id could address anything on the API.
        await record(payload, 'ignored', error);
        jobLogger().warn({ err: error }, 'event names no valid resource; recorded as ignored');
      }
      result =
        resource === undefined
          ? 'ignored'
          : await untilInterrupted(deps.batcher.project(payload, resource), signal);
      if (result !== 'ignored' && result.outcome === 'error') throw result.error;
    } catch (error) {
      throw await handleFailure(payload, error, isLastAttempt, jobLogger);
    }
    consecutiveDatabaseFailures = 0;
    if (result === 'ignored') {
      deps.metrics.jobs.inc({ account, outcome: 'ignored' });
      deps.metrics.ignoredEvents.inc({ account, key: payload.key });
      return 'ignored';
    }
    if (result.outcome === 'failed') {
      // Recorded `failed` in the batch's transaction; the same data would fail again.
      deps.metrics.jobs.inc({ account, outcome: 'failed' });
      if (result.error instanceof AccountConflictError) {
        deps.metrics.accountConflicts.inc({ account, resource: result.error.resource.type });
      }
      jobLogger().error(
        { err: result.error },
        'the resource could not be written; recorded as failed, not retried',
      );
      throw new UnrecoverableError(describe(result.error));
    }
    const outcome = result.outcome;
    const committedAt = Date.now();
    deps.metrics.jobs.inc({ account, outcome });
    deps.metrics.projectionDuration.observe(
      { account, resource: payload.resourceType },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    deps.metrics.eventLag.observe(
      { account },
      Math.max(0, committedAt - Date.parse(payload.eventCreatedAt)) / 1000,
    );
    deps.metrics.deliveryLag.observe(
      { account },
      Math.max(0, committedAt - Date.parse(payload.receivedAt)) / 1000,
    );
    const flag = result.outcome === 'projected' ? result.flag : undefined;
    if (flag !== undefined) {
      deps.metrics.disputeFlags.inc({ account, severity: flag.severity, origin: flag.origin });
      jobLogger().info(
        {
          severity: flag.severity,
          reasons: flag.reasons,
          firstSeenStatus: flag.firstSeenStatus,
          notify: flag.notify,
        },
        'dispute flagged',
      );
      if (flag.notify) await deps.onFlagCommitted(flag);
    }
    if (outcome === 'not_found') jobLogger().warn('resource not found at Omise; recorded');
    return outcome;
  }

  /** Records an event about an object omise-sync does not project, counted by its key. */
  async function recordIgnored(job: Job<unknown>): Promise<JobOutcome> {
    const parsed = IgnoredEventJob.safeParse(job.data);
    if (!parsed.success) {
      deps.metrics.jobs.inc({ account, outcome: 'failed' });
      throw new UnrecoverableError(`malformed ${jobCatalog.ignoredEvent.name} job`);
    }
    try {
      await withSpan(
        'record ignored omise-event',
        {
          kind: SpanKind.CONSUMER,
          parent: contextOfJob(parsed.data.trace),
          attributes: {
            'omise.account': account,
            'omise.event.id': parsed.data.eventId,
            'omise.event.key': parsed.data.key,
          },
        },
        () => recordEvents(deps.db, [ignoredEventRecord(parsed.data, deps.clock.now())]),
      );
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw await postpone(deps.logger, error);
      throw error;
    }
    deps.metrics.jobs.inc({ account, outcome: 'ignored' });
    deps.metrics.ignoredEvents.inc({ account, key: parsed.data.key });
    return 'ignored';
  }

  /**
   * Maps a failure once, by type, to what the job throws (see the processor's TSDoc), recording
   * the event as `failed` when its attempts end.
   */
  async function handleFailure(
    payload: OmiseEventJob,
    error: unknown,
    isLastAttempt: boolean,
    jobLogger: () => Logger,
  ): Promise<unknown> {
    if (error instanceof JobInterruptedError) {
      deps.metrics.jobs.inc({ account, outcome: 'interrupted' });
      jobLogger().warn('shutdown deadline reached; job handed back to the queue');
      return Worker.RateLimitError();
    }
    if (!isOmiseError(error) && isDatabaseUnavailable(error)) return postpone(jobLogger(), error);
    try {
      if (error instanceof OmiseAuthenticationError) {
        deps.metrics.authFailures.inc({ account });
        deps.metrics.jobs.inc({ account, outcome: 'failed' });
        jobLogger().error(
          { err: error, status: error.status, requestId: error.requestId },
          'Omise rejected the secret key (401/403); job failed, replay it once the key is fixed',
        );
        await record(payload, 'failed', error);
        return new UnrecoverableError(describe(error));
      }
      if (isOmiseError(error) && !error.retryable) {
        deps.metrics.jobs.inc({ account, outcome: 'failed' });
        jobLogger().error({ err: error }, 'Omise answered with a non-retryable error; job failed');
        await record(payload, 'failed', error);
        return new UnrecoverableError(describe(error));
      }
      if (isLastAttempt) {
        deps.metrics.jobs.inc({ account, outcome: 'failed' });
        jobLogger().error({ err: error }, 'last attempt failed; job kept in the failed set');
        await record(payload, 'failed', error);
      } else {
        deps.metrics.jobs.inc({ account, outcome: 'retried' });
        jobLogger().warn({ err: error }, 'attempt failed; BullMQ retries with backoff');
      }
      return error;
    } catch (recordError) {
      if (isDatabaseUnavailable(recordError)) return postpone(jobLogger(), recordError);
      return recordError;
    }
  }

  async function postpone(logger: Logger, error: unknown): Promise<Error> {
    consecutiveDatabaseFailures += 1;
    const ms = Math.min(
      delay.maxMs,
      delay.minMs * 2 ** Math.min(consecutiveDatabaseFailures - 1, 16),
    );
    deps.metrics.jobs.inc({ account, outcome: 'postponed' });
    logger.error({ err: error, retryInMs: ms }, 'Postgres unreachable; job returned to the queue');
    await deps.postponeQueue(ms);
    return Worker.RateLimitError();
  }
}
