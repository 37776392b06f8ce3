import { findCharge, finishReconcileRun, getEvent, insertReconcileRun } from '@omise-sync/db';
import { recordEvents } from '@omise-sync/projection';
import { createCardCharge, eventRow, useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { OmiseNotFoundError } from '@omise-sync/omise-client';
import { Queue } from 'bullmq';
import { EventNotProjectedError, replayEvent, replayFailedJobs } from './replay';
import { collectStatus, formatStatus } from './status';
import { PIPELINE_TIMEOUT_MS, type Pipeline, startPipeline } from '../../test/pipeline-harness';

describe('replay and status', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let pipeline: Pipeline;
  // While true, the worker's Omise key is refused (401): its jobs fail without retry.
  let keyRevoked = false;
  const startedAt = new Date();

  beforeAll(async () => {
    pipeline = await startPipeline(database, redis, {
      seed: 'cli-replay',
      workerKeyRevoked: () => keyRevoked,
    });
  }, PIPELINE_TIMEOUT_MS);
  afterAll(async () => {
    await pipeline.close();
  }, PIPELINE_TIMEOUT_MS);

  const createCharge = (): string =>
    String(createCardCharge(pipeline.emulator, { amount: 150_000, currency: 'THB' })['id']);

  it('when jobs failed while the key was revoked, replay --failed retries each once and they are projected', async () => {
    const { db } = database.handle;
    keyRevoked = true;
    const chargeId = createCharge();
    await pipeline.idle();
    const failedBefore = await pipeline.events.getFailedCount();
    expect(failedBefore).toBeGreaterThan(0);
    expect(await findCharge(db, chargeId)).toBeUndefined();

    expect(
      await replayFailedJobs([pipeline.events, pipeline.followups], {
        since: new Date(Date.now() + 60_000),
      }),
    ).toEqual([]);

    keyRevoked = false;
    const retried = await replayFailedJobs([pipeline.events, pipeline.followups], {
      since: startedAt,
    });
    expect(retried).toHaveLength(failedBefore);
    expect(retried.map((job) => job.subject)).toContain(`charge.create ${chargeId}`);
    for (const job of retried) {
      expect(job).toMatchObject({ queue: 'omise-events', attemptsMade: 1 });
      expect(job.failedReason).toContain('OmiseAuthenticationError');
    }
    await pipeline.idle();
    expect(await pipeline.events.getFailedCount()).toBe(0);
    expect(await findCharge(db, chargeId)).toMatchObject({ id: chargeId, origin: 'webhook' });
  });

  it('when an event is replayed by id, it runs again under a new job with origin replay although its first job completed', async () => {
    const { db } = database.handle;
    const chargeId = createCharge();
    await pipeline.idle();
    const { id: eventId } = await db
      .selectFrom('omise.events')
      .select('id')
      .where('resource_id', '=', chargeId)
      .where('key', '=', 'charge.create')
      .executeTakeFirstOrThrow();
    expect((await getEvent(db, eventId)).origin).toBe('webhook');

    const replayed = await replayEvent(
      {
        account: 'default',
        omise: pipeline.omise,
        queue: pipeline.events,
        clock: { now: () => new Date() },
      },
      eventId,
    );
    expect(replayed).toMatchObject({ eventId, key: 'charge.create', resourceId: chargeId });
    expect(replayed.jobId).toMatch(new RegExp(`^${eventId}-replay-\\d+$`));
    await pipeline.idle();
    expect(await pipeline.events.getJobState(replayed.jobId)).toBe('completed');
    expect(await getEvent(db, eventId)).toMatchObject({ origin: 'replay', outcome: 'projected' });
    expect(await findCharge(db, chargeId)).toMatchObject({ origin: 'replay' });
  });

  it('when the event is unknown to Omise or about an object omise-sync does not project, replay says so and enqueues nothing', async () => {
    const deps = {
      account: 'default',
      omise: pipeline.omise,
      queue: pipeline.events,
      clock: { now: () => new Date() },
    };
    const unknownEvent = pipeline.emulator.actions.emitEvent('other_kind.create', {
      object: 'other_kind',
      id: 'othk_test_replay',
      livemode: false,
    });
    // Its webhook delivery is queued to be recorded as ignored; counted before the replays.
    await pipeline.idle();
    const before = await pipeline.events.getJobCountByTypes('waiting', 'completed', 'failed');
    await expect(replayEvent(deps, String(unknownEvent['id']))).rejects.toThrow(
      EventNotProjectedError,
    );
    await expect(replayEvent(deps, 'evnt_test_doesnotexist')).rejects.toThrow(OmiseNotFoundError);
    expect(await pipeline.events.getJobCountByTypes('waiting', 'completed', 'failed')).toBe(before);
  });

  it('when jobs wait and fail and a reconcile ran, status shows depths, the oldest wait, failures, the drift and the lag', async () => {
    const { db } = database.handle;
    keyRevoked = true;
    createCharge();
    await pipeline.idle();
    keyRevoked = false;
    // A queue no worker consumes, so its waiting jobs stay put.
    const probe = new Queue('status-probe', { connection: redis.connect(), prefix: redis.prefix });
    const oldest = await probe.add('probe', { n: 1 });
    await probe.add('probe', { n: 2 });
    const runId = await insertReconcileRun(db, {
      startedAt: new Date(Date.now() - 65_000),
      since: new Date(Date.now() - 7 * 24 * 3600_000),
    });
    await finishReconcileRun(db, runId, {
      finishedAt: new Date(Date.now() - 5_000),
      eventsSeen: 42,
      eventsEnqueued: 3,
      drift: { events_unprocessed: 3, charge_stale: 2 },
      repaired: { events_unprocessed: 3, charge_stale: 2 },
      error: null,
    });
    const at = new Date(oldest.timestamp + 90_000);
    const collect = () =>
      collectStatus({
        db,
        account: 'default',
        queues: [pipeline.events, pipeline.followups, probe],
        clock: { now: () => at },
      });
    const beforeReflected = await collect();
    // What a reconcile records for events a full backfill already reflected: no job, and
    // processed_at = received_at. They are not processing lag and must not count as such.
    for (let n = 0; n < 50; n += 1) {
      await recordEvents(db, [
        {
          account: 'default',
          id: `evnt_test_reflected${n}`,
          key: 'charge.create',
          resource_type: 'charge',
          resource_id: `chrg_test_reflected${n}`,
          livemode: false,
          created_at: new Date(at.getTime() - 3 * 24 * 3600_000),
          received_at: new Date(at.getTime() - 10_000),
          processed_at: new Date(at.getTime() - 10_000),
          outcome: 'projected',
          origin: 'backfill',
          error: null,
          raw: null,
        },
      ]);
    }
    const status = await collect();
    await probe.close();
    expect(status.lag).toEqual(beforeReflected.lag);

    expect(status.queues).toEqual([
      expect.objectContaining({ queue: 'omise-events', waiting: 0, failed: 1 }),
      expect.objectContaining({ queue: 'omise-followups', waiting: 0, failed: 0 }),
      expect.objectContaining({ queue: 'status-probe', waiting: 2, oldestWaitingSeconds: 90 }),
    ]);
    expect(status.lastReconcile).toMatchObject({ id: runId, events_seen: 42, events_enqueued: 3 });
    expect(status.lag.processed).toBeGreaterThan(0);
    expect(status.lag.p50Seconds).not.toBeNull();
    expect(status.lag.p99Seconds ?? 0).toBeGreaterThanOrEqual(status.lag.p50Seconds ?? 0);

    const text = formatStatus(status);
    expect(text).toMatch(/status-probe\s+2\s+0\s+0\s+0\s+0\s+1m30s/);
    expect(text).toContain(`#${runId}`);
    expect(text).toMatch(/charge_stale\s+2\s+2/);
    expect(text).toMatch(/events_unprocessed\s+3\s+3/);
    expect(text).toContain('received → processed');
  });
  it('when events of a kind omise-sync does not project were recorded ignored, status lists their keys with counts', async () => {
    const { db } = database.handle;
    const ignored = (id: string, key: string, createdAt: string, account = 'default') =>
      eventRow({
        id,
        account,
        key,
        resource_type: 'new_kind',
        resource_id: 'newk_test_1',
        created_at: createdAt,
        outcome: 'ignored',
      });
    await recordEvents(db, [
      ignored('evnt_test_newk1', 'new_kind.create', '2026-12-01T00:00:00Z'),
      ignored('evnt_test_newk2', 'new_kind.create', '2026-12-03T00:00:00Z'),
      ignored('evnt_test_newk3', 'new_kind.update', '2026-12-02T00:00:00Z'),
      ignored('evnt_test_newk4', 'new_kind.create', '2026-12-02T00:00:00Z', 'jp'),
    ]);
    const status = await collectStatus({
      db,
      account: 'default',
      queues: [],
      clock: { now: () => new Date() },
    });
    expect(status.ignoredKeys).toEqual(
      expect.arrayContaining([
        {
          key: 'new_kind.create',
          events: 2,
          firstAt: new Date('2026-12-01T00:00:00Z'),
          lastAt: new Date('2026-12-03T00:00:00Z'),
        },
        {
          key: 'new_kind.update',
          events: 1,
          firstAt: new Date('2026-12-02T00:00:00Z'),
          lastAt: new Date('2026-12-02T00:00:00Z'),
        },
      ]),
    );
    expect(formatStatus(status)).toMatch(
      /new_kind\.create\s+2\s+2026-12-01T00:00:00\.000Z\s+2026-12-03T00:00:00\.000Z/,
    );
  });
});
