import { type Kysely } from 'kysely';
import type { Database } from '../database';
import { type EventOutcome } from '../tables/event.table';
import { type EventRow, type NewEvent } from './rows';

/** An event record to write; `raw` is the envelope (see `eventHistoryPayload`), or null when unknown. */
export type EventRecord = Omit<NewEvent, 'raw' | 'account'> & {
  /** The account is always named: a record of the wrong account must not default silently. */
  account: string;
  raw: Record<string, unknown> | null;
};

/** The event record, or `undefined`. */
export async function findEvent(db: Kysely<Database>, id: string): Promise<EventRow | undefined> {
  return db.selectFrom('omise.events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The event record; throws when the event was never recorded. */
export async function getEvent(db: Kysely<Database>, id: string): Promise<EventRow> {
  return db.selectFrom('omise.events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Which of `ids` are recorded, with one of `outcomes` when given. */
export async function findRecordedEventIds(
  db: Kysely<Database>,
  ids: readonly string[],
  outcomes?: readonly EventOutcome[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  let query = db.selectFrom('omise.events').select('id').where('id', 'in', ids);
  if (outcomes !== undefined) query = query.where('outcome', 'in', outcomes);
  return new Set((await query.execute()).map((row) => row.id));
}
