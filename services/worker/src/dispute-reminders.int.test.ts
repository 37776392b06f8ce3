import { findDisputeReminders } from '@omise-sync/db';
import { disputeRow, useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { reminderJobId } from './dispute-reminders';
import { type AlertReceiver, startAlertReceiver } from '../test/alert-receiver';
import { waitFor } from '../test/event-jobs';
import { type Harness, startHarness } from '../test/worker-harness';

const HOUR = 3_600_000;

describe('dispute deadline reminders', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let alerts: AlertReceiver;
  const harnesses: Harness[] = [];
  /** How far the workers' clock runs ahead of real time. */
  let aheadMs = 0;
  const clock = { now: () => new Date(Date.now() + aheadMs) };

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'worker-reminders' });
    alerts = await startAlertReceiver();
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
    aheadMs = 0;
  });
  afterAll(async () => {
    await alerts.close();
    await emulator.close();
  });

  const start = async () => {
    const harness = await startHarness(database, redis, emulator, {
      alertWebhook: { url: alerts.url, timeoutMs: 2_000, testMode: 'skip' },
      clock,
    });
    harnesses.push(harness);
    return harness;
  };

  let disputes = 0;
  /** A live dispute as a projection committed it, due `hoursLeft` from now. */
  const committedDispute = async (hoursLeft: number): Promise<string> => {
    disputes += 1;
    const id = `dspt_test_reminder${disputes}`;
    await database.handle.db
      .insertInto('omise.disputes')
      .values(
        disputeRow({
          id,
          charge_id: 'chrg_test_reminded',
          livemode: true,
          amount: 250_000,
          created_at: new Date(Date.now() + hoursLeft * HOUR - 7 * 24 * HOUR),
          respond_by: new Date(Date.now() + hoursLeft * HOUR),
          observed_at: new Date(),
        }),
      )
      .execute();
    return id;
  };
  const alertsFor = (id: string) => alerts.received.filter((m) => String(m['text']).includes(id));

  it('when several workers sweep a due reminder at once, the team is reminded exactly once', async () => {
    const id = await committedDispute(12);
    const [a, b] = [await start(), await start()];
    const sweeps = await Promise.all([a, b, a, b].map((h) => h.worker.sweepReminders()));
    expect(sweeps.reduce((sum, s) => sum + s.planned, 0)).toBe(1);
    await waitFor(
      async () => (await findDisputeReminders(database.handle.db, id))[0]?.sent_at ?? undefined,
      {
        what: 'the reminder to be sent',
      },
    );
    await Promise.all([a.worker.sweepReminders(), b.worker.sweepReminders()]);
    await a.idle();
    expect(alertsFor(id)).toHaveLength(1);
    expect(String(alertsFor(id)[0]?.['text'])).toMatch(/answer due in 24 hours/);
    const sent = async (h: Harness) =>
      (await h.metrics.disputeReminders.get()).values.find(
        (v) => v.labels.kind === '24h' && v.labels.outcome === 'sent',
      )?.value ?? 0;
    expect((await sent(a)) + (await sent(b))).toBe(1);
    // 72h was overtaken by 24h: a dispute seen 12 h before its deadline gets one reminder.
    const reminders = await findDisputeReminders(database.handle.db, id);
    expect(reminders.map((r) => r.kind)).toEqual(['24h']);
  });

  it('when a reminder is not due yet it waits as a delayed job that survives a restart, and fires once due', async () => {
    const id = await committedDispute(100);
    const first = await start();
    expect(await first.worker.sweepReminders()).toMatchObject({ planned: 2, enqueued: 2 });
    const jobId = reminderJobId(id, '72h');
    expect(await first.followups.getJobState(jobId)).toBe('delayed');
    const job = await first.followups.getJob(jobId);
    expect(job?.delay).toBeGreaterThan(27 * HOUR);
    expect(job?.delay).toBeLessThanOrEqual(28 * HOUR);
    await first.close();
    harnesses.splice(0);

    const second = await start();
    expect(await second.followups.getJobState(jobId)).toBe('delayed');
    // Run early (a clock that disagrees, a manual promote): it goes back to waiting, unsent.
    await (await second.followups.getJob(jobId))?.promote();
    await waitFor(
      async () => ((await second.followups.getJobState(jobId)) === 'delayed' ? true : undefined),
      {
        what: 'the early job to be delayed again',
      },
    );
    expect(alertsFor(id)).toHaveLength(0);

    aheadMs = 29 * HOUR;
    await (await second.followups.getJob(jobId))?.promote();
    await waitFor(
      async () => (await findDisputeReminders(database.handle.db, id))[0]?.sent_at ?? undefined,
      { what: 'the 72h reminder to be sent' },
    );
    expect(String(alertsFor(id)[0]?.['text'])).toMatch(/answer due in 72 hours/);
    const reminders = await findDisputeReminders(database.handle.db, id);
    expect(reminders.map((r) => [r.kind, r.sent_at !== null])).toEqual([
      ['72h', true],
      ['24h', false],
    ]);
  });

  it('when the dispute closes, its pending reminders are cancelled and never sent', async () => {
    const id = await committedDispute(80);
    const harness = await start();
    await harness.worker.sweepReminders();
    const jobId = reminderJobId(id, '72h');
    expect(await harness.followups.getJobState(jobId)).toBe('delayed');
    await database.handle.db
      .updateTable('omise.disputes')
      .set({ status: 'lost' })
      .where('id', '=', id)
      .execute();

    expect(await harness.worker.sweepReminders()).toMatchObject({ cancelled: 2 });
    expect(await harness.followups.getJob(jobId)).toBeUndefined();
    const reminders = await findDisputeReminders(database.handle.db, id);
    expect(reminders.map((r) => [r.kind, r.sent_at, r.cancelled_at !== null])).toEqual([
      ['72h', null, true],
      ['24h', null, true],
    ]);
    // Past its due time nothing is planned or sent for it again.
    aheadMs = 30 * HOUR;
    expect(await harness.worker.sweepReminders()).toMatchObject({ planned: 0, cancelled: 0 });
    expect(alertsFor(id)).toHaveLength(0);
  });

  it('when respond_by moves (another DISPUTE_RESPONSE_DAYS), pending reminders and their jobs follow it', async () => {
    const id = await committedDispute(100);
    const harness = await start();
    await harness.worker.sweepReminders();
    const jobId = reminderJobId(id, '72h');
    expect((await harness.followups.getJob(jobId))?.delay).toBeLessThanOrEqual(28 * HOUR);
    const respondBy = new Date(Date.now() + (100 + 72) * HOUR);
    await database.handle.db
      .updateTable('omise.disputes')
      .set({ respond_by: respondBy })
      .where('id', '=', id)
      .execute();

    expect(await harness.worker.sweepReminders()).toMatchObject({ rescheduled: 2, planned: 0 });
    const reminders = await findDisputeReminders(database.handle.db, id);
    expect(reminders.map((r) => [r.kind, r.due_at.getTime() - respondBy.getTime()])).toEqual([
      ['72h', -72 * HOUR],
      ['24h', -24 * HOUR],
    ]);
    expect(await harness.followups.getJobState(jobId)).toBe('delayed');
    expect((await harness.followups.getJob(jobId))?.delay).toBeGreaterThan(99 * HOUR);
    expect(await harness.worker.sweepReminders()).toMatchObject({ rescheduled: 0 });
  });

  it('when a reminder job is lost from Redis, the sweep enqueues it again', async () => {
    const id = await committedDispute(60);
    const harness = await start();
    await harness.worker.sweepReminders();
    const jobId = reminderJobId(id, '24h');
    await harness.followups.remove(jobId);
    expect(await harness.followups.getJob(jobId)).toBeUndefined();
    expect(await harness.worker.sweepReminders()).toMatchObject({ planned: 0 });
    expect(await harness.followups.getJobState(jobId)).toBe('delayed');
  });
});
