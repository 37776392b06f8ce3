import { createDatabase, findCharge, findEvent, getCharge, getEvent } from '@omise-sync/db';
import {
  createCardCharge,
  startTcpProxy,
  useTestDatabase,
  useTestRedis,
} from '@omise-sync/testing';
import { Charge, createOmiseClient } from '@omise-sync/omise-client';
import { type Emulator, NO_FAULTS, startEmulator } from '@omise-sync/omise-emulator';
import {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  embeddedRefunds,
  projectBatch,
} from '@omise-sync/projection';
import { systemClock } from '@omise-sync/core';
import { toEventJob, waitFor } from '../test/event-jobs';
import { type Harness, startHarness } from '../test/worker-harness';

describe('failures', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let harness: Harness | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'worker-failures' });
  });
  afterEach(async () => {
    emulator.setFaults(NO_FAULTS);
    await harness?.close();
    harness = undefined;
  });
  afterAll(async () => {
    await emulator.close();
  });

  const newCharge = () => createCardCharge(emulator, { amount: 100_000, currency: 'THB' });
  const createEventOf = (chargeId: string) => {
    const event = emulator
      .listAll('events')
      .find(
        (e) =>
          e['key'] === 'charge.create' && (e['data'] as Record<string, unknown>)['id'] === chargeId,
      );
    if (event === undefined) throw new Error(`no event for ${chargeId}`);
    return event;
  };
  const outcomes = async (h: Harness): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const v of (await h.metrics.jobs.get()).values) counts[String(v.labels.outcome)] = v.value;
    return counts;
  };

  it('when Omise answers 404, the event is recorded as not_found and not retried', async () => {
    harness = await startHarness(database, redis, emulator);
    const event = createEventOf(String(newCharge()['id']));
    const job = toEventJob(event);
    await harness.enqueue({ ...job, resourceId: 'chrg_test_doesnotexist00000000' });
    const settled = await harness.settled(job.eventId);
    expect(await settled.getState()).toBe('completed');
    expect(settled.attemptsMade).toBe(1);
    expect(await harness.omiseCalls()).toBe(1);
    expect(await getEvent(database.handle.db, job.eventId)).toMatchObject({
      outcome: 'not_found',
      error: expect.stringContaining('not found') as unknown,
    });
  });

  it('when Omise rejects the key (401), the job fails loudly: error log, metric, failed set, event failed', async () => {
    harness = await startHarness(database, redis, emulator, {
      accounts: [
        {
          name: 'default',
          omise: createOmiseClient({
            secretKey: 'skey_test_revoked',
            baseUrl: emulator.url,
            maxRetries: 0,
          }),
        },
      ],
    });
    const chargeId = String(newCharge()['id']);
    const job = toEventJob(createEventOf(chargeId));
    await harness.enqueue(job);
    const settled = await harness.settled(job.eventId);
    expect(await settled.getState()).toBe('failed');
    expect(settled.attemptsMade).toBe(1);
    expect(settled.failedReason).toContain('OmiseAuthenticationError');
    expect((await harness.metrics.authFailures.get()).values[0]?.value).toBe(1);
    expect(
      harness.lines.some((l) => l['level'] === 'error' && String(l['msg']).includes('401/403')),
    ).toBe(true);
    expect(await getEvent(database.handle.db, job.eventId)).toMatchObject({ outcome: 'failed' });
    expect(await findCharge(database.handle.db, chargeId)).toBeUndefined();
  });

  it.each([
    ['5xx', { serverErrorShare: 1 }],
    ['429', { rateLimitShare: 1, retryAfterSeconds: 0 }],
  ])(
    'when Omise keeps answering %s, the job is retried with backoff, then kept in the failed set',
    async (_what, faults) => {
      harness = await startHarness(database, redis, emulator);
      const job = toEventJob(createEventOf(String(newCharge()['id'])));
      emulator.setFaults(faults);
      await harness.enqueue(job, { attempts: 3, backoff: { type: 'fixed', delay: 20 } });
      const settled = await harness.settled(job.eventId);
      expect(await settled.getState()).toBe('failed');
      expect(settled.attemptsMade).toBe(3);
      expect(await harness.omiseCalls()).toBe(3);
      expect(await outcomes(harness)).toEqual({ retried: 2, failed: 1 });
      expect(await getEvent(database.handle.db, job.eventId)).toMatchObject({ outcome: 'failed' });
    },
  );

  it('when Omise fails once and then answers, the retry projects the event', async () => {
    harness = await startHarness(database, redis, emulator);
    const chargeId = String(newCharge()['id']);
    const job = toEventJob(createEventOf(chargeId));
    emulator.setFaults({ serverErrorShare: 1 });
    await harness.enqueue(job, { attempts: 3, backoff: { type: 'fixed', delay: 200 } });
    await waitFor(async () => (await outcomes(harness as Harness))['retried'] === 1);
    emulator.setFaults(NO_FAULTS);
    expect(await (await harness.settled(job.eventId)).getState()).toBe('completed');
    expect((await getCharge(database.handle.db, chargeId)).status).toBe('successful');
  });

  it('when the job payload is malformed, it fails at once without retry', async () => {
    harness = await startHarness(database, redis, emulator);
    const job = await harness.events.add(
      'omise-event',
      { eventId: 'evnt_test_malformed', key: 'charge.create', resourceType: 'payout' } as never,
      { jobId: 'evnt_test_malformed', attempts: 5 },
    );
    const settled = await harness.settled(String(job.id));
    expect(await settled.getState()).toBe('failed');
    expect(settled.attemptsMade).toBe(1);
    expect(settled.failedReason).toContain('malformed omise-event job');
    expect(await findEvent(database.handle.db, 'evnt_test_malformed')).toBeUndefined();
  });

  it('when an older observation is written after a newer one, the SQL guard keeps the newer row', async () => {
    const chargeId = String(newCharge()['id']);
    const before = Charge.parse(emulator.getCharge(chargeId));
    emulator.actions.createRefund(chargeId, { amount: 10_000 });
    const after = Charge.parse(emulator.getCharge(chargeId));
    const { db } = database.handle;
    const deps = {
      db,
      account: 'default',
      omise: createOmiseClient({ secretKey: emulator.secretKey, baseUrl: emulator.url }),
      clock: systemClock,
      severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
      responseDays: 7,
    };
    const observe = (charge: Charge, observedAt: string) =>
      projectBatch(deps, [
        {
          kind: 'observed',
          type: 'charge',
          observation: { charge, refunds: embeddedRefunds(charge) ?? [] },
          origin: 'webhook',
          observedAt: new Date(observedAt),
        },
      ]);
    await observe(after, '2026-01-01T00:00:02Z');
    const late = await observe(before, '2026-01-01T00:00:01Z');
    expect(late).toEqual([{ outcome: 'projected', written: false, children: 0, flag: undefined }]);
    expect((await getCharge(db, chargeId)).refunded_amount).toBe(10_000);
  });

  it('when Postgres is unreachable for a while, jobs wait without spending attempts and all complete after', async () => {
    const proxy = await startTcpProxy(database.url);
    const proxied = createDatabase({
      connectionString: proxy.url,
      maxConnections: 4,
    });
    try {
      // The shipped back-off (250 ms doubling to at most 2 s).
      harness = await startHarness(database, redis, emulator, { db: proxied.db });
      proxy.cut();
      const jobs = Array.from({ length: 5 }, () =>
        toEventJob(createEventOf(String(newCharge()['id']))),
      );
      for (const job of jobs) await harness.enqueue(job);
      await waitFor(async () => ((await outcomes(harness as Harness))['postponed'] ?? 0) >= 3, {
        what: 'jobs to be postponed',
      });
      expect((await harness.worker.checkReady()).checks).toMatchObject({
        postgres: 'unreachable',
        redis: 'ok',
      });
      for (const job of jobs) {
        const stored = await harness.events.getJob(job.eventId);
        expect(['waiting', 'active', 'delayed', 'prioritized']).toContain(await stored?.getState());
      }
      proxy.restore();
      const restoredAt = Date.now();
      for (const job of jobs) {
        const settled = await harness.settled(job.eventId);
        expect(await settled.getState()).toBe('completed');
        // The successful attempt is the only one counted.
        expect(settled.attemptsMade).toBe(1);
        expect((await getEvent(database.handle.db, job.eventId)).outcome).toBe('projected');
      }
      // For the figure quoted in the worker README.
      process.stdout.write(
        `all jobs projected ${Date.now() - restoredAt} ms after Postgres returned\n`,
      );
      expect((await harness.worker.checkReady()).ready).toBe(true);
    } finally {
      await harness?.close();
      harness = undefined;
      await proxied.destroy();
      await proxy.close();
    }
  });

  it('when shutdown reaches its deadline during a slow fetch, the job goes back to the queue and another worker completes it', async () => {
    const chargeId = String(newCharge()['id']);
    const job = toEventJob(createEventOf(chargeId));
    emulator.setFaults({ latencyMs: 2_000 });
    const first = await startHarness(database, redis, emulator);
    await first.enqueue(job);
    await waitFor(
      async () => (await (await first.events.getJob(job.eventId))?.getState()) === 'active',
    );
    await first.worker.close({ timeoutMs: 100 });
    const handedBack = await first.events.getJob(job.eventId);
    expect(await handedBack?.getState()).toBe('waiting');
    expect(handedBack?.attemptsMade).toBe(0);
    expect((await outcomes(first))['interrupted']).toBe(1);
    await first.close();

    emulator.setFaults(NO_FAULTS);
    harness = await startHarness(database, redis, emulator);
    const settled = await harness.settled(job.eventId);
    expect(await settled.getState()).toBe('completed');
    expect((await getEvent(database.handle.db, job.eventId)).outcome).toBe('projected');
    expect((await getCharge(database.handle.db, chargeId)).status).toBe('successful');
  });
});
