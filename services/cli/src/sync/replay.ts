import { type NotifyDisputeFlagJob, type OmiseEventJob, jobCatalog } from '@omise-sync/core';
import { type OmiseClient } from '@omise-sync/omise-client';
import { type AccountName, type Clock } from '@omise-sync/core';
import { type Job, type Queue } from 'bullmq';
import { eventJobFor, rerunJobId } from './event-jobs';
import { SyncError } from './sync-errors';

/** The event exists but omise-sync does not project its object (a customer, a transfer…). */
export class EventNotProjectedError extends SyncError {
  override readonly name = 'EventNotProjectedError';
}

/** What `replay --event` enqueued. */
export interface ReplayedEvent {
  eventId: string;
  key: string;
  resourceId: string;
  jobId: string;
}

/**
 * `replay --event ID`: fetches the event from Omise and enqueues it with origin `replay` under
 * a new job id, so it runs even while the original job is kept as completed. The worker
 * re-fetches the resource, as for any event; nothing it projects notifies.
 * @throws OmiseNotFoundError when Omise has no such event
 * @throws EventNotProjectedError when the event is about an object omise-sync does not project
 */
export async function replayEvent(
  deps: { account: AccountName; omise: OmiseClient; queue: Queue<OmiseEventJob>; clock: Clock },
  eventId: string,
): Promise<ReplayedEvent> {
  const event = await deps.omise.events.retrieve(eventId);
  const now = deps.clock.now();
  const disposition = eventJobFor(event, now, 'replay', deps.account);
  if (disposition.kind === 'ignore') {
    throw new EventNotProjectedError(
      `${eventId} (${event.key}) is about a ${disposition.objectType}, which omise-sync does not project`,
    );
  }
  if (disposition.kind === 'invalid') {
    throw new EventNotProjectedError(`${eventId} cannot be read: ${disposition.message}`);
  }
  const jobId = rerunJobId(eventId, 'replay', now.getTime());
  await deps.queue.add(jobCatalog.omiseEvent.name, disposition.job, {
    ...jobCatalog.omiseEvent.options,
    jobId,
  });
  return { eventId, key: event.key, resourceId: disposition.job.resourceId, jobId };
}

/** One failed job `replay --failed` put back. */
export interface RetriedJob {
  queue: string;
  jobId: string;
  /** What the job is about: `charge.complete chrg_…`, or `notify dspt_…`. */
  subject: string;
  failedAt: Date;
  failedReason: string;
  attemptsMade: number;
}

function describeJob(job: Job): string {
  const data: unknown = job.data;
  if (typeof data !== 'object' || data === null) return job.name;
  const record = data as Partial<OmiseEventJob & NotifyDisputeFlagJob>;
  if (typeof record.key === 'string' && typeof record.resourceId === 'string') {
    return `${record.key} ${record.resourceId}`;
  }
  if (typeof record.disputeId === 'string') return `notify ${record.disputeId}`;
  return job.name;
}

const PAGE = 500;

/**
 * `replay --failed [--since DATE]`: retries every failed job of the given queues that failed
 * at or after `since` (all of them without it), with its attempts reset. A retried job keeps
 * its payload, origin included: a live dispute's notification that failed is still owed.
 */
export async function replayFailedJobs(
  queues: readonly Queue[],
  options: { since?: Date | undefined } = {},
): Promise<RetriedJob[]> {
  const retried: RetriedJob[] = [];
  for (const queue of queues) {
    // Collected first: retrying removes jobs from the failed set, which would shift pages.
    const failed: Job[] = [];
    for (let start = 0; ; start += PAGE) {
      const page: Job[] = await queue.getFailed(start, start + PAGE - 1);
      failed.push(...page);
      if (page.length < PAGE) break;
    }
    for (const job of failed) {
      const failedAt = new Date(job.finishedOn ?? job.processedOn ?? job.timestamp);
      if (options.since !== undefined && failedAt < options.since) continue;
      if (job.id === undefined) continue;
      // Read before retrying: retry() resets the job object's counters.
      const entry: RetriedJob = {
        queue: queue.name,
        jobId: job.id,
        subject: describeJob(job),
        failedAt,
        failedReason: job.failedReason,
        attemptsMade: job.attemptsMade,
      };
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried.push(entry);
    }
  }
  return retried;
}
