import { type OmiseEvent } from '@omise-sync/omise-client';
import { z } from 'zod';

/** Name of the reconcile's cursor in `omise.sync_checkpoints`. */
export const RECONCILE_EVENTS_CHECKPOINT = 'reconcile:events';

/**
 * Where the Events API walk stands: the creation time of the last event seen, and the ids of
 * the events seen at exactly that time. The next run lists from that time (inclusive) and
 * skips those ids, so an event created in the same second but listed later is neither missed
 * nor read twice.
 */
export const ReconcileEventsCursor = z.object({
  createdAt: z.string(),
  ids: z.array(z.string()),
});
export type ReconcileEventsCursor = z.infer<typeof ReconcileEventsCursor>;

/**
 * The new events cursor after reading `events` (in chronological order) up to `to`: it only
 * ever moves forward. Pure.
 */
export function advanceEventsCursor(
  current: ReconcileEventsCursor | undefined,
  events: readonly Pick<OmiseEvent, 'id' | 'created_at'>[],
  to: Date | undefined,
): ReconcileEventsCursor | undefined {
  let next = current;
  const consider = (createdAtMs: number, id: string | undefined) => {
    const currentMs = next === undefined ? Number.NEGATIVE_INFINITY : Date.parse(next.createdAt);
    if (createdAtMs > currentMs) {
      next = { createdAt: new Date(createdAtMs).toISOString(), ids: id === undefined ? [] : [id] };
    } else if (createdAtMs === currentMs && id !== undefined && next !== undefined) {
      if (!next.ids.includes(id)) next = { ...next, ids: [...next.ids, id] };
    }
  };
  for (const event of events) consider(Date.parse(event.created_at), event.id);
  // The whole window up to `to` was read: the cursor may stand at `to` itself (keeping the
  // ids seen in that second, which the next run must skip).
  if (to !== undefined) {
    const toMs = to.getTime();
    const secondIds = events
      .filter((event) => Math.floor(Date.parse(event.created_at) / 1000) * 1000 === toMs)
      .map((event) => event.id);
    const currentMs = next === undefined ? Number.NEGATIVE_INFINITY : Date.parse(next.createdAt);
    if (toMs > currentMs) next = { createdAt: to.toISOString(), ids: secondIds };
  }
  return next;
}
