import {
  type AccountName,
  type EventOrigin,
  type IgnoredEventJob,
  OmiseEventEnvelope,
  type OmiseEventJob,
  jobCatalog,
  toEventDisposition,
} from '@omise-sync/core';
import { type Queue } from 'bullmq';

/** What turning an Omise event (from the Events API) into a job gave. */
export type EventJobDisposition =
  | { kind: 'project'; job: OmiseEventJob }
  | { kind: 'ignore'; objectType: string; job: IgnoredEventJob }
  | { kind: 'invalid'; message: string };

/**
 * Builds the job the receiver would have enqueued for this event, with the receiver's own
 * rules (`data.object` decides; refunds carry their charge), so a job from reconcile or replay
 * is indistinguishable from a delivered one except for its origin.
 */
export function eventJobFor(
  event: unknown,
  receivedAt: Date,
  origin: EventOrigin,
  account: AccountName,
): EventJobDisposition {
  const envelope = OmiseEventEnvelope.safeParse(event);
  if (!envelope.success) {
    return {
      kind: 'invalid',
      message: envelope.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
        .join('; '),
    };
  }
  return toEventDisposition(envelope.data, receivedAt, origin, account);
}

/**
 * A job id for a second run of an event whose first job is still kept as completed (BullMQ
 * would ignore an add with the same id). `-` separates the parts: BullMQ reserves `:` in ids,
 * and Omise ids use only letters, digits and `_`.
 */
export function rerunJobId(
  eventId: string,
  reason: 'reconcile' | 'replay',
  tag: string | number,
): string {
  return `${eventId}-${reason}-${tag}`;
}

/** What {@link enqueueEventJob} did. */
export type EnqueueAction =
  /** No job existed: added with the event id as job id. */
  | 'enqueued'
  /** Its job had failed: retried (attempts reset). */
  | 'retried'
  /** Its job had completed yet the event is not recorded as processed: added again. */
  | 'requeued'
  /** Its job is waiting, delayed or running: nothing to do. */
  | 'in_flight';

/**
 * Puts an event that is not yet processed (back) on the queue, whatever happened to its
 * original job: none (the delivery was lost) → add it with the event id as job id, so a late
 * delivery is deduplicated against it; failed → retry that job; completed → a new job under
 * `rerunId` (the completed one blocks its id); waiting/active/delayed → leave it.
 */
export async function enqueueEventJob(
  queue: Queue<OmiseEventJob>,
  job: OmiseEventJob,
  rerunId: string,
): Promise<EnqueueAction> {
  const existing = await queue.getJob(job.eventId);
  if (existing === undefined) {
    await queue.add(jobCatalog.omiseEvent.name, job, {
      ...jobCatalog.omiseEvent.options,
      jobId: job.eventId,
    });
    return 'enqueued';
  }
  const state = await existing.getState();
  if (state === 'failed') {
    await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return 'retried';
  }
  if (state === 'completed' || state === 'unknown') {
    await queue.add(jobCatalog.omiseEvent.name, job, {
      ...jobCatalog.omiseEvent.options,
      jobId: rerunId,
    });
    return 'requeued';
  }
  return 'in_flight';
}
