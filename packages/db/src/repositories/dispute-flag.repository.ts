import { type Kysely } from 'kysely';
import type { Database } from '../database';
import type { DisputeFlagRow } from './rows';

/** The flag of a dispute, or `undefined`. */
export async function findDisputeFlag(
  db: Kysely<Database>,
  disputeId: string,
): Promise<DisputeFlagRow | undefined> {
  return db
    .selectFrom('omise.dispute_flags')
    .selectAll()
    .where('dispute_id', '=', disputeId)
    .executeTakeFirst();
}

/**
 * Claims the flag's notification: sets `notify_attempted_at` if a notification is owed, has
 * not been sent and nobody is sending it. Only one caller can win, which is what makes the
 * notification "at most once".
 * @returns the claimed flag, or `undefined` when there is nothing to send
 */
export async function claimDisputeFlagNotification(
  db: Kysely<Database>,
  disputeId: string,
  attemptedAt: Date,
): Promise<DisputeFlagRow | undefined> {
  return db
    .updateTable('omise.dispute_flags')
    .set({ notify_attempted_at: attemptedAt })
    .where('dispute_id', '=', disputeId)
    .where('notify', '=', true)
    .where('notified_at', 'is', null)
    .where('notify_attempted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Records that the notification was delivered. */
export async function markDisputeFlagNotified(
  db: Kysely<Database>,
  disputeId: string,
  notifiedAt: Date,
): Promise<void> {
  await db
    .updateTable('omise.dispute_flags')
    .set({ notified_at: notifiedAt, notify_error: null })
    .where('dispute_id', '=', disputeId)
    .execute();
}

/**
 * Gives the claim back after a failure that proves nothing was delivered (connection refused,
 * a non-2xx answer), so a retry may send it; records why.
 */
export async function releaseDisputeFlagClaim(
  db: Kysely<Database>,
  disputeId: string,
  error: string,
): Promise<void> {
  await db
    .updateTable('omise.dispute_flags')
    .set({ notify_attempted_at: null, notify_error: error })
    .where('dispute_id', '=', disputeId)
    .where('notified_at', 'is', null)
    .execute();
}

/**
 * Records a notification failure while keeping the claim: after an ambiguous failure (a
 * timeout once the request was sent) the message may have arrived, so it is not sent again.
 */
export async function recordDisputeFlagNotifyError(
  db: Kysely<Database>,
  disputeId: string,
  error: string,
): Promise<void> {
  await db
    .updateTable('omise.dispute_flags')
    .set({ notify_error: error })
    .where('dispute_id', '=', disputeId)
    .execute();
}

/**
 * Flags that owe a notification nobody has started and that never failed, flagged before
 * `flaggedBefore`: the ones whose follow-up job was lost between COMMIT and enqueue.
 */
export async function findDisputeFlagsAwaitingNotification(
  db: Kysely<Database>,
  options: { flaggedBefore: Date; limit: number },
): Promise<DisputeFlagRow[]> {
  return db
    .selectFrom('omise.dispute_flags')
    .selectAll()
    .where('notify', '=', true)
    .where('notified_at', 'is', null)
    .where('notify_attempted_at', 'is', null)
    .where('notify_error', 'is', null)
    .where('flagged_at', '<', options.flaggedBefore)
    .orderBy('flagged_at')
    .limit(options.limit)
    .execute();
}
