import { useTestDatabase } from '@omise-sync/testing';
import {
  deleteSyncCheckpoint,
  findLatestReconcileRun,
  findSyncCheckpoint,
  finishReconcileRun,
  insertReconcileRun,
  listSyncCheckpoints,
  saveSyncCheckpoint,
} from './sync-state.repository';

describe('sync state repository', () => {
  const database = useTestDatabase();

  it('when a checkpoint is saved twice, the second cursor replaces the first', async () => {
    const { db } = database.handle;
    await saveSyncCheckpoint(db, 'backfill:charges', { offset: 100, ids: ['a'] });
    await saveSyncCheckpoint(db, 'backfill:charges', { offset: 200, ids: [] });
    expect((await findSyncCheckpoint(db, 'backfill:charges'))?.cursor).toEqual({
      offset: 200,
      ids: [],
    });
  });

  it('when the transaction that saved a checkpoint rolls back, the old cursor stays', async () => {
    const { db } = database.handle;
    await saveSyncCheckpoint(db, 'backfill:disputes', { offset: 1 });
    await expect(
      db.transaction().execute(async (trx) => {
        await saveSyncCheckpoint(trx, 'backfill:disputes', { offset: 2 });
        throw new RangeError('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect((await findSyncCheckpoint(db, 'backfill:disputes'))?.cursor).toEqual({ offset: 1 });
  });

  it('when checkpoints are listed by prefix, only that walk family is returned, by name', async () => {
    const { db } = database.handle;
    await saveSyncCheckpoint(db, 'reconcile:events', { createdAt: null });
    await saveSyncCheckpoint(db, 'backfill_x', { other: true });
    const names = (await listSyncCheckpoints(db, 'backfill:')).map((row) => row.name);
    expect(names).toEqual(['backfill:charges', 'backfill:disputes']);
    await deleteSyncCheckpoint(db, 'backfill:disputes');
    expect(await findSyncCheckpoint(db, 'backfill:disputes')).toBeUndefined();
  });

  it('when runs exist, the latest finished one is reported and an unfinished one is not', async () => {
    const { db } = database.handle;
    expect(await findLatestReconcileRun(db)).toBeUndefined();
    const first = await insertReconcileRun(db, {
      startedAt: new Date('2026-01-01T00:00:00Z'),
      since: new Date('2025-12-25T00:00:00Z'),
    });
    await finishReconcileRun(db, first, {
      finishedAt: new Date('2026-01-01T00:01:00Z'),
      eventsSeen: 10,
      eventsEnqueued: 2,
      drift: { charge_stale: 1, events_unprocessed: 2 },
      repaired: { charge_stale: 1 },
      error: null,
    });
    await insertReconcileRun(db, {
      startedAt: new Date('2026-01-01T00:15:00Z'),
      since: new Date('2025-12-25T00:00:00Z'),
    });
    const latest = await findLatestReconcileRun(db);
    expect(latest).toMatchObject({
      id: first,
      events_seen: 10,
      events_enqueued: 2,
      drift: { charge_stale: 1, events_unprocessed: 2 },
      repaired: { charge_stale: 1 },
      error: null,
    });
    expect(latest?.finished_at).toEqual(new Date('2026-01-01T00:01:00Z'));
  });
});
