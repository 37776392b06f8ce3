import { type Clock, DisputeReminderJob, type Logger, jobCatalog } from '@omise-sync/core';
import {
  type Database,
  type PlannedReminder,
  cancelClosedDisputeReminders,
  claimDisputeReminder,
  findDispute,
  findDisputeFlag,
  findDisputeReminder,
  findOpenDisputeDeadlines,
  findPendingDisputeReminders,
  insertDisputeReminders,
  markDisputeReminderSent,
  recordDisputeReminderError,
  releaseDisputeReminderClaim,
  rescheduleDisputeReminders,
} from '@omise-sync/db';
import { DelayedError, type Job, type Queue, UnrecoverableError } from 'bullmq';
import type { Kysely } from 'kysely';
import {
  AlertOutcomeUnknownError,
  AlertRejectedError,
  type FetchLike,
  buildDisputeAlert,
  postAlert,
} from './dispute-alert';
import { ANY_ACCOUNT, type NotificationOutcome, type WorkerMetrics } from './metrics';
import type { AlertWebhookOptions } from './notify-dispute-flag.processor';

const HOUR_MS = 3_600_000;

/** The reminder kind of `hours` before the deadline: `72h`. */
export function reminderKind(hours: number): string {
  return `${hours}h`;
}

/** Reminder jobs are keyed by dispute and kind (no ':' in BullMQ ids), so each is queued once. */
export function reminderJobId(disputeId: string, kind: string): string {
  return `reminder-${disputeId}-${kind}`;
}

/**
 * The reminders an open dispute is owed, given `hours` before its deadline: none once the
 * deadline has passed; a reminder already due is kept only if no closer one is due too, so a
 * dispute first seen a day before its deadline gets one reminder, not 72h and 24h at once.
 * Pure, so it is tested as a table.
 */
export function planDisputeReminders(
  disputeId: string,
  respondBy: Date,
  hours: readonly number[],
  now: Date,
): PlannedReminder[] {
  if (respondBy <= now) return [];
  const all = [...new Set(hours)]
    .sort((a, b) => b - a)
    .map((h) => ({
      disputeId,
      kind: reminderKind(h),
      dueAt: new Date(respondBy.getTime() - h * HOUR_MS),
    }));
  const due = all.filter((reminder) => reminder.dueAt <= now);
  const latestDue = due[due.length - 1];
  return all.filter((reminder) => reminder.dueAt > now || reminder === latestDue);
}

export interface DisputeReminderDeps {
  db: Kysely<Database>;
  logger: Logger;
  metrics: WorkerMetrics;
  clock: Clock;
  /** The `omise-followups` queue the reminders are delayed jobs on. */
  queue: Queue;
  /** Hours before `respond_by` (`DISPUTE_REMINDER_HOURS`). */
  hours: readonly number[];
  alertWebhook: AlertWebhookOptions;
  fetch?: FetchLike;
}

/** What a sweep did. */
export interface ReminderSweep {
  planned: number;
  enqueued: number;
  cancelled: number;
  /** Pending reminders moved because their dispute's `respond_by` changed. */
  rescheduled: number;
}

const SWEEP_LIMIT = 1_000;

/**
 * Plans, cancels and (re-)enqueues reminders. Every worker may run it at once: reminders are
 * recorded with ON CONFLICT DO NOTHING, and a job id per reminder makes BullMQ keep one job
 * (a delayed job survives restarts in Redis; one lost with Redis is enqueued again here).
 */
export async function sweepDisputeReminders(deps: DisputeReminderDeps): Promise<ReminderSweep> {
  const now = deps.clock.now();
  const cancelled = await cancelClosedDisputeReminders(deps.db, now);
  for (const reminder of cancelled) {
    await deps.queue.remove(reminderJobId(reminder.dispute_id, reminder.kind));
  }
  // A moved reminder's job is removed and enqueued again below with its new delay (an add with
  // an existing job id would keep the old one).
  const rescheduled = await rescheduleDisputeReminders(deps.db);
  for (const reminder of rescheduled) {
    await deps.queue.remove(reminderJobId(reminder.dispute_id, reminder.kind));
  }
  const deadlines = await findOpenDisputeDeadlines(deps.db, { after: now, limit: SWEEP_LIMIT });
  const planned = deadlines.flatMap((dispute) =>
    planDisputeReminders(dispute.id, dispute.respond_by, deps.hours, now).filter(
      (reminder) => !dispute.kinds.includes(reminder.kind),
    ),
  );
  const inserted = await insertDisputeReminders(deps.db, planned);
  const pending = await findPendingDisputeReminders(deps.db, { limit: SWEEP_LIMIT });
  for (const reminder of pending) {
    await deps.queue.add(
      jobCatalog.disputeReminder.name,
      {
        disputeId: reminder.dispute_id,
        kind: reminder.kind,
        account: reminder.account,
      } satisfies DisputeReminderJob,
      {
        ...jobCatalog.disputeReminder.options,
        jobId: reminderJobId(reminder.dispute_id, reminder.kind),
        delay: Math.max(0, reminder.due_at.getTime() - now.getTime()),
      },
    );
  }
  return {
    planned: inserted.length,
    enqueued: pending.length,
    cancelled: cancelled.length,
    rescheduled: rescheduled.length,
  };
}

