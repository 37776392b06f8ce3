import { advanceEventsCursor } from './reconcile';

const event = (id: string, createdAt: string) => ({ id, created_at: createdAt });

describe('advanceEventsCursor', () => {
  it('when events are read, the cursor moves to the last time and keeps every id seen at it', () => {
    const next = advanceEventsCursor(
      undefined,
      [
        event('evnt_1', '2026-01-01T00:00:01Z'),
        event('evnt_2', '2026-01-01T00:00:02Z'),
        event('evnt_3', '2026-01-01T00:00:02Z'),
      ],
      undefined,
    );
    expect(next).toEqual({ createdAt: '2026-01-01T00:00:02.000Z', ids: ['evnt_2', 'evnt_3'] });
  });

  it('when more events of the cursor second arrive in a later chunk, their ids are added once', () => {
    const current = { createdAt: '2026-01-01T00:00:02.000Z', ids: ['evnt_2'] };
    const next = advanceEventsCursor(
      current,
      [event('evnt_2', '2026-01-01T00:00:02Z'), event('evnt_4', '2026-01-01T00:00:02Z')],
      undefined,
    );
    expect(next).toEqual({ createdAt: '2026-01-01T00:00:02.000Z', ids: ['evnt_2', 'evnt_4'] });
  });

  it('when the whole window was read, the cursor stands at its end with the ids of that second', () => {
    const to = new Date('2026-01-01T00:00:10Z');
    expect(advanceEventsCursor(undefined, [], to)).toEqual({
      createdAt: '2026-01-01T00:00:10.000Z',
      ids: [],
    });
    expect(
      advanceEventsCursor(
        { createdAt: '2026-01-01T00:00:03.000Z', ids: ['evnt_a'] },
        [event('evnt_z', '2026-01-01T00:00:10Z')],
        to,
      ),
    ).toEqual({ createdAt: '2026-01-01T00:00:10.000Z', ids: ['evnt_z'] });
  });

  it('when an older window is re-read (--since), the cursor never moves back', () => {
    const current = { createdAt: '2026-01-05T00:00:00.000Z', ids: ['evnt_new'] };
    expect(
      advanceEventsCursor(
        current,
        [event('evnt_old', '2026-01-01T00:00:00Z')],
        new Date('2026-01-02T00:00:00Z'),
      ),
    ).toBe(current);
  });
});
