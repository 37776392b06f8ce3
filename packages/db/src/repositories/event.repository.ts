import { type Kysely, type QueryCreator, sql } from 'kysely';
import type { Database } from '../database';
import { json, type EventRow, type NewEvent } from './rows';

/** An event record to write; `raw` is the envelope as received, or null when unknown. */
export type EventRecord = Omit<NewEvent, 'raw'> & { raw: Record<string, unknown> | null };

/**
 * Records what came of processing one Omise event. The event id is the key, so a redelivered
 * or replayed event keeps one row: the latest processing wins, except that an event already
 * `projected` is never downgraded (a later failed retry of a redelivery does not undo the
 * projection that happened), and `received_at` keeps the first arrival.
 */
export async function recordEvent(db: Kysely<Database>, row: EventRecord): Promise<void> {
  await eventUpsertQuery(db, row).execute();
}

/**
 * The event upsert of {@link recordEvent} for one or more events (distinct ids), as a query to
 * execute or to end a CTE chain.
 */
export function eventUpsertQuery(
  qc: QueryCreator<Database>,
  rows: EventRecord | readonly EventRecord[],
) {
  const list: readonly EventRecord[] = Array.isArray(rows) ? rows : [rows as EventRecord];
  return qc
    .insertInto('omise.events')
    .values(list.map((row) => ({ ...row, raw: row.raw === null ? null : json(row.raw) })))
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          key: eb.ref('excluded.key'),
          resource_type: eb.ref('excluded.resource_type'),
          resource_id: eb.ref('excluded.resource_id'),
          livemode: eb.ref('excluded.livemode'),
          created_at: eb.ref('excluded.created_at'),
          received_at: sql<Date>`least(omise.events.received_at, excluded.received_at)`,
          processed_at: eb.ref('excluded.processed_at'),
          outcome: eb.ref('excluded.outcome'),
          origin: eb.ref('excluded.origin'),
          error: eb.ref('excluded.error'),
          raw: sql<string>`coalesce(excluded.raw, omise.events.raw)`,
        }))
        .where((eb) =>
          eb.or([
            eb('omise.events.outcome', '<>', 'projected'),
            eb('excluded.outcome', '=', 'projected'),
          ]),
        ),
    );
}

/** The event record, or `undefined`. */
export async function findEvent(db: Kysely<Database>, id: string): Promise<EventRow | undefined> {
  return db.selectFrom('omise.events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The event record; throws when the event was never recorded. */
export async function getEvent(db: Kysely<Database>, id: string): Promise<EventRow> {
  return db.selectFrom('omise.events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
