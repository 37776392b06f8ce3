import { z } from 'zod';
import { AccountName, DEFAULT_ACCOUNT } from './omise-accounts';
import { JobTraceContext } from './tracing';

/**
 * The job catalog: every queue and job that crosses a process boundary, with its payload
 * schema and retry options. The receiver (producer) and the worker (consumer) both import
 * it, so they cannot disagree; the worker re-parses each payload before it runs a handler.
 */

/** Where a projection was triggered from; only live webhooks send follow-up notifications. */
export const EventOrigin = z.enum(['webhook', 'replay', 'reconcile', 'backfill']);
export type EventOrigin = z.infer<typeof EventOrigin>;

/** The Omise resources omise-sync projects. */
export const ProjectedResource = z.enum([
  'charge',
  'refund',
  'dispute',
  'transfer',
  'customer',
  'card',
  'recipient',
  'schedule',
  'link',
]);
export type ProjectedResource = z.infer<typeof ProjectedResource>;

/**
 * One Omise event to project. The event is only a hint: the worker fetches the resource
 * again. `event` is the envelope without the object's content (`eventHistoryPayload`), as kept
 * in `omise.events.raw`.
 */
export const OmiseEventJob = z.object({
  /**
   * The Omise account the event came from; the worker fetches with that account's key. Jobs
   * written before accounts existed have none and belong to `default`.
   */
  account: AccountName.default(DEFAULT_ACCOUNT),
  /** Omise's event id (`evnt_…`); also the BullMQ job id, so a redelivery is not enqueued twice. */
  eventId: z.string().min(1),
  /** Event key, e.g. `dispute.create`; unknown keys are kept as strings. */
  key: z.string().min(1),
  resourceType: ProjectedResource,
  /** Id of the object in `data` (`chrg_…`, `rfnd_…`, `dspt_…`). */
  resourceId: z.string().min(1),
  /** For a refund: the charge it belongs to (`data.charge`), which the worker re-fetches. */
  chargeId: z.string().min(1).optional(),
  /** For a card: the customer it belongs to (from `data.location`), which the worker re-fetches. */
  customerId: z.string().min(1).optional(),
  livemode: z.boolean(),
  /** When Omise created the event (ISO 8601), for lag measurement. */
  eventCreatedAt: z.iso.datetime({ offset: true }),
  /** When omise-sync received it (ISO 8601). */
  receivedAt: z.iso.datetime({ offset: true }),
  origin: EventOrigin,
  /** The envelope as parsed from the delivery or the Events API, through `eventHistoryPayload`. */
  event: z.record(z.string(), z.unknown()),
  /** The trace of the delivery that enqueued it; absent when tracing is off. */
  trace: JobTraceContext.optional(),
});
export type OmiseEventJob = z.infer<typeof OmiseEventJob>;

/**
 * A genuine event about an object omise-sync does not project (a customer, a transfer, a key
 * nobody knew of). The worker records it `ignored` with its key, so a new kind of event from
 * Omise is visible in `omise.events` the day it appears.
 */
export const IgnoredEventJob = z.object({
  account: AccountName.default(DEFAULT_ACCOUNT),
  eventId: z.string().min(1),
  key: z.string().min(1),
  /** `data.object`, whatever it says (`customer`, or even `__proto__`). */
  objectType: z.string().min(1),
  objectId: z.string(),
  livemode: z.boolean(),
  eventCreatedAt: z.iso.datetime({ offset: true }),
  receivedAt: z.iso.datetime({ offset: true }),
  origin: EventOrigin,
  event: z.record(z.string(), z.unknown()),
  /** The trace of the delivery that enqueued it; absent when tracing is off. */
  trace: JobTraceContext.optional(),
});
export type IgnoredEventJob = z.infer<typeof IgnoredEventJob>;

/** A dispute flag whose notification is due (written by the projection, sent by a follow-up job). */
export const NotifyDisputeFlagJob = z.object({
  disputeId: z.string().min(1),
  /** The dispute's account, for metric labels; absent in jobs queued by earlier versions. */
  account: AccountName.optional(),
});
export type NotifyDisputeFlagJob = z.infer<typeof NotifyDisputeFlagJob>;

/**
 * A deadline reminder of an open dispute (`kind`: hours before `respond_by`, e.g. `72h`), a
 * delayed job due at the reminder's time; `omise.dispute_reminders` is its record.
 */
export const DisputeReminderJob = z.object({
  disputeId: z.string().min(1),
  kind: z.string().regex(/^\d+h$/),
  /** The dispute's account, for metric labels; absent in jobs queued by earlier versions. */
  account: AccountName.optional(),
});
export type DisputeReminderJob = z.infer<typeof DisputeReminderJob>;

interface JobDefinition<S extends z.ZodType> {
  queue: string;
  name: string;
  payload: S;
  /** BullMQ default job options for this job. */
  options: {
    attempts: number;
    backoff: { type: 'exponential'; delay: number };
    removeOnComplete: { age: number; count: number };
    removeOnFail: { age: number };
  };
}

const DAY_SECONDS = 24 * 60 * 60;

/** Options of the jobs keyed by an Omise event id (projected and ignored events alike). */
const EVENT_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  // Completed jobs stay a day so a late redelivery of the same event id is still
  // recognised as a duplicate by BullMQ; the events table dedupes after that.
  removeOnComplete: { age: DAY_SECONDS, count: 200_000 },
  // Failed jobs are kept for inspection and replay for two weeks.
  removeOnFail: { age: 14 * DAY_SECONDS },
} as const;

export const jobCatalog = {
  omiseEvent: {
    queue: 'omise-events',
    name: 'omise-event',
    payload: OmiseEventJob,
    options: EVENT_JOB_OPTIONS,
  },
  ignoredEvent: {
    queue: 'omise-events',
    name: 'omise-event-ignored',
    payload: IgnoredEventJob,
    options: EVENT_JOB_OPTIONS,
  },
  notifyDisputeFlag: {
    queue: 'omise-followups',
    name: 'notify-dispute-flag',
    payload: NotifyDisputeFlagJob,
    options: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: DAY_SECONDS, count: 10_000 },
      removeOnFail: { age: 14 * DAY_SECONDS },
    },
  },
  disputeReminder: {
    queue: 'omise-followups',
    name: 'dispute-reminder',
    payload: DisputeReminderJob,
    options: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: DAY_SECONDS, count: 10_000 },
      removeOnFail: { age: 14 * DAY_SECONDS },
    },
  },
} as const satisfies Record<string, JobDefinition<z.ZodType>>;

export type JobCatalog = typeof jobCatalog;

/**
 * The queue holding one account's events (projected and ignored), so that a backlog or an
 * outage of one account never delays another's. `default` keeps the name the queue had before
 * accounts existed, so jobs in flight during an upgrade are still consumed.
 */
export function eventQueueName(account: AccountName): string {
  return account === DEFAULT_ACCOUNT
    ? jobCatalog.omiseEvent.queue
    : `${jobCatalog.omiseEvent.queue}.${account}`;
}
