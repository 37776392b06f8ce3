import { findEvent, listEventPartitions } from '@omise-sync/db';
import { eventRow, useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { recordEvents } from '@omise-sync/projection';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { waitFor } from '../test/event-jobs';
import { type Harness, startHarness } from '../test/worker-harness';

// Issue 27 item 4: event history partitioned by month, created ahead by the worker at start
// and hourly, and dropped whole after EVENTS_RETENTION_DAYS.
describe('event partitions kept by the worker', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let harness: Harness;
  let now = new Date('2038-03-10T12:00:00Z');

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'worker-partitions' });
    harness = await startHarness(database, redis, emulator, {
      clock: { now: () => now },
      eventsRetentionDays: 60,
    });
  });
  afterAll(async () => {
    await harness.close();
    await emulator.close();
  });

  it('when the worker starts, the partitions of this month and the next three exist', async () => {
    await waitFor(
      async () => {
        const partitions = await listEventPartitions(database.handle.db);
        return ['events_2038_03', 'events_2038_04', 'events_2038_05', 'events_2038_06'].every(
          (name) => partitions.includes(name),
        );
      },
      { what: 'the partitions created at start' },
    );
  });

  it('when the month of a recorded event ends EVENTS_RETENTION_DAYS before a pass, that pass drops its partition', async () => {
    const { db } = database.handle;
    const eventId = 'evnt_test_partitioned';
    await recordEvents(db, [eventRow({ id: eventId, created_at: '2038-03-31T23:59:59Z' })]);
    const stored = await waitFor(() => findEvent(db, eventId), { what: 'the event record' });
    expect(stored.outcome).toBe('projected');

    // March ended 59 days before: kept.
    now = new Date('2038-05-30T00:00:00Z');
    const result = await harness.worker.maintainPartitions();
    expect(result.dropped).toEqual([]);
    expect(await findEvent(db, eventId)).toBeDefined();

    // March ended 60 days before: dropped whole.
    now = new Date('2038-05-31T00:00:00Z');
    expect((await harness.worker.maintainPartitions()).dropped).toContain('events_2038_03');
    expect(await findEvent(db, eventId)).toBeUndefined();
    expect(await listEventPartitions(db)).toEqual(
      expect.arrayContaining(['events_2038_04', 'events_2038_08']),
    );
  });
});
