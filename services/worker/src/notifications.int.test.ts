import { findDisputeFlag } from '@omise-sync/db';
import { createCardCharge, useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { notifyJobId } from './create-worker';
import { TEST_MODE_SKIPPED } from './notify-dispute-flag.processor';
import { type AlertReceiver, startAlertReceiver } from '../test/alert-receiver';
import { toEventJob, waitFor } from '../test/event-jobs';
import { type Harness, startHarness } from '../test/worker-harness';

describe('dispute notifications', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let alerts: AlertReceiver;
  let harness: Harness | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'worker-notifications' });
    alerts = await startAlertReceiver();
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    alerts.respondWith(200);
    alerts.delayAnswers(0);
  });
  afterAll(async () => {
    await alerts.close();
    await emulator.close();
  });

  const openDispute = () => {
    const charge = createCardCharge(emulator, { amount: 150_000, currency: 'THB' });
    const disputeId = String(emulator.actions.createDispute(String(charge['id']))['id']);
    const event = emulator
      .listAll('events')
      .find(
        (e) =>
          e['key'] === 'dispute.create' &&
          (e['data'] as Record<string, unknown>)['id'] === disputeId,
      );
    if (event === undefined) throw new Error('no dispute.create event');
    return { disputeId, event };
  };
  const alertsFor = (disputeId: string) =>
    alerts.received.filter((m) => String(m['text']).includes(disputeId));
  const notifications = async (h: Harness): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const v of (await h.metrics.notifications.get()).values)
      counts[String(v.labels.outcome)] = v.value;
    return counts;
  };

  it('when the alert endpoint refuses at first, the claim is released and a retry delivers exactly once', async () => {
    harness = await startHarness(database, redis, emulator, {
      alertWebhook: { url: alerts.url, timeoutMs: 2_000, testMode: 'notify' },
    });
    alerts.respondWith(500);
    const { disputeId, event } = openDispute();
    await harness.enqueue(toEventJob(event));
    await waitFor(
      async () => (await findDisputeFlag(database.handle.db, disputeId))?.notify_error != null,
      {
        what: 'the first failed attempt',
      },
    );
    alerts.respondWith(200);
    const job = await harness.settled(notifyJobId(disputeId), harness.followups);
    expect(await job.getState()).toBe('completed');
    const flag = await findDisputeFlag(database.handle.db, disputeId);
    expect(flag?.notified_at).toBeInstanceOf(Date);
    expect(flag?.notify_error).toBeNull();
    // Every refused attempt reached the endpoint; only one was accepted.
    expect(alertsFor(disputeId).length).toBeGreaterThanOrEqual(2);
    expect((await notifications(harness))['sent']).toBe(1);
    const payload = alertsFor(disputeId)[0];
    expect(payload).toMatchObject({ text: expect.stringContaining('1,500.00 THB') as unknown });
    expect(Array.isArray(payload?.['blocks'])).toBe(true);
  });

  it('when the alert request times out after sending, it is never resent and the job fails loudly', async () => {
    harness = await startHarness(database, redis, emulator, {
      alertWebhook: { url: alerts.url, timeoutMs: 200, testMode: 'notify' },
    });
    alerts.delayAnswers(1_000);
    const { disputeId, event } = openDispute();
    await harness.enqueue(toEventJob(event));
    const job = await harness.settled(notifyJobId(disputeId), harness.followups);
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    const flag = await findDisputeFlag(database.handle.db, disputeId);
    expect(flag?.notify_attempted_at).toBeInstanceOf(Date);
    expect(flag?.notified_at).toBeNull();
    expect(flag?.notify_error).toContain('timed out');
    expect(alertsFor(disputeId)).toHaveLength(1);
    expect((await notifications(harness))['ambiguous']).toBe(1);
    // The sweeper does not pick it up again either.
    expect(await harness.worker.sweepNotifications()).toBe(0);
  });

  it('when the notify job was lost between COMMIT and enqueue, the sweeper enqueues it', async () => {
    harness = await startHarness(database, redis, emulator, {
      alertWebhook: { url: alerts.url, timeoutMs: 2_000, testMode: 'notify' },
      notifySweepMinAgeMs: 0,
    });
    const { disputeId } = openDispute();
    // A flag committed by a worker that crashed before enqueueing its follow-up job.
    await database.handle.db
      .insertInto('omise.disputes')
      .values({
        id: disputeId,
        charge_id: 'chrg_test_lost',
        livemode: false,
        amount: 150_000,
        currency: 'THB',
        status: 'open',
        reason_code: 'other',
        reason_message: null,
        message: null,
        admin_message: null,
        metadata: {},
        created_at: new Date(),
        closed_at: null,
        respond_by: new Date(Date.now() + 7 * 86_400_000),
        raw: {},
        origin: 'webhook',
        observed_at: new Date(),
      })
      .execute();
    await database.handle.db
      .insertInto('omise.dispute_flags')
      .values({
        dispute_id: disputeId,
        severity: 'low',
        reasons: [],
        origin: 'webhook',
        notify: true,
        first_seen_status: 'open',
        flagged_at: new Date(Date.now() - 120_000),
      })
      .execute();
    expect(await harness.worker.sweepNotifications()).toBeGreaterThanOrEqual(1);
    await harness.settled(notifyJobId(disputeId), harness.followups);
    expect((await findDisputeFlag(database.handle.db, disputeId))?.notified_at).toBeInstanceOf(
      Date,
    );
    expect(alertsFor(disputeId)).toHaveLength(1);
  });

  it('when a test-mode dispute opens and ALERT_TEST_MODE is left at skip, nothing is sent and the flag says why', async () => {
    harness = await startHarness(database, redis, emulator, {
      alertWebhook: { url: alerts.url, timeoutMs: 2_000 },
      notifySweepMinAgeMs: 0,
    });
    const { disputeId, event } = openDispute();
    await harness.enqueue(toEventJob(event));
    const job = await harness.settled(notifyJobId(disputeId), harness.followups);
    expect(await job.getState()).toBe('completed');
    expect(await findDisputeFlag(database.handle.db, disputeId)).toMatchObject({
      notified_at: null,
      notify_error: TEST_MODE_SKIPPED,
    });
    expect(alertsFor(disputeId)).toHaveLength(0);
    expect((await notifications(harness))['test_mode']).toBe(1);
    // Settled: the sweeper does not send it later either.
    expect(await harness.worker.sweepNotifications()).toBe(0);
  });

  it('when ALERT_WEBHOOK_URL is not set, flags are written, nothing is sent, and it is said once', async () => {
    harness = await startHarness(database, redis, emulator, { alertWebhook: undefined });
    const { disputeId, event } = openDispute();
    await harness.enqueue(toEventJob(event));
    await harness.idle();
    expect(await findDisputeFlag(database.handle.db, disputeId)).toMatchObject({
      notify: true,
      notified_at: null,
      notify_attempted_at: null,
    });
    expect(await harness.followups.getJob(notifyJobId(disputeId))).toBeUndefined();
    expect(alertsFor(disputeId)).toHaveLength(0);
    expect(
      harness.lines.filter((l) => String(l['msg']).includes('ALERT_WEBHOOK_URL')),
    ).toHaveLength(1);
    expect((await notifications(harness))['disabled']).toBe(1);
  });
});
