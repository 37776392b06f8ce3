import { type Logger, OmiseEventJob } from '@omise-sync/core';
import {
  type Database,
  findChargeCreatedAt,
  findChargeObservedAt,
  findDisputeObservedAt,
  beginProjection,
  recordEvent,
  writeChargeObservation,
} from '@omise-sync/db';
import {
  OmiseAuthenticationError,
  OmiseNotFoundError,
  type OmiseClient,
  isOmiseError,
} from '@omise-sync/omise-client';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { type Kysely, sql } from 'kysely';
import { type ChargeProjectionBatcher, eventRecord } from './charge-projection.batcher';
import type { Clock } from './clock';
import { isDatabaseUnavailable } from './database-errors';
import type { DisputeSeverityRules } from './dispute-severity';
import type { JobOutcome, WorkerMetrics } from './metrics';
import { toChargeRow, toRefundRow } from './projection/charge.projector';
import { type WrittenFlag, projectDispute } from './projection/dispute.projector';
import { fetchChargeObservation, fetchDisputeObservation } from './projection/omise-fetch';

/** Which resource an event projects, and the key its projections are serialised on. */
export interface ProjectionTarget {
  kind: 'charge' | 'dispute';
  id: string;
  /** Advisory-lock key: refunds re-fetch their charge, so they share the charge's key. */
  lockKey: string;
}

/** The job's payload did not match `OmiseEventJob`; retrying cannot fix it. */
export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
}

/** Shutdown reached its deadline while the job ran; it goes back to the queue. */
export class JobInterruptedError extends Error {
  override readonly name = 'JobInterruptedError';
}

/** Resolves what to fetch and lock for an event. */
export function projectionTarget(job: OmiseEventJob): ProjectionTarget {
  switch (job.resourceType) {
    case 'charge':
      return { kind: 'charge', id: job.resourceId, lockKey: `charge:${job.resourceId}` };
    case 'refund': {
      const data = job.event['data'];
      const fromEvent =
        typeof data === 'object' && data !== null && 'charge' in data ? data.charge : undefined;
      const chargeId = job.chargeId ?? (typeof fromEvent === 'string' ? fromEvent : undefined);
      if (chargeId === undefined) {
        throw new MalformedJobError(`refund event ${job.eventId} names no charge`);
      }
      return { kind: 'charge', id: chargeId, lockKey: `charge:${chargeId}` };
    }
    case 'dispute':
      return { kind: 'dispute', id: job.resourceId, lockKey: `dispute:${job.resourceId}` };
  }
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
  db: Kysely<Database>;
  omise: OmiseClient;
  logger: Logger;
  metrics: WorkerMetrics;
  clock: Clock;
  severityRules: DisputeSeverityRules;
  /** Projects charge and refund events in batched transactions. */
  chargeBatcher: ChargeProjectionBatcher;
  /** Called after COMMIT with a flag that owes a notification (enqueues the follow-up job). */
  onFlagCommitted(flag: WrittenFlag): Promise<void>;
  /** Holds back the whole queue for `ms` (BullMQ `worker.rateLimit`). */
  postponeQueue(ms: number): Promise<void>;
  /**
   * How long the queue is held back after Postgres was unreachable; doubles per consecutive
   * failure up to `maxMs`. @defaultValue { minMs: 1000, maxMs: 15000 }
   */
  databaseRetryDelay?: { minMs: number; maxMs: number };
}

export interface ProjectionResult {
  outcome: Extract<JobOutcome, 'projected' | 'coalesced' | 'not_found'>;
  flag: WrittenFlag | undefined;
}

function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new JobInterruptedError('shutdown deadline reached');
}

/** Rejects as soon as `signal` aborts; `work` keeps running and must check the signal itself. */
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

/**
 * Projects one event: in one transaction, takes the resource's advisory lock, skips the fetch
 * when the stored row was already fetched after this event arrived (coalescing), otherwise
 * fetches the current resource and writes it, its children, its follow-up steps and the event
 * record. A 404 is recorded as `not_found` in the same way. Other errors propagate.
 */
