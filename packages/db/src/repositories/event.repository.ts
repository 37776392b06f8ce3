import { type Kysely } from 'kysely';
import type { Database } from '../database';
import { type RecordsetColumn, recordsetUpsert } from './json-recordset';
import { type EventRow, type NewEvent } from './rows';

/** An event record to write; `raw` is the envelope as received, or null when unknown. */
export type EventRecord = Omit<NewEvent, 'raw'> & { raw: Record<string, unknown> | null };

const EVENT_COLUMNS: readonly RecordsetColumn<EventRecord>[] = [
  ['id', 'text'],
  ['key', 'text'],
  ['resource_type', 'text'],
  ['resource_id', 'text'],
  ['livemode', 'boolean'],
  ['created_at', 'timestamptz'],
  ['received_at', 'timestamptz'],
  ['processed_at', 'timestamptz'],
  ['outcome', 'text'],
  ['origin', 'text'],
  ['error', 'text'],
  ['raw', 'jsonb'],
];

/**
 * The upsert of {@link recordEvent} for one or more events (distinct ids, at most 5,000), as a
 * statement to execute or to end a CTE chain. The event id is the key, so a redelivered or
 * replayed event keeps one row: the latest processing wins, except that an event already
 * `projected` is never downgraded (a later failed retry of a redelivery does not undo the
 * projection that happened), `received_at` keeps the first arrival, and a record without
 * `raw` keeps the stored one.
 */
export const eventUpsertStatement = recordsetUpsert<EventRecord>({
  table: 'omise.events',
  columns: EVENT_COLUMNS,
  onConflict: [
    'key = excluded.key',
    'resource_type = excluded.resource_type',
    'resource_id = excluded.resource_id',
    'livemode = excluded.livemode',
    'created_at = excluded.created_at',
    'received_at = least(omise.events.received_at, excluded.received_at)',
    'processed_at = excluded.processed_at',
    'outcome = excluded.outcome',
    'origin = excluded.origin',
    'error = excluded.error',
    'raw = coalesce(excluded.raw, omise.events.raw)',
  ]
    .join(', ')
    .concat(" WHERE omise.events.outcome <> 'projected' OR excluded.outcome = 'projected'"),
});

/** Records what came of processing one Omise event (see {@link eventUpsertStatement}). */
export async function recordEvent(db: Kysely<Database>, row: EventRecord): Promise<void> {
  await eventUpsertStatement([row]).execute(db);
}

/** The event record, or `undefined`. */
export async function findEvent(db: Kysely<Database>, id: string): Promise<EventRow | undefined> {
  return db.selectFrom('omise.events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The event record; throws when the event was never recorded. */
export async function getEvent(db: Kysely<Database>, id: string): Promise<EventRow> {
  return db.selectFrom('omise.events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
