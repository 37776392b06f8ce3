import { type Kysely } from 'kysely';
import type { Database } from '../database';
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