export async function projectEvent(
  deps: Pick<OmiseEventProcessorDeps, 'db' | 'omise' | 'clock' | 'severityRules'>,
  job: OmiseEventJob,
  signal?: AbortSignal,
): Promise<ProjectionResult> {
  const target = projectionTarget(job);
  return deps.db.connection().execute(async (connection): Promise<ProjectionResult> => {
    // BEGIN and the advisory lock travel in one round trip; the hot path is four in all
    // (begin+lock, observed_at, one write statement, commit) plus the fetch.
    await beginProjection(connection, target.lockKey);
    try {
      const result = await projectLocked(deps, connection, job, target, signal);
      await sql`COMMIT`.execute(connection);
      return result;
    } catch (error) {
      // A dead connection cannot roll back; Postgres does it when the session ends.
      await sql`ROLLBACK`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/** The body of {@link projectEvent}, inside the transaction that holds the resource lock. */
async function projectLocked(
  deps: Pick<OmiseEventProcessorDeps, 'omise' | 'clock' | 'severityRules'>,
  trx: Kysely<Database>,
  job: OmiseEventJob,
  target: ProjectionTarget,
  signal: AbortSignal | undefined,
): Promise<ProjectionResult> {
  // Compared on omise-sync's own clock (receivedAt vs observed_at), never Omise's event
  // time, so clock skew with Omise cannot make a stale row look fresh.
  const storedObservedAt =
    target.kind === 'charge'
      ? await findChargeObservedAt(trx, target.id)
      : await findDisputeObservedAt(trx, target.id);
  if (storedObservedAt !== undefined && storedObservedAt >= new Date(job.receivedAt)) {
    await recordEvent(trx, eventRecord(job, 'projected', deps.clock.now()));
    return { outcome: 'coalesced', flag: undefined };
  }
  // Taken before the request is sent: the state returned is at least this new.
  const observedAt = deps.clock.now();
  const context = { origin: job.origin, observedAt };
  try {
    if (target.kind === 'charge') {
      const { charge, refunds } = await fetchChargeObservation(deps.omise, target.id);
      throwIfInterrupted(signal);
      await writeChargeObservation(trx, {
        charges: [toChargeRow(charge, context)],
        refunds: refunds.map((refund) => toRefundRow(refund, charge, context)),
        events: [eventRecord(job, 'projected', deps.clock.now())],
      });
      return { outcome: 'projected', flag: undefined };
    }
    const { dispute, documents } = await fetchDisputeObservation(deps.omise, target.id);
    throwIfInterrupted(signal);
    const projection = await projectDispute(trx, dispute, documents, {
      ...context,
      rules: deps.severityRules,
      now: deps.clock.now(),
      chargeCreatedAt: (chargeId) => chargeCreatedAt(trx, deps.omise, chargeId),
    });
    await recordEvent(trx, eventRecord(job, 'projected', deps.clock.now()));
    return { outcome: 'projected', flag: projection.flag };
  } catch (error) {
    if (!(error instanceof OmiseNotFoundError)) throw error;
    await recordEvent(trx, eventRecord(job, 'not_found', deps.clock.now(), error.message));
    return { outcome: 'not_found', flag: undefined };
  }
}

/** The charge's creation time from Postgres, else from Omise; undefined if it is gone. */
async function chargeCreatedAt(
  db: Kysely<Database>,
  omise: OmiseClient,
  chargeId: string,
): Promise<Date | undefined> {
  // Only the one column: the whole row would carry the charge's raw JSON for nothing.
  const stored = await findChargeCreatedAt(db, chargeId);
  if (stored !== undefined) return stored;
  try {
    return new Date((await omise.charges.retrieve(chargeId)).created_at);
  } catch (error) {
    if (error instanceof OmiseNotFoundError) return undefined;
    throw error;
  }
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
  const delay = deps.databaseRetryDelay ?? { minMs: 1_000, maxMs: 15_000 };
  let consecutiveDatabaseFailures = 0;

  const recordFailure = async (job: OmiseEventJob, error: unknown) => {
    await recordEvent(deps.db, eventRecord(job, 'failed', deps.clock.now(), describe(error)));
  };

  return async function processOmiseEvent(
    job: Job<unknown>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<JobOutcome> {
    // Child loggers are built only when a line is written: most jobs log nothing, and two
    // child() calls per job were a measurable share of the worker's CPU under load.
    const jobBindings = () => ({ jobId: job.id, attempt: job.attemptsMade + 1 });
    let payload: OmiseEventJob;
    let target: ProjectionTarget;
    try {
      payload = parseEventJob(job.data);
      target = projectionTarget(payload);
    } catch (error) {
      deps.metrics.jobs.inc({ outcome: 'failed' });
      deps.logger
        .child(jobBindings())
        .error({ err: error }, 'malformed omise-event job; failed without retry');
      throw new UnrecoverableError(describe(error));
    }
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
    try {
      const work: Promise<ProjectionResult> =
        target.kind === 'charge'
          ? deps.chargeBatcher
              .project(payload, target.id)
              .then((outcome) => ({ outcome, flag: undefined }))
          : projectEvent(deps, payload, signal);
      const result = await untilInterrupted(work, signal);
      consecutiveDatabaseFailures = 0;
      const committedAt = Date.now();
      deps.metrics.jobs.inc({ outcome: result.outcome });
      deps.metrics.projectionDuration.observe(
        { resource: payload.resourceType },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      deps.metrics.eventLag.observe(
        Math.max(0, committedAt - Date.parse(payload.eventCreatedAt)) / 1000,
      );
      deps.metrics.deliveryLag.observe(
        Math.max(0, committedAt - Date.parse(payload.receivedAt)) / 1000,
      );
      if (result.flag !== undefined) {
        deps.metrics.disputeFlags.inc({
          severity: result.flag.severity,
          origin: result.flag.origin,
        });
        jobLogger().info(
          {
            severity: result.flag.severity,
            reasons: result.flag.reasons,
            notify: result.flag.notify,
          },
          'dispute flagged',
        );
        if (result.flag.notify) await deps.onFlagCommitted(result.flag);
      }
      if (result.outcome === 'not_found') jobLogger().warn('resource not found at Omise; recorded');
      return result.outcome;
    } catch (error) {
      if (error instanceof JobInterruptedError) {
        deps.metrics.jobs.inc({ outcome: 'interrupted' });
        jobLogger().warn('shutdown deadline reached; job handed back to the queue');
        throw Worker.RateLimitError();
      }
      if (!isOmiseError(error) && isDatabaseUnavailable(error)) {
        throw await postpone(jobLogger(), error);
      }
      try {
        if (error instanceof OmiseAuthenticationError) {
          deps.metrics.authFailures.inc();
          deps.metrics.jobs.inc({ outcome: 'failed' });
          jobLogger().error(
            { err: error, status: error.status, requestId: error.requestId },
            'Omise rejected the secret key (401/403); job failed, replay it once the key is fixed',
          );
          await recordFailure(payload, error);
          throw new UnrecoverableError(describe(error));
        }
        if (isOmiseError(error) && !error.retryable) {
          deps.metrics.jobs.inc({ outcome: 'failed' });
          jobLogger().error(
            { err: error },
            'Omise answered with a non-retryable error; job failed',
          );
          await recordFailure(payload, error);
          throw new UnrecoverableError(describe(error));
        }
        if (isLastAttempt) {
          deps.metrics.jobs.inc({ outcome: 'failed' });
          jobLogger().error({ err: error }, 'last attempt failed; job kept in the failed set');
          await recordFailure(payload, error);
        } else {
          deps.metrics.jobs.inc({ outcome: 'retried' });
          jobLogger().warn({ err: error }, 'attempt failed; BullMQ retries with backoff');
        }
        throw error;
      } catch (recordError) {
        if (recordError !== error && !(recordError instanceof UnrecoverableError)) {
          if (isDatabaseUnavailable(recordError)) throw await postpone(jobLogger(), recordError);
        }
        throw recordError;
      }
    }
  };

  async function postpone(logger: Logger, error: unknown): Promise<Error> {
    consecutiveDatabaseFailures += 1;
    const ms = Math.min(
      delay.maxMs,
      delay.minMs * 2 ** Math.min(consecutiveDatabaseFailures - 1, 16),
    );
    deps.metrics.jobs.inc({ outcome: 'postponed' });
    logger.error({ err: error, retryInMs: ms }, 'Postgres unreachable; job returned to the queue');
    await deps.postponeQueue(ms);
    return Worker.RateLimitError();
  }
}
