import { sql } from 'kysely';
import { useTestDatabase } from '../testing';
import { getCharge } from './charge.repository';
import { writeChargeObservation } from './charge-observation.repository';
import { type EventRecord, getEvent } from './event.repository';
import { MAX_ROWS_PER_RECORDSET } from './json-recordset';
import { beginProjection } from './projection-lock.repository';
import { findRefundsByCharge } from './refund.repository';
import { chargeRow, refundRow } from './test-rows';

function event(id: string): EventRecord {
  return {
    id,
    key: 'refund.create',
    resource_type: 'refund',
    resource_id: 'rfnd_x',
    livemode: false,
    created_at: '2026-01-01T00:00:00Z',
    received_at: '2026-01-01T00:00:01Z',
    processed_at: '2026-01-01T00:00:02Z',
    outcome: 'projected',
    origin: 'webhook',
    error: null,
    raw: { id },
  };
}

describe('writeChargeObservation and beginProjection', () => {
  const database = useTestDatabase();

  it('when charges, refunds and events are written together, all land in one statement with the guard', async () => {
    const { db } = database.handle;
    await writeChargeObservation(db, {
      charges: [
        chargeRow({ id: 'chrg_w1', refunded_amount: 1_000, observed_at: '2026-01-01T00:00:05Z' }),
      ],
      refunds: [
        refundRow({ id: 'rfnd_w1', charge_id: 'chrg_w1', observed_at: '2026-01-01T00:00:05Z' }),
      ],
      events: [event('evnt_w1'), event('evnt_w2'), event('evnt_w1')],
    });
    // An older observation of the same charge in a later write is refused; its event still lands.
    await writeChargeObservation(db, {
      charges: [
        chargeRow({ id: 'chrg_w1', refunded_amount: 0, observed_at: '2026-01-01T00:00:01Z' }),
      ],
      refunds: [],
      events: [event('evnt_w3')],
    });
    expect((await getCharge(db, 'chrg_w1')).refunded_amount).toBe(1_000);
    expect((await findRefundsByCharge(db, 'chrg_w1')).map((r) => r.id)).toEqual(['rfnd_w1']);
    for (const id of ['evnt_w1', 'evnt_w2', 'evnt_w3']) {
      expect((await getEvent(db, id)).outcome).toBe('projected');
    }
  });

  it('when only events are written (all coalesced), they are recorded', async () => {
    const { db } = database.handle;
    await writeChargeObservation(db, { charges: [], refunds: [], events: [event('evnt_only')] });
    expect((await getEvent(db, 'evnt_only')).outcome).toBe('projected');
  });

  it('when charges and refunds are written without events, both land (no event statement)', async () => {
    const { db } = database.handle;
    await writeChargeObservation(db, {
      charges: [chargeRow({ id: 'chrg_ne', observed_at: '2026-01-01T00:00:05Z' })],
      refunds: [refundRow({ id: 'rfnd_ne', charge_id: 'chrg_ne' })],
      events: [],
    });
    await writeChargeObservation(db, {
      charges: [chargeRow({ id: 'chrg_ne2' })],
      refunds: [],
      events: [],
    });
    expect((await getCharge(db, 'chrg_ne')).id).toBe('chrg_ne');
    expect((await getCharge(db, 'chrg_ne2')).id).toBe('chrg_ne2');
    expect((await findRefundsByCharge(db, 'chrg_ne')).map((r) => r.id)).toEqual(['rfnd_ne']);
  });

  it('when an event record has no raw envelope, the stored one is kept', async () => {
    const { db } = database.handle;
    await writeChargeObservation(db, { charges: [], refunds: [], events: [event('evnt_keep')] });
    await writeChargeObservation(db, {
      charges: [],
      refunds: [],
      events: [{ ...event('evnt_keep'), raw: null, processed_at: '2026-01-01T00:09:00Z' }],
    });
    const row = await getEvent(db, 'evnt_keep');
    expect(row.raw).toEqual({ id: 'evnt_keep' });
    expect(row.processed_at).toEqual(new Date('2026-01-01T00:09:00Z'));
  });

  it('when a charge is written, every column reads back as given', async () => {
    const { db } = database.handle;
    const written = chargeRow({
      id: 'chrg_cols',
      amount: 123_456_789_012,
      failure_code: 'insufficient_fund',
      failure_message: 'insufficient funds "quoted" \\ and ✓ emoji 😀',
      metadata: JSON.stringify({ order: 'A-1', nested: { n: [1, null] } }),
      paid_at: '2026-01-01T00:00:03.123Z',
      raw: { id: 'chrg_cols', note: 'ok' },
    });
    await writeChargeObservation(db, { charges: [written], refunds: [], events: [] });
    expect(await getCharge(db, 'chrg_cols')).toMatchObject({
      amount: 123_456_789_012,
      failure_code: 'insufficient_fund',
      failure_message: 'insufficient funds "quoted" \\ and ✓ emoji 😀',
      metadata: { order: 'A-1', nested: { n: [1, null] } },
      paid_at: new Date('2026-01-01T00:00:03.123Z'),
      raw: { id: 'chrg_cols', note: 'ok' },
    });
  });

  it('when a write holds more rows than one recordset, it still lands in one statement', async () => {
    const { db } = database.handle;
    const events = Array.from({ length: MAX_ROWS_PER_RECORDSET + 1 }, (_, i) =>
      event(`evnt_n${i}`),
    );
    await writeChargeObservation(db, { charges: [], refunds: [], events });
    const { count } = await db
      .selectFrom('omise.events')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('id', 'like', 'evnt_n%')
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(MAX_ROWS_PER_RECORDSET + 1);
  });

  it('when two transactions lock overlapping sets in opposite orders, neither deadlocks', async () => {
    const { db } = database.handle;
    const run = (keys: string[]) =>
      db.connection().execute(async (connection) => {
        await beginProjection(connection, keys);
        await sql`SELECT pg_sleep(0.05)`.execute(connection);
        await sql`COMMIT`.execute(connection);
      });
    await expect(
      Promise.all([
        run(['charge:a', 'charge:b', 'charge:c']),
        run(['charge:c', 'charge:b', 'charge:a']),
        run(['charge:b', 'charge:a']),
      ]),
    ).resolves.toBeDefined();
  });
});
