import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { disputeAccount } from './dispute-reminder.repository';
import type { DisputeActionKind } from '../tables/dispute.table';
import { json } from './rows';
import type { DisputeActionRow } from './rows';

/** What the desk is about to do. */
export interface StartedDisputeAction {
  disputeId: string;
  action: DisputeActionKind;
  actor: string;
  details: Record<string, unknown>;
  /** Hex sha256 of the file, for an upload. */
  sha256?: string | undefined;
  at: Date;
}

/**
 * Records an action as `started` before the request goes to Omise.
 * @returns the action's id, or `undefined` for an upload of a file already uploaded to the
 *   dispute (or being uploaded, or whose upload has an unknown outcome)
 */
export async function startDisputeAction(
  db: Kysely<Database>,
  action: StartedDisputeAction,
): Promise<string | undefined> {
  const row = await db
    .insertInto('omise.dispute_actions')
    .values({
      account: disputeAccount(action.disputeId),
      dispute_id: action.disputeId,
      action: action.action,
      actor: action.actor,
      details: json(action.details),
      sha256: action.sha256 ?? null,
      result: 'started',
      at: action.at,
    })
    // The partial unique index (one live upload per file and dispute) is the conflict target.
    .onConflict((oc) =>
      oc
        .columns(['dispute_id', 'sha256'])
        .where('action', '=', 'upload')
        .where('result', 'in', ['started', 'ok', 'unknown'])
        .doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Records how an action ended; `details` are merged into what was recorded at the start. */
export async function finishDisputeAction(
  db: Kysely<Database>,
  id: string,
  outcome: {
    result: 'ok' | 'failed' | 'unknown';
    error?: string | undefined;
    details?: Record<string, unknown> | undefined;
    finishedAt: Date;
  },
): Promise<void> {
  await db
    .updateTable('omise.dispute_actions')
    .set({
      result: outcome.result,
      error: outcome.error ?? null,
      details: sql<string>`details || ${json(outcome.details ?? {})}::jsonb`,
      finished_at: outcome.finishedAt,
    })
    .where('id', '=', id)
    .execute();
}

/** The earlier upload of the file with this sha256 to the dispute that blocks another one. */
export async function findBlockingUpload(
  db: Kysely<Database>,
  disputeId: string,
  sha256: string,
): Promise<DisputeActionRow | undefined> {
  return db
    .selectFrom('omise.dispute_actions')
    .selectAll()
    .where('dispute_id', '=', disputeId)
    .where('sha256', '=', sha256)
    .where('action', '=', 'upload')
    .where('result', 'in', ['started', 'ok', 'unknown'])
    .executeTakeFirst();
}

/** The desk's actions on a dispute, oldest first. */
export async function findDisputeActions(
  db: Kysely<Database>,
  disputeId: string,
): Promise<DisputeActionRow[]> {
  return db
    .selectFrom('omise.dispute_actions')
    .selectAll()
    .where('dispute_id', '=', disputeId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}
