import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { chargeUpsertStatement } from './charge.repository';
import { type EventRecord, eventUpsertStatement } from './event.repository';
import { MAX_ROWS_PER_RECORDSET } from './json-recordset';
import { refundUpsertStatement } from './refund.repository';
import { type NewCharge, type NewRefund, chunk, newestPerId } from './rows';

/** Observations of charges and their refunds, with the events that triggered them. */
export interface ChargeObservationWrite {
  charges: readonly NewCharge[];
  refunds: readonly NewRefund[];
  /** Event records; several with one id keep the last. */
  events: readonly EventRecord[];
}

/**
 * Writes charges, their refunds and the event records in ONE statement (data-modifying CTEs,
 * each table's rows in one jsonb parameter), with the same `observed_at` guard as
 * {@link upsertCharges} / {@link upsertRefunds}: the worker's hot path, one round trip.
 */
export async function writeChargeObservation(
  db: Kysely<Database>,
  write: ChargeObservationWrite,
): Promise<void> {
  const charges = newestPerId(write.charges);
  const refunds = newestPerId(write.refunds);
  // ON CONFLICT cannot touch one row twice in a statement: one record per event id.
  const events = [...new Map(write.events.map((event) => [event.id, event])).values()];
  // One statement whatever the size: each table's rows in chunks of one jsonb parameter each
  // (a chunk per table for the worker's batches; ids are distinct, so no two CTEs touch a row).
  const statements = [
    ...chunk(charges, MAX_ROWS_PER_RECORDSET).map((part) => chargeUpsertStatement(part)),
    ...chunk(refunds, MAX_ROWS_PER_RECORDSET).map((part) => refundUpsertStatement(part)),
    ...chunk(events, MAX_ROWS_PER_RECORDSET).map((part) => eventUpsertStatement(part)),
  ];
  const last = statements.pop();
  if (last === undefined) return;
  // Every CTE runs to completion whether or not anything reads it (data-modifying CTEs).
  const ctes = statements.map((statement, index) => sql`${sql.raw(`w${index}`)} AS (${statement})`);
  await (ctes.length === 0 ? last : sql`WITH ${sql.join(ctes)} ${last}`).execute(db);
}
