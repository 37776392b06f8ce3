import { findSyncCheckpoint, saveSyncCheckpoint } from '@omise-sync/db';
import { useTestDatabase } from '@omise-sync/testing';
import { type Emulator, seedCharges, startEmulator } from '@omise-sync/omise-emulator';
import { systemClock } from '@omise-sync/core';
import {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DEFAULT_DISPUTE_RESPONSE_DAYS,
} from '@omise-sync/projection';
import { type BackfillDeps, BackfillCursor, runBackfill } from './backfill';
import { type ProgressReporter, silentProgress } from './progress-reporter';
import { CheckpointConflictError, SyncAlreadyRunningError } from './sync-errors';
import { withSyncLease } from './sync-lease';
import { countRows, countingClient, silentLogger } from '../../test/sync-test-kit';

describe('backfill', () => {
  const database = useTestDatabase();
  let emulator: Emulator;
  // The emulator's clock: everything seeded at once shares one second, and Omise lists by
  // whole seconds, so windows are told apart by moving this clock.
  let emulatorNow = Date.parse('2026-03-01T00:00:00Z');

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'cli-backfill', now: () => emulatorNow });
    await seedCharges(emulator, { charges: 1_200, refundShare: 0.2, disputeShare: 0.05, seed: 7 });
    emulatorNow += 10_000;
  });
  afterAll(async () => {
    await emulator.close();
  });

  const depsWith = (overrides: Partial<BackfillDeps> = {}): BackfillDeps => ({
    db: database.handle.db,
    omise: countingClient(emulator).client,
    clock: systemClock,
    progress: silentProgress,
    logger: silentLogger,
    account: 'default',
    severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
    responseDays: DEFAULT_DISPUTE_RESPONSE_DAYS,
    ...overrides,
  });

  it('when a backfill is stopped after its first batch and run again, it resumes from the checkpoint and ends with everything once', async () => {
    const { db } = database.handle;
    const controller = new AbortController();
    // Stops the walk as soon as the first batch has committed.
    const stopAfterFirstBatch: ProgressReporter = {
      ...silentProgress,
      update: () => controller.abort(),
    };
    const [first] = await runBackfill(
      depsWith({ progress: stopAfterFirstBatch, signal: controller.signal }),
      { resources: ['charges', 'disputes'], batchSize: 300, prefetchPages: 2 },
    );
    expect(first).toMatchObject({ resource: 'charges', status: 'interrupted', resumed: false });
    const stored = BackfillCursor.parse((await findSyncCheckpoint(db, 'backfill:charges'))?.cursor);
    expect(stored.completedAt).toBeNull();
    expect(stored.offset).toBeGreaterThanOrEqual(300);
    expect(stored.offset).toBeLessThan(1_200);
    // Rows and checkpoint commit together: exactly the checkpoint's items are in Postgres.
    expect(await countRows(db, 'omise.charges')).toBe(stored.offset);

    const { client, pages } = countingClient(emulator);
    const summaries = await runBackfill(depsWith({ omise: client }), {
      resources: ['charges', 'disputes'],
      batchSize: 300,
    });
    expect(summaries.map((s) => [s.resource, s.status, s.resumed])).toEqual([
      ['charges', 'completed', true],
      ['disputes', 'completed', false],
    ]);
    expect(summaries[0]?.startOffset).toBe(stored.offset);
    expect(summaries[0]?.pages).toBe(Math.ceil((1_200 - stored.offset) / 100));
    expect(pages.get('/charges')).toBe(Math.ceil((1_200 - stored.offset) / 100));

    const charges = await db.selectFrom('omise.charges').select(['id', 'origin']).execute();
    expect(charges).toHaveLength(1_200);
    expect(new Set(charges.map((c) => c.id))).toEqual(
      new Set(emulator.listAll('charges').map((c) => String(c.id))),
    );
    expect(new Set(charges.map((c) => c.origin))).toEqual(new Set(['backfill']));
    expect(await countRows(db, 'omise.refunds')).toBe(emulator.count('refunds'));
    expect(await countRows(db, 'omise.disputes')).toBe(emulator.count('disputes'));
    const checkpoint = BackfillCursor.parse(
      (await findSyncCheckpoint(db, 'backfill:charges'))?.cursor,
    );
    expect(checkpoint).toMatchObject({ offset: 1_200, total: 1_200, written: 1_200 });
    expect(checkpoint.completedAt).not.toBeNull();
  });

  it('when disputes are found, each gets one flag with origin backfill and no notification owed; closed ones are resolved at once', async () => {
    const { db } = database.handle;
    const disputes = emulator.listAll('disputes');
    const active = disputes.filter((d) => d.status === 'open' || d.status === 'pending');
    const closed = disputes.filter((d) => d.status === 'won' || d.status === 'lost');
    expect(active.length).toBeGreaterThan(0);
    expect(closed.length).toBeGreaterThan(0);
    const flags = await db.selectFrom('omise.dispute_flags').selectAll().execute();
    expect(new Set(flags.map((f) => f.dispute_id))).toEqual(
      new Set(disputes.map((d) => String(d.id))),
    );
    const byId = new Map(flags.map((flag) => [flag.dispute_id, flag]));
    for (const flag of flags) expect(flag).toMatchObject({ origin: 'backfill', notify: false });
    for (const dispute of active) {
      expect(byId.get(String(dispute.id))).toMatchObject({
        first_seen_status: dispute.status,
        resolved_at: null,
        resolution: null,
      });
    }
    for (const dispute of closed) {
      const flag = byId.get(String(dispute.id));
      expect(flag).toMatchObject({ first_seen_status: dispute.status, resolution: dispute.status });
      expect(flag?.resolved_at).toBeInstanceOf(Date);
    }
  });

  it('when a finished backfill runs again, it fetches only what is newer than its window', async () => {
    const { db } = database.handle;
    const before = BackfillCursor.parse((await findSyncCheckpoint(db, 'backfill:charges'))?.cursor);
    emulatorNow += 10_000;
    await seedCharges(emulator, { charges: 30, refundShare: 0, disputeShare: 0, seed: 8 });
    const { client, pages } = countingClient(emulator);
    const [charges] = await runBackfill(depsWith({ omise: client }), { resources: ['charges'] });
    expect(charges?.from).toBe(before.to);
    expect(charges?.items).toBe(30);
    expect(pages.get('/charges')).toBe(1);
    expect(await countRows(db, 'omise.charges')).toBe(1_230);
  });

  it('when --since differs from an unfinished walk, it refuses, and --restart starts over', async () => {
    const { db } = database.handle;
    await saveSyncCheckpoint(db, 'backfill:disputes', {
      from: '1970-01-01T00:00:00.000Z',
      to: new Date().toISOString(),
      offset: 5,
      total: 60,
      written: 5,
      pages: 1,
      startedAt: new Date().toISOString(),
      completedAt: null,
    } satisfies BackfillCursor);
    const since = new Date('2020-01-01T00:00:00Z');
    await expect(runBackfill(depsWith(), { resources: ['disputes'], since })).rejects.toThrow(
      CheckpointConflictError,
    );
    const [disputes] = await runBackfill(depsWith(), {
      resources: ['disputes'],
      since,
      restart: true,
    });
    expect(disputes).toMatchObject({ status: 'completed', resumed: false, startOffset: 0 });
    expect(disputes?.items).toBe(emulator.count('disputes'));
  });

  it('when another backfill holds the lock, a second one fails at once', async () => {
    const { db } = database.handle;
    await withSyncLease(db, { name: 'omise-sync:backfill', account: 'default' }, async () => {
      await expect(runBackfill(depsWith(), { resources: ['charges'] })).rejects.toThrow(
        SyncAlreadyRunningError,
      );
    });
  });
});
