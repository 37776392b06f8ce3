import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import type { DisputeReminderRow } from './rows';

/** A reminder to plan: how long before the deadline (`72h`) and when that is. */
export interface PlannedReminder {
  disputeId: string;
  kind: string;
  dueAt: Date;
}

/** Open disputes whose deadline is still ahead, with the kinds of reminder they already have. */
export async function findOpenDisputeDeadlines(
  db: Kysely<Database>,
  options: { after: Date; limit: number },
): Promise<{ id: string; respond_by: Date; kinds: string[] }[]> {
  return db
    .selectFrom('omise.disputes as d')
    .select([
      'd.id',
      'd.respond_by',
      sql<string[]>`coalesce(array_agg(r.kind) FILTER (WHERE r.kind IS NOT NULL), '{}')`.as(
        'kinds',
      ),
    ])
    .leftJoin('omise.dispute_reminders as r', 'r.dispute_id', 'd.id')
    .where('d.status', '=', 'open')
    .where('d.respond_by', '>', options.after)
    .groupBy(['d.id', 'd.respond_by'])
    .orderBy('d.respond_by')
    .limit(options.limit)
    .execute();
}

/** The account of a dispute, for the follow-up rows about it (`default` if it is not stored). */
export function disputeAccount(disputeId: string) {
  return sql<string>`coalesce((SELECT account FROM omise.disputes WHERE id = ${disputeId}), 'default')`;
}

/**
 * Records reminders; one already recorded (same dispute and kind) is left as it is, so several
 * workers may plan the same reminders at once.
 * @returns the reminders this call recorded
 */
export async function insertDisputeReminders(
  db: Kysely<Database>,
  reminders: readonly PlannedReminder[],
): Promise<DisputeReminderRow[]> {
  if (reminders.length === 0) return [];
  return db
    .insertInto('omise.dispute_reminders')
    .values(
      reminders.map((reminder) => ({
        account: disputeAccount(reminder.disputeId),
        dispute_id: reminder.disputeId,
        kind: reminder.kind,
        due_at: reminder.dueAt,
      })),
    )
    .onConflict((oc) => oc.columns(['dispute_id', 'kind']).doNothing())
    .returningAll()
    .execute();
}

/** Reminders neither sent, claimed nor cancelled (their job may have been lost), oldest due first. */
export async function findPendingDisputeReminders(
  db: Kysely<Database>,
  options: { limit: number },
): Promise<DisputeReminderRow[]> {
  return db
    .selectFrom('omise.dispute_reminders')
    .selectAll()
    .where('sent_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('attempted_at', 'is', null)
    .orderBy('due_at')
    .limit(options.limit)
    .execute();
}

/**
 * Cancels the unsent reminders of disputes that are no longer open (answered, won, lost), so a
 * closed dispute reminds nobody.
 * @returns the reminders cancelled
 */
export async function cancelClosedDisputeReminders(
  db: Kysely<Database>,
  cancelledAt: Date,
): Promise<DisputeReminderRow[]> {
  return db
    .updateTable('omise.dispute_reminders as r')
    .set({ cancelled_at: cancelledAt })
    .from('omise.disputes as d')
    .whereRef('d.id', '=', 'r.dispute_id')
    .where('d.status', '<>', 'open')
    .where('r.sent_at', 'is', null)
    .where('r.attempted_at', 'is', null)
    .where('r.cancelled_at', 'is', null)
    .returningAll('r')
    .execute();
}

/**
 * Moves the unsent, unclaimed reminders of open disputes whose `respond_by` changed since they
 * were planned (a re-projection under another DISPUTE_RESPONSE_DAYS) to the new deadline minus
 * their hours (`72h` → 72).
 * @returns the reminders moved, with their new `due_at`
 */
export async function rescheduleDisputeReminders(
  db: Kysely<Database>,
): Promise<DisputeReminderRow[]> {
  const dueAt = sql<Date>`d.respond_by - make_interval(hours => rtrim(r.kind, 'h')::int)`;
  return db
    .updateTable('omise.dispute_reminders as r')
    .set({ due_at: dueAt })
    .from('omise.disputes as d')
    .whereRef('d.id', '=', 'r.dispute_id')
    .where('d.status', '=', 'open')
    .where('r.sent_at', 'is', null)
    .where('r.attempted_at', 'is', null)
    .where('r.cancelled_at', 'is', null)
    .where(sql<boolean>`r.kind ~ '^[0-9]+h$'`)
    .where(sql<boolean>`r.due_at <> ${dueAt}`)
    .returningAll('r')
    .execute();
}

/**
 * Claims a reminder for sending: only while it is due, unsent, unclaimed, not cancelled and its
 * dispute is still open. Only one caller can win, which makes the reminder "at most once".
 * @returns the claimed reminder, or `undefined` when there is nothing to send
 */
export async function claimDisputeReminder(
  db: Kysely<Database>,
  key: { disputeId: string; kind: string },
  attemptedAt: Date,
): Promise<DisputeReminderRow | undefined> {
  return db
    .updateTable('omise.dispute_reminders')
    .set({ attempted_at: attemptedAt })
    .where('dispute_id', '=', key.disputeId)
    .where('kind', '=', key.kind)
    .where('due_at', '<=', attemptedAt)
    .where('sent_at', 'is', null)
    .where('attempted_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('omise.disputes')
          .select('id')
          .where('id', '=', key.disputeId)
          .where('status', '=', 'open'),
      ),
    )
    .returningAll()
    .executeTakeFirst();
}

/** The reminder, or `undefined`. */
export async function findDisputeReminder(
  db: Kysely<Database>,
  key: { disputeId: string; kind: string },
): Promise<DisputeReminderRow | undefined> {
  return db
    .selectFrom('omise.dispute_reminders')
    .selectAll()
    .where('dispute_id', '=', key.disputeId)
    .where('kind', '=', key.kind)
    .executeTakeFirst();
}

/** Records that the reminder was delivered. */
export async function markDisputeReminderSent(
  db: Kysely<Database>,
  key: { disputeId: string; kind: string },
  sentAt: Date,
): Promise<void> {
  await db
    .updateTable('omise.dispute_reminders')
    .set({ sent_at: sentAt, error: null })
    .where('dispute_id', '=', key.disputeId)
    .where('kind', '=', key.kind)
    .execute();
}

/**
 * Gives the claim back after a failure that proves nothing was delivered, so a retry may send
 * it; records why.
 */
export async function releaseDisputeReminderClaim(
  db: Kysely<Database>,
  key: { disputeId: string; kind: string },
  error: string,
): Promise<void> {
  await db
    .updateTable('omise.dispute_reminders')
    .set({ attempted_at: null, error })
    .where('dispute_id', '=', key.disputeId)
    .where('kind', '=', key.kind)
    .where('sent_at', 'is', null)
    .execute();
}

/** Records a failure while keeping the claim (the reminder may have arrived; never resent). */
export async function recordDisputeReminderError(
  db: Kysely<Database>,
  key: { disputeId: string; kind: string },
  error: string,
): Promise<void> {
  await db
    .updateTable('omise.dispute_reminders')
    .set({ error })
    .where('dispute_id', '=', key.disputeId)
    .where('kind', '=', key.kind)
    .execute();
}

/** The reminders of a dispute, earliest due first. */
export async function findDisputeReminders(
  db: Kysely<Database>,
  disputeId: string,
): Promise<DisputeReminderRow[]> {
  return db
    .selectFrom('omise.dispute_reminders')
    .selectAll()
    .where('dispute_id', '=', disputeId)
    .orderBy('due_at')
    .execute();
}
