import { z } from 'zod';
import { CheckpointFormatError } from '../sync-errors';

/**
 * The resources a backfill walks; refunds come embedded in (or listed under) their charges,
 * cards in their customers, occurrences in their schedules.
 */
export const BACKFILL_RESOURCES = [
  'charges',
  'disputes',
  'transfers',
  'customers',
  'recipients',
  'schedules',
  'links',
] as const;
export type BackfillResource = (typeof BACKFILL_RESOURCES)[number];

/** The checkpoint of one resource's backfill, as stored in `omise.sync_checkpoints`. */
export const BackfillCursor = z.object({
  /** Window start (inclusive), ISO 8601. */
  from: z.string(),
  /**
   * Window end (inclusive), pinned to the first page's `to` (Omise's clock) when the walk
   * began: items created later are outside the window, so offsets never shift under the walk.
   */
  to: z.string(),
  /** Items of the window committed so far; the next page starts here. */
  offset: z.number().int().min(0),
  /** Items in the window as Omise last counted them. */
  total: z.number().int().min(0),
  /** Rows written (charges or disputes) across every run of this walk. */
  written: z.number().int().min(0),
  /** List pages fetched across every run of this walk. */
  pages: z.number().int().min(0),
  startedAt: z.string(),
  /** Set when the walk reached the end of its window; the next run starts a new window. */
  completedAt: z.string().nullable(),
});
export type BackfillCursor = z.infer<typeof BackfillCursor>;

/** Name of a resource's checkpoint row. */
export function backfillCheckpointName(resource: BackfillResource): string {
  return `backfill:${resource}`;
}

/**
 * A stored checkpoint, parsed.
 * @throws CheckpointFormatError when it is not a backfill cursor (run with --restart).
 */
export function readBackfillCursor(name: string, value: unknown): BackfillCursor {
  const parsed = BackfillCursor.safeParse(value);
  if (!parsed.success) {
    throw new CheckpointFormatError(
      `checkpoint ${name} is not a backfill cursor (${parsed.error.issues[0]?.message ?? 'invalid'}); run with --restart`,
    );
  }
  return parsed.data;
}
