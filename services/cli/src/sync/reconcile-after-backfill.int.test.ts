import { deleteSyncCheckpoint, findSyncCheckpoint } from '@omise-sync/db';
import { useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { runScenario } from '@omise-sync/omise-emulator';
import { systemClock } from '@omise-sync/core';
import {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DEFAULT_DISPUTE_RESPONSE_DAYS,
} from '@omise-sync/projection';
import {
  BACKFILL_RESOURCES,
  BackfillCursor,
  backfillCheckpointName,
  runBackfill,
} from './backfill';
import { silentProgress } from './progress-reporter';
import { RECONCILE_EVENTS_CHECKPOINT, runReconcile } from './reconcile';
import {
  PIPELINE_TIMEOUT_MS,
  type Pipeline,
  reconcileDepsOf,
  startPipeline,
} from '../../test/pipeline-harness';
import { silentLogger } from '../../test/sync-test-kit';

const WEEK_MS = 7 * 24 * 3600_000;
const HOUR_MS = 3600_000;

describe('the first reconcile after a full backfill', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let pipeline: Pipeline;
  // Omise's clock: history two hours ago, the backfill and later traffic one hour ago.
  let omiseNow = Date.now() - 2 * HOUR_MS;

  beforeAll(async () => {
    pipeline = await startPipeline(database, redis, {
      seed: 'cli-reconcile-after-backfill',
      // No delivery arrives: only the backfill and the reconcile bring anything in.
      faults: { webhookDropShare: 1 },
      emulatorNow: () => omiseNow,
    });
  }, PIPELINE_TIMEOUT_MS);
  afterAll(async () => {
    await pipeline.close();
  }, PIPELINE_TIMEOUT_MS);

  const reconcileDeps = () => reconcileDepsOf(pipeline, database);

  const backfillDeps = () => ({
    db: database.handle.db,
    omise: pipeline.omise,
    clock: systemClock,
    progress: silentProgress,
    logger: silentLogger,
    account: 'default',
    severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
    responseDays: DEFAULT_DISPUTE_RESPONSE_DAYS,
  });

  const eventTimes = () =>
    pipeline.emulator.listAll('events').map((event) => Date.parse(String(event['created_at'])));

  it('records the history a full backfill already wrote instead of fetching it again, and enqueues what came after', async () => {
    const { db } = database.handle;
    const { emulator } = pipeline;
    await runScenario(emulator, {
      charges: 12,
      refundShare: 0.25,
      disputeShare: 0.25,
      ratePerSecond: 200,
      seed: 3,
    });
    const history = emulator.count('events');
    expect(history).toBeGreaterThan(12);

    omiseNow = Date.now() - HOUR_MS;
    await runBackfill(backfillDeps(), { resources: [...BACKFILL_RESOURCES] });
    const windowEnds = await Promise.all(
      BACKFILL_RESOURCES.map(async (resource) => {
        const stored = await findSyncCheckpoint(db, backfillCheckpointName(resource));
        return Date.parse(BackfillCursor.parse(stored?.cursor).to);
      }),
    );
    const backfillEnd = Math.min(...windowEnds);

    // Traffic a minute after the backfill: the reconcile must still bring it in.
    omiseNow += 60_000;
    await runScenario(emulator, {
      charges: 2,
      refundShare: 0,
      disputeShare: 0,
      ratePerSecond: 200,
      seed: 4,
    });
    const later = emulator.count('events') - history;
    expect(later).toBeGreaterThan(0);
    const workerGetsBefore = await pipeline.workerOmiseGets();

    // Paused, the worker cannot project the new charges' events before the run lists the
    // charges, so what the worker fetches does not depend on which of them is faster.
    await pipeline.events.pause();
    let report: Awaited<ReturnType<typeof runReconcile>>;
    try {
      report = await runReconcile(reconcileDeps(), { lookbackMs: WEEK_MS, settleMs: 0 });
    } finally {
      await pipeline.events.resume();
    }
    expect(report.events.seen).toBe(history + later);
    expect(report.events.reflected).toBe(history);
    expect(report.events.actions.enqueued).toBe(later);
    await pipeline.idle();

    // The history is recorded as projected by the backfill; the later events by the worker.
    const recorded = await db.selectFrom('omise.events').select(['origin', 'outcome']).execute();
    expect(recorded.filter((row) => row.origin === 'backfill')).toHaveLength(history);
    expect(recorded.filter((row) => row.origin === 'reconcile')).toHaveLength(later);
    expect(recorded.every((row) => row.outcome === 'projected')).toBe(true);
    expect(Math.max(...eventTimes().slice(0, history))).toBeLessThan(backfillEnd);
    const charges = await db.selectFrom('omise.charges').select('id').execute();
    expect(new Set(charges.map((row) => row.id))).toEqual(
      new Set(emulator.listAll('charges').map((charge) => String(charge['id']))),
    );
    // The charge listing wrote the new charges (the two and the first run of the scenario's
    // schedule), the directories phase the new customer, schedule, recipient and link, so the
    // worker's jobs for them found their rows current; it fetched nothing, in particular none
    // of the 12 charges of the history.
    expect(report.drift.charge_missing).toBe(3);
    const workerGets = [...(await pipeline.workerOmiseGets())].filter(
      ([path, n]) => n > (workerGetsBefore.get(path) ?? 0),
    );
    expect(workerGets).toEqual([]);
  });

  it('records nothing as reflected when the backfill did not start from the beginning', async () => {
    const { db } = database.handle;
    // A `--since` walk of charges: older charges were not listed again.
    await runBackfill(backfillDeps(), {
      resources: ['charges'],
      since: new Date(omiseNow - HOUR_MS),
      restart: true,
    });
    // As if nothing had been processed or queued yet.
    await deleteSyncCheckpoint(db, RECONCILE_EVENTS_CHECKPOINT);
    await db.deleteFrom('omise.events').execute();
    await pipeline.events.clean(0, 10_000, 'completed');
    const report = await runReconcile(reconcileDeps(), { lookbackMs: WEEK_MS, settleMs: 0 });
    expect(report.events.reflected).toBe(0);
    expect(report.events.actions.enqueued).toBe(pipeline.emulator.count('events'));
    await pipeline.idle();
  });
});
