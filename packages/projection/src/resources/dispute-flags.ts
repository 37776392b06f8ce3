import type { EventOrigin } from '@omise-sync/core';
import type { Database, DisputeSeverity, NewDisputeFlag } from '@omise-sync/db';
import type { Kysely } from 'kysely';

/** The flag a projection wrote. */
export interface WrittenFlag {
  disputeId: string;
  severity: DisputeSeverity;
  reasons: string[];
  origin: EventOrigin;
  /** The dispute's status when omise-sync first saw it. */
  firstSeenStatus: string;
  /** Whether a notification is owed (the dispute came in through a live webhook). */
  notify: boolean;
}

/**
 * Writes the flag of a dispute unless it already has one (the primary key is the dispute id),
 * so however often the dispute's events are delivered or replayed there is exactly one flag.
 * @returns true when this call created the flag
 */
export async function insertDisputeFlag(
  db: Kysely<Database>,
  flag: NewDisputeFlag & { resolved_at?: Date | null; resolution?: string | null },
): Promise<boolean> {
  const inserted = await db
    .insertInto('omise.dispute_flags')
    .values(flag)
    .onConflict((oc) => oc.column('dispute_id').doNothing())
    .returning('dispute_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Marks the flag resolved when its dispute closed (won or lost); a flag already resolved keeps
 * its first resolution.
 * @returns true when a flag was resolved by this call
 */
export async function resolveDisputeFlag(
  db: Kysely<Database>,
  disputeId: string,
  resolution: { resolution: string; resolvedAt: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('omise.dispute_flags')
    .set({ resolution: resolution.resolution, resolved_at: resolution.resolvedAt })
    .where('dispute_id', '=', disputeId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
