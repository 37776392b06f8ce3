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
 * {@link upsertCharges} / {@link upsertRefunds}: the worker's hot path, one round trip. Writes
 * above 5,000 rows per table (never the worker's batches) take one statement per chunk.
 */
export async function writeChargeObservation(
  db: Kysely<Database>,
  write: ChargeObservationWrite,
): Promise<void> {
  const charges = newestPerId(write.charges);
  const refunds = newestPerId(write.refunds);
  // ON CONFLICT cannot touch one row twice in a statement: one record per event id.
  const events = [...new Map(write.events.map((event) => [event.id, event])).values()];
  if (
    charges.length > MAX_ROWS_PER_RECORDSET ||
    refunds.length > MAX_ROWS_PER_RECORDSET ||
    events.length > MAX_ROWS_PER_RECORDSET
  ) {
    for (const part of chunk(charges, MAX_ROWS_PER_RECORDSET)) {
      await chargeUpsertStatement(part).execute(db);
    }
    for (const part of chunk(refunds, MAX_ROWS_PER_RECORDSET)) {
      await refundUpsertStatement(part).execute(db);
    }
    for (const part of chunk(events, MAX_ROWS_PER_RECORDSET)) {
      await eventUpsertStatement(part).execute(db);
    }
    return;
  }
  const statements = [
    charges.length > 0 ? chargeUpsertStatement(charges) : undefined,
    refunds.length > 0 ? refundUpsertStatement(refunds) : undefined,
    events.length > 0 ? eventUpsertStatement(events) : undefined,
  ].filter((statement) => statement !== undefined);
  const last = statements.pop();
  if (last === undefined) return;
  // Every CTE runs to completion whether or not anything reads it (data-modifying CTEs).
  const ctes = statements.map((statement, index) => sql`${sql.raw(`w${index}`)} AS (${statement})`);
  await (ctes.length === 0 ? last : sql`WITH ${sql.join(ctes)} ${last}`).execute(db);
}
