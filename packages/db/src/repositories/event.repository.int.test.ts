import { useTestDatabase } from '../testing';
import { findEvent, getEvent } from './event.repository';
import { json } from './rows';

describe('event repository', () => {
  const database = useTestDatabase();

  it('when an event was recorded, find and get return its row', async () => {
    const { db } = database.handle;
    await db
      .insertInto('omise.events')
      .values({
        id: 'evnt_read',
        key: 'charge.create',
        resource_type: 'charge',
        resource_id: 'chrg_test_1',
        livemode: false,
        created_at: '2026-01-01T00:00:00Z',
        received_at: '2026-01-01T00:00:01Z',
        processed_at: '2026-01-01T00:00:02Z',
        outcome: 'projected',
        origin: 'webhook',
        error: null,
        raw: json({ object: 'event', id: 'evnt_read', data: [1, 2] }),
      })
      .execute();
    expect(await getEvent(db, 'evnt_read')).toMatchObject({
      received_at: new Date('2026-01-01T00:00:01Z'),
      outcome: 'projected',
      raw: { object: 'event', id: 'evnt_read', data: [1, 2] },
    });
    expect(await findEvent(db, 'evnt_read')).toBeDefined();
  });

  it('when an event was never recorded, find returns undefined and get throws', async () => {
    const { db } = database.handle;
    expect(await findEvent(db, 'evnt_never')).toBeUndefined();
    await expect(getEvent(db, 'evnt_never')).rejects.toThrow();
  });
});