/** What happened to one reminder job (label of `omise_sync_dispute_reminders_total`). */
export type ReminderOutcome = Extract<NotificationOutcome, 'sent' | 'skipped' | 'test_mode'>;

/** Kept in `error`, so the reminder reads as settled and is not enqueued again. */
export const REMINDER_TEST_MODE_SKIPPED = 'test-mode dispute not reminded (ALERT_TEST_MODE=skip)';

function headline(kind: string, respondBy: Date): string {
  return `Dispute answer due in ${kind.replace(/h$/, ' hours')} (respond by ${respondBy.toISOString()})`;
}

/**
 * The BullMQ processor of `jobCatalog.disputeReminder`: sends a reminder at most once. It claims
 * the reminder in Postgres (only while due, unsent and its dispute open; one claimant wins); a
 * job that runs before the reminder is due goes back to `delayed`; failures are handled as for
 * the flag's alert (given back when surely not delivered, kept when it may have been).
 */
export function createDisputeReminderProcessor(deps: Omit<DisputeReminderDeps, 'queue' | 'hours'>) {
  return async function remindDispute(job: Job<unknown>, token?: string): Promise<ReminderOutcome> {
    const parsed = DisputeReminderJob.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`malformed reminder job: ${parsed.error.message}`);
    }
    const { account = ANY_ACCOUNT, ...key } = parsed.data;
    const logger = deps.logger.child({ jobId: job.id, ...key });
    const count = (outcome: NotificationOutcome) =>
      deps.metrics.disputeReminders.inc({ account, kind: key.kind, outcome });
    const now = deps.clock.now();
    const claimed = await claimDisputeReminder(deps.db, key, now);
    if (claimed === undefined) {
      const reminder = await findDisputeReminder(deps.db, key);
      if (
        reminder !== undefined &&
        reminder.due_at > now &&
        reminder.sent_at === null &&
        reminder.cancelled_at === null &&
        token !== undefined
      ) {
        await job.moveToDelayed(reminder.due_at.getTime(), token);
        throw new DelayedError();
      }
      count('skipped');
      return 'skipped';
    }
    const dispute = await findDispute(deps.db, key.disputeId);
    if (dispute === undefined) {
      await releaseDisputeReminderClaim(deps.db, key, 'dispute row missing');
      throw new UnrecoverableError(`dispute ${key.disputeId} has a reminder but no row`);
    }
    if (!dispute.livemode && (deps.alertWebhook.testMode ?? 'skip') === 'skip') {
      await recordDisputeReminderError(deps.db, key, REMINDER_TEST_MODE_SKIPPED);
      count('test_mode');
      return 'test_mode';
    }
    const flag = await findDisputeFlag(deps.db, key.disputeId);
    const alert = buildDisputeAlert(headline(key.kind, dispute.respond_by), {
      ...dispute,
      severity: flag?.severity ?? 'low',
      reasons: flag?.reasons ?? [],
    });
    try {
      await postAlert(deps.alertWebhook.url, alert, {
        timeoutMs: deps.alertWebhook.timeoutMs ?? 5_000,
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof AlertRejectedError) {
        await releaseDisputeReminderClaim(deps.db, key, message);
        count('retried');
        logger.warn({ err: error }, 'reminder not delivered; BullMQ retries');
        throw error;
      }
      if (error instanceof AlertOutcomeUnknownError) {
        await recordDisputeReminderError(deps.db, key, message);
        count('ambiguous');
        logger.error({ err: error }, 'reminder may have been delivered; not resent (at most once)');
        throw new UnrecoverableError(message);
      }
      throw error;
    }
    await markDisputeReminderSent(deps.db, key, deps.clock.now());
    count('sent');
    logger.info('dispute reminder sent');
    return 'sent';
  };
}
