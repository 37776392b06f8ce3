import {
  BatchCommitter,
  type BatchSettlement,
  type Context,
  MissingSettlementError,
  type OmiseEventJob,
  activeContext,
  withSpan,
} from '@omise-sync/core';
import {
  type ProjectionDeps,
  type ProjectionResult,
  type ResourceRef,
  lockKey,
  projectBatch,
} from '@omise-sync/projection';

/** One event waiting to be projected. */
interface PendingProjection {
  job: OmiseEventJob;
  resource: ResourceRef;
  /** The trace context of the job's span, which the batch's spans continue. */
  trace: Context;
}

export interface ProjectionBatcherOptions extends ProjectionDeps {
  /** Called with the size of every batch, e.g. for a histogram. */
  onBatch?: ((size: number) => void) | undefined;
  /**
   * Most events projected in one transaction.
   * @defaultValue 64
   */
  maxBatchSize?: number;
  /**
   * Transactions open at once; while they run, new events accumulate into the next batch
   * (group commit), so batches grow with load and stay at one event when idle.
   * @defaultValue 4
   */
  maxBatchesInFlight?: number;
}

/**
 * Groups the worker's events into batches for `projectBatch` (the group commit of
 * `@omise-sync/core`): under load, one transaction, one lock statement and one write per
 * table serve dozens of events. A resource is never in two of this process's batches at once:
 * its later events wait until the running batch ends (and are then usually coalesced), so a
 * batch never waits on a lock another batch of the same process holds. Locks still serialise
 * batches of different processes.
 */
export class ProjectionBatcher {
  private readonly committer: BatchCommitter<PendingProjection, ProjectionResult>;

  constructor(private readonly options: ProjectionBatcherOptions) {
    this.committer = new BatchCommitter((batch) => this.run(batch), {
      maxBatchSize: options.maxBatchSize ?? 64,
      maxBatchesInFlight: options.maxBatchesInFlight ?? 4,
      keyOf: (request) => lockKey(request.resource),
      onBatch: options.onBatch,
    });
  }

  /** Projects `resource` for this event; resolves once committed (or settled as an error). */
  project(job: OmiseEventJob, resource: ResourceRef): Promise<ProjectionResult> {
    return this.committer.submit({ job, resource, trace: activeContext() });
  }

  private async run(
    batch: readonly PendingProjection[],
  ): Promise<BatchSettlement<ProjectionResult>[]> {
    // One transaction serves several jobs: its spans continue the first job's trace and link
    // to the others'.
    const [first, ...others] = batch;
    const results = await withSpan(
      'project batch',
      {
        ...(first === undefined ? {} : { parent: first.trace }),
        links: others.map((request) => request.trace),
        attributes: { 'omise_sync.batch_size': batch.length },
      },
      () =>
        projectBatch(
          this.options,
          batch.map(({ job, resource }) => ({ kind: 'event', job, resource })),
        ),
    );
    return batch.map((request, index): BatchSettlement<ProjectionResult> => {
      const result = results[index];
      return result === undefined
        ? {
            ok: false,
            error: new MissingSettlementError(
              `projection of ${request.job.eventId} lost its result`,
            ),
          }
        : { ok: true, value: result };
    });
  }
}
