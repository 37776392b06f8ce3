import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { chargeUpsertQuery, upsertCharges } from './charge.repository';
import { type EventRecord, eventUpsertQuery, recordEvent } from './event.repository';
import { refundUpsertQuery, upsertRefunds } from './refund.repository';
import { MAX_ROWS_PER_STATEMENT, type NewCharge, type NewRefund, newestPerId } from './rows';

/** Observations of charges and their refunds, with the events that triggered them. */
export interface ChargeObservationWrite {
  charges: readonly NewCharge[];
  refunds: readonly NewRefund[];
  /** Event records; several with one id keep the last. */
  events: readonly EventRecord[];
}

/**
 * Writes charges, their refunds and the event record in ONE statement (data-modifying CTEs),
 * with the same `observed_at` guard as {@link upsertCharges} / {@link upsertRefunds}. The
 * worker's hot path: one round trip instead of three. Larger writes fall back to the batched
 * functions.
 */
export async function writeChargeObservation(
  db: Kysely<Database>,
  write: ChargeObservationWrite,
): Promise<void> {
  const charges = newestPerId(write.charges);
  const refunds = newestPerId(write.refunds);
  // ON CONFLICT cannot touch one row twice in a statement: one record per event id.
  const events = [...new Map(write.events.map((event) => [event.id, event])).values()];
  if (events.length === 0) {
    await upsertCharges(db, charges);
    await upsertRefunds(db, refunds);
    return;
  }
  if (charges.length === 0 && refunds.length === 0 && events.length <= MAX_ROWS_PER_STATEMENT) {
    await eventUpsertQuery(db, events).execute();
    return;
  }
  if (
    charges.length === 0 ||
    charges.length > MAX_ROWS_PER_STATEMENT ||
    refunds.length > MAX_ROWS_PER_STATEMENT ||
    events.length > MAX_ROWS_PER_STATEMENT
  ) {
    await upsertCharges(db, charges);
    await upsertRefunds(db, refunds);
    for (const event of events) await recordEvent(db, event);
    return;
  }
  // Composed with sql`` rather than db.with(): each part is the same query builder the batched
  // functions execute, so the guard and column lists cannot drift apart.
  const chargeCte = sql`written_charges AS (${chargeUpsertQuery(db, charges)})`;
  const ctes =
    refunds.length === 0
      ? chargeCte
      : sql`${chargeCte}, written_refunds AS (${refundUpsertQuery(db, refunds)})`;
  await sql`WITH ${ctes} ${eventUpsertQuery(db, events)}`.execute(db);
}
