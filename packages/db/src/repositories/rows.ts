import type { Insertable, Selectable } from 'kysely';
import type { ChargeTable } from '../tables/charge.table';
import type {
  DisputeActionTable,
  DisputeDocumentTable,
  DisputeFlagTable,
  DisputeReminderTable,
  DisputeTable,
} from '../tables/dispute.table';
import type {
  CardTable,
  CustomerTable,
  LinkTable,
  RecipientTable,
  ScheduleOccurrenceTable,
  ScheduleTable,
} from '../tables/directory.table';
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
export type DisputeActionRow = Selectable<DisputeActionTable>;
export type DisputeReminderRow = Selectable<DisputeReminderTable>;
export type NewCustomer = Omit<Insertable<CustomerTable>, 'projected_at'>;
export type CustomerRow = Selectable<CustomerTable>;
export type NewCard = Omit<Insertable<CardTable>, 'projected_at'>;
export type CardRow = Selectable<CardTable>;
export type NewRecipient = Omit<Insertable<RecipientTable>, 'projected_at'>;
export type RecipientRow = Selectable<RecipientTable>;
export type NewSchedule = Omit<Insertable<ScheduleTable>, 'projected_at'>;
export type ScheduleRow = Selectable<ScheduleTable>;
export type NewScheduleOccurrence = Omit<Insertable<ScheduleOccurrenceTable>, 'projected_at'>;
export type ScheduleOccurrenceRow = Selectable<ScheduleOccurrenceTable>;
export type NewLink = Omit<Insertable<LinkTable>, 'projected_at'>;
export type LinkRow = Selectable<LinkTable>;

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

// JSON.stringify writes a lone UTF-16 surrogate (a string cut in the middle of an emoji, say) as
// a `\udXXX` escape, which jsonb refuses: the row (or a whole batch, a backfill page) would fail
// for one odd character, and keep failing on every retry. Paired surrogates come out as
// characters, so a surrogate escape in JSON text means a lone one (or, rarely, a backslash
// followed by the text "ud8…"); only then is the value serialised again with lone surrogates
// replaced by U+FFFD, which is what a text column stores for them.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function wellFormed(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.replace(LONE_SURROGATE, '\ufffd') : value;
}

/**
 * JSON text for a jsonb parameter (as text, so that a top-level array is never taken for a pg
 * array). A string is taken as JSON text already. Lone surrogates become U+FFFD.
 */
export function json(value: object | string): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (!SURROGATE_ESCAPE.test(text)) return text;
  return JSON.stringify(
    typeof value === 'string' ? (JSON.parse(text) as unknown) : value,
    wellFormed,
  );
}
