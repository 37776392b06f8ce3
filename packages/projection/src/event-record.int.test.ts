import { getEvent } from '@omise-sync/db';
import { eventRow, useTestDatabase } from '@omise-sync/testing';
import { recordEvents } from './event-record';

describe('recordEvents', () => {
  const database = useTestDatabase();

  it('when an event is recorded twice, there is one row with the first arrival time', async () => {
    const { db } = database.handle;
    await recordEvents(db, [eventRow({ id: 'evnt_dup' })]);
    await recordEvents(db, [
      eventRow({
        id: 'evnt_dup',
        received_at: '2026-01-01T00:05:00Z',
        processed_at: '2026-01-01T00:05:01Z',
        origin: 'replay',
      }),
    ]);
    const row = await getEvent(db, 'evnt_dup');
    expect(row).toMatchObject({
      received_at: new Date('2026-01-01T00:00:01Z'),
      processed_at: new Date('2026-01-01T00:05:01Z'),
      origin: 'replay',
      raw: { object: 'event', id: 'evnt_dup', data: [1, 2] },
    });
  });

  it('when a projected event later fails on a redelivery, it stays projected', async () => {
    const { db } = database.handle;
    await recordEvents(db, [eventRow({ id: 'evnt_keep' })]);
    await recordEvents(db, [eventRow({ id: 'evnt_keep', outcome: 'failed', error: 'HTTP 503' })]);
    expect(await getEvent(db, 'evnt_keep')).toMatchObject({ outcome: 'projected', error: null });
  });

  it('when a failed event is projected on replay, the outcome becomes projected', async () => {
    const { db } = database.handle;
    await recordEvents(db, [eventRow({ id: 'evnt_fix', outcome: 'failed', error: 'HTTP 503' })]);
    await recordEvents(db, [eventRow({ id: 'evnt_fix', origin: 'replay' })]);
    expect(await getEvent(db, 'evnt_fix')).toMatchObject({ outcome: 'projected', error: null });
  });
});
