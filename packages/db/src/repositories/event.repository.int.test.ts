import { eventRow, useTestDatabase } from '@omise-sync/testing';
import { findEvent, getEvent } from './event.repository';
import { json } from './rows';

describe('event repository', () => {
  const database = useTestDatabase();

  it('when an event was recorded, find and get return its row', async () => {
    const { db } = database.handle;
    await db
      .insertInto('omise.events')
      .values({
        ...eventRow({ id: 'evnt_read' }),
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
