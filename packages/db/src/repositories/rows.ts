import type { Insertable, Selectable } from 'kysely';
import type { ChargeTable } from '../tables/charge.table';
import type { DisputeDocumentTable, DisputeFlagTable, DisputeTable } from '../tables/dispute.table';
import type { EventTable } from '../tables/event.table';
import type { RefundTable } from '../tables/refund.table';

/** A charge row to write (`projected_at` is set by the database). */
export type NewCharge = Omit<Insertable<ChargeTable>, 'projected_at'>;
export type ChargeRow = Selectable<ChargeTable>;
export type NewRefund = Omit<Insertable<RefundTable>, 'projected_at'>;
export type RefundRow = Selectable<RefundTable>;
export type NewDispute = Omit<Insertable<DisputeTable>, 'projected_at'>;
export type DisputeRow = Selectable<DisputeTable>;
export type NewDisputeDocument = Omit<Insertable<DisputeDocumentTable>, 'projected_at'>;
export type DisputeDocumentRow = Selectable<DisputeDocumentTable>;
export type NewEvent = Insertable<EventTable>;
export type EventRow = Selectable<EventTable>;
export type NewDisputeFlag = Omit<
  Insertable<DisputeFlagTable>,
  'notify_attempted_at' | 'notified_at' | 'notify_error' | 'resolved_at' | 'resolution'
>;
export type DisputeFlagRow = Selectable<DisputeFlagTable>;

/**
 * Postgres caps a statement at 65,535 bind parameters; the widest table has 26 columns, so
 * 1,000 rows per INSERT stays well below it while keeping round trips few.
 */
export const MAX_ROWS_PER_STATEMENT = 1_000;

function observedMs(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/**
 * One row per id, keeping the newest observation: a multi-row `INSERT … ON CONFLICT DO UPDATE`
 * fails if it touches the same row twice, and the older copy would be refused anyway.
 */
export function newestPerId<T extends { id: string; observed_at: Date | string }>(
  rows: readonly T[],
): T[] {
  const byId = new Map<string, T>();
  for (const row of rows) {
    const seen = byId.get(row.id);
    if (seen === undefined || observedMs(seen.observed_at) <= observedMs(row.observed_at)) {
      byId.set(row.id, row);
    }
  }
  return [...byId.values()];
}

export function chunk<T>(rows: readonly T[], size = MAX_ROWS_PER_STATEMENT): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** jsonb parameters go in as text so that a top-level array is never taken for a pg array. */
export function json(value: Record<string, unknown> | string): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
