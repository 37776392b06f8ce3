import {
  findDisputeDocuments,
  findEvent,
  findDisputeFlag,
  findRefundsByCharge,
  getCharge,
  getDispute,
  getEvent,
} from '@omise-sync/db';
import {
  comparableRow,
  createCardCharge,
  useTestDatabase,
  useTestRedis,
} from '@omise-sync/testing';
import { type IgnoredEventJob, jobCatalog } from '@omise-sync/core';
import { Queue } from 'bullmq';
import { Charge, Dispute, Refund } from '@omise-sync/omise-client';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { toChargeRow, toDisputeRow, toRefundRow } from '@omise-sync/projection';
import { type AlertReceiver, startAlertReceiver } from '../test/alert-receiver';
import { toEventJob, waitFor } from '../test/event-jobs';
import { type Harness, startHarness } from '../test/worker-harness';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe('projecting events into Postgres', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let alerts: AlertReceiver;
  let harness: Harness;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'worker-projection' });
    alerts = await startAlertReceiver();
    harness = await startHarness(database, redis, emulator, {
      alertWebhook: { url: alerts.url, timeoutMs: 2_000, testMode: 'notify' },
    });
  });
  afterAll(async () => {
    await harness.close();
    await alerts.close();
    await emulator.close();
  });

  const createCharge = (amount = 250_000) =>
    createCardCharge(emulator, {
      amount,
      currency: 'THB',
      description: 'order 1',
      metadata: { order: 'A-1' },
    });

  /** The latest event emulator produced for an object id with this key. */
  const eventFor = (objectId: string, key: string) => {
    const found = emulator
      .listAll('events')
      .filter((e) => e['key'] === key && (e['data'] as Record<string, unknown>)['id'] === objectId);
    const event = found[found.length - 1];
    if (event === undefined) throw new Error(`no ${key} event for ${objectId}`);
    return event;
  };

  it('when a charge event arrives, the charge is re-fetched and every column is written with the event', async () => {
    const charge = createCharge();
    const chargeId = String(charge['id']);
    const event = eventFor(chargeId, 'charge.create');
    const job = await harness.enqueue(toEventJob(event));
    expect(await (await harness.settled(String(job.id))).getState()).toBe('completed');

    const row = await getCharge(database.handle.db, chargeId);
    const expected = toChargeRow(Charge.parse(emulator.getCharge(chargeId)), {
      origin: 'webhook',
      observedAt: row.observed_at,
    });
    expect(comparableRow(row)).toEqual(comparableRow({ ...expected, account: 'default' }));
    expect(row).toMatchObject({ origin: 'webhook', card_brand: 'Visa', card_last_digits: '4242' });
    expect(JSON.stringify(row.raw)).not.toContain('Somchai');
    expect(await getEvent(database.handle.db, String(event['id']))).toMatchObject({
      key: 'charge.create',
      resource_type: 'charge',
      resource_id: chargeId,
      outcome: 'projected',
      origin: 'webhook',
      error: null,
      raw: expect.objectContaining({ id: event['id'] }) as unknown,
    });
  });

  it('when a refund event arrives, the charge is re-fetched with all its refunds', async () => {
    const chargeId = String(createCharge(500_000)['id']);
    const first = emulator.actions.createRefund(chargeId, { amount: 100_000 });
    emulator.actions.createRefund(chargeId, { amount: 50_000 });
    const job = await harness.enqueue(toEventJob(eventFor(String(first['id']), 'refund.create')));
    await harness.settled(String(job.id));

    const charge = await getCharge(database.handle.db, chargeId);
    expect(charge.refunded_amount).toBe(150_000);
    const refunds = await findRefundsByCharge(database.handle.db, chargeId);
    const current = Charge.parse(emulator.getCharge(chargeId));
    expect(refunds.map((r) => r.id).sort()).toEqual(current.refunds?.data.map((r) => r.id).sort());
    const refundRow = refunds.find((r) => r.id === first['id']);
    const expected = toRefundRow(Refund.parse(emulator.getRefund(String(first['id']))), current, {
      origin: 'webhook',
      observedAt: charge.observed_at,
    });
    expect(refundRow).toMatchObject({
      charge_id: chargeId,
      amount: expected.amount,
      currency: 'THB',
      status: expected.status,
      voided: expected.voided,
      observed_at: charge.observed_at,
    });
  });

  it('when a dispute opens live, it is projected with its documents, flagged once and notified once', async () => {
    const chargeId = String(createCharge(6_000_000)['id']);
    const dispute = emulator.actions.createDispute(chargeId, {
      reason_code: 'unauthorized_charge',
    });
    const disputeId = String(dispute['id']);
    emulator.actions.uploadDocument(disputeId, { filename: 'receipt.pdf', content: PDF });
    const create = eventFor(disputeId, 'dispute.create');

    // The same event delivered three times: twice under its own id (BullMQ drops the copy),
    // and once more under another job id, as after BullMQ forgot the first (or a replay).
    await harness.enqueue(toEventJob(create));
    await harness.enqueue(toEventJob(create));
    await harness.enqueue(toEventJob(create), { jobId: `${String(create['id'])}-again` });
    await harness.idle();
    await waitFor(() => alerts.received.length >= 1, { what: 'the alert' });
    await harness.idle();

    const row = await getDispute(database.handle.db, disputeId);
    const expected = toDisputeRow(
      Dispute.parse(emulator.getDispute(disputeId)),
      {
        origin: 'webhook',
        observedAt: row.observed_at,
      },
      7,
    );
    expect(row).toMatchObject({
      charge_id: chargeId,
      status: 'open',
      amount: 6_000_000,
      currency: 'THB',
      reason_code: 'unauthorized_charge',
      reason_message: expected.reason_message,
      message: expected.message,
      admin_message: expected.admin_message,
      closed_at: null,
    });
    const documents = await findDisputeDocuments(database.handle.db, disputeId);
    expect(documents.map((d) => [d.filename, d.deleted])).toEqual([['receipt.pdf', false]]);

    const flag = await findDisputeFlag(database.handle.db, disputeId);
    expect(flag).toMatchObject({
      severity: 'high',
      reasons: ['amount>=5000000 THB', 'reason=unauthorized_charge'],
      origin: 'webhook',
      notify: true,
      notify_error: null,
    });
    expect(flag?.notified_at).toBeInstanceOf(Date);
    const forThisDispute = alerts.received.filter((m) => String(m['text']).includes(disputeId));
    expect(forThisDispute).toHaveLength(1);
    expect(forThisDispute[0]?.['text']).toContain('60,000.00 THB');
    expect((await harness.metrics.disputeFlags.get()).values).toEqual([
      expect.objectContaining({
        value: 1,
        labels: { account: 'default', severity: 'high', origin: 'webhook' },
      }),
    ]);
    const samples = (await harness.metrics.registry.metrics())
      .split('\n')
      .filter((line) => line.startsWith('omise_sync_'));
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.filter((line) => !line.includes('account="'))).toEqual([]);
  });

  it('when a document is deleted from the dispute, its row is kept and marked deleted', async () => {
    const chargeId = String(createCharge()['id']);
    const disputeId = String(emulator.actions.createDispute(chargeId)['id']);
    const document = emulator.actions.uploadDocument(disputeId, {
      filename: 'a.pdf',
      content: PDF,
    });
    await harness.enqueue(toEventJob(eventFor(disputeId, 'dispute.update')));
    await harness.idle();
    emulator.actions.deleteDocument(disputeId, String(document['id']));
    const update = emulator
      .listAll('events')
      .filter(
        (e) =>
          e['key'] === 'dispute.update' &&
          (e['data'] as Record<string, unknown>)['id'] === disputeId,
      )
      .pop();
    await harness.enqueue(toEventJob(update ?? {}));
    await harness.idle();
    const documents = await findDisputeDocuments(database.handle.db, disputeId);
    expect(documents.map((d) => [d.id, d.deleted])).toEqual([[document['id'], true]]);
  });

  it('when a dispute is first seen through a backfill, it is flagged but nobody is notified', async () => {
    const chargeId = String(createCharge()['id']);
    const disputeId = String(emulator.actions.createDispute(chargeId)['id']);
    const before = alerts.received.length;
    await harness.enqueue(
      toEventJob(eventFor(disputeId, 'dispute.create'), { origin: 'backfill' }),
    );
    await harness.idle();
    expect(await findDisputeFlag(database.handle.db, disputeId)).toMatchObject({
      origin: 'backfill',
      notify: false,
      notify_attempted_at: null,
      notified_at: null,
    });
    expect(await harness.followups.getJob(`notify-${disputeId}`)).toBeUndefined();
    expect(alerts.received.length).toBe(before);
  });

  it('when the dispute closes, its flag is resolved with the outcome', async () => {
    const chargeId = String(createCharge()['id']);
    const disputeId = String(emulator.actions.createDispute(chargeId)['id']);
    await harness.enqueue(toEventJob(eventFor(disputeId, 'dispute.create'), { origin: 'replay' }));
    await harness.idle();
    emulator.actions.closeDispute(disputeId, { status: 'won' });
    await harness.enqueue(toEventJob(eventFor(disputeId, 'dispute.close')));
    await harness.idle();
    const dispute = await getDispute(database.handle.db, disputeId);
    expect(dispute.status).toBe('won');
    expect(await findDisputeFlag(database.handle.db, disputeId)).toMatchObject({
      resolution: 'won',
      resolved_at: dispute.closed_at,
    });
  });

  it('when a dispute opened and closed before the worker first fetched it, it still gets one resolved flag and the team is told', async () => {
    const chargeId = String(createCharge()['id']);
    const disputeId = String(emulator.actions.createDispute(chargeId)['id']);
    emulator.actions.closeDispute(disputeId, { status: 'lost' });
    // Both events arrive after the fact; each fetch finds the dispute already lost.
    await harness.enqueue(toEventJob(eventFor(disputeId, 'dispute.create')));
    await harness.enqueue(toEventJob(eventFor(disputeId, 'dispute.close')));
    await harness.idle();
    await waitFor(() => alerts.received.some((m) => String(m['text']).includes(disputeId)), {
      what: 'the alert',
    });
    await harness.idle();

    const dispute = await getDispute(database.handle.db, disputeId);
    expect(dispute.status).toBe('lost');
    const flags = await database.handle.db
      .selectFrom('omise.dispute_flags')
      .selectAll()
      .where('dispute_id', '=', disputeId)
      .execute();
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({
      first_seen_status: 'lost',
      resolution: 'lost',
      resolved_at: dispute.closed_at,
      origin: 'webhook',
      notify: true,
    });
    const alertsForIt = alerts.received.filter((m) => String(m['text']).includes(disputeId));
    expect(alertsForIt).toHaveLength(1);
    expect(String(alertsForIt[0]?.['text'])).toContain('closed (lost) before anyone saw it open');
  });

  it('when an event is about an object omise-sync does not project, it is recorded ignored with its key and counted', async () => {
    const eventId = `evnt_test_ignored${Date.now()}`;
    const job: IgnoredEventJob = {
      account: 'default',
      eventId,
      key: 'source.create',
      objectType: 'source',
      objectId: 'src_test_1',
      livemode: false,
      eventCreatedAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      origin: 'webhook',
      event: {
        object: 'event',
        id: eventId,
        key: 'source.create',
        data: { object: 'source', id: 'src_test_1', email: 'buyer@example.com', type: 'promptpay' },
      },
    };
    const queue = new Queue<IgnoredEventJob>(jobCatalog.ignoredEvent.queue, {
      connection: redis.connect(),
      prefix: redis.prefix,
    });
    await queue.add(jobCatalog.ignoredEvent.name, job, { jobId: eventId });
    await queue.close();
    await harness.idle();
    const row = await findEvent(database.handle.db, eventId);
    expect(JSON.stringify(row?.raw)).not.toContain('buyer@example.com');
    expect(row).toMatchObject({
      key: 'source.create',
      resource_type: 'source',
      resource_id: 'src_test_1',
      outcome: 'ignored',
      raw: { data: { object: 'source', id: 'src_test_1' } },
    });
    const counted = (await harness.metrics.ignoredEvents.get()).values;
    expect(counted).toContainEqual(
      expect.objectContaining({
        value: 1,
        labels: { account: 'default', key: 'source.create' },
      }),
    );
  });

  it('when a burst of events for one charge arrived before it was fetched, one fetch serves them all', async () => {
    const chargeId = String(
      createCardCharge(emulator, { amount: 300_000, currency: 'THB', capture: false })['id'],
    );
    emulator.actions.updateCharge(chargeId, { metadata: { step: '1' } });
    emulator.actions.captureCharge(chargeId);
    const receivedAt = new Date();
    const burst = emulator
      .listAll('events')
      .filter((e) => (e['data'] as Record<string, unknown>)['id'] === chargeId);
    expect(burst.length).toBeGreaterThanOrEqual(3);
    const callsBefore = await harness.omiseCalls();
    for (const event of burst) await harness.enqueue(toEventJob(event, { receivedAt }));
    await harness.idle();
    expect((await harness.omiseCalls()) - callsBefore).toBe(1);
    expect((await getCharge(database.handle.db, chargeId)).status).toBe('successful');
    const coalesced = (await harness.metrics.jobs.get()).values.find(
      (v) => v.labels.outcome === 'coalesced',
    );
    expect(coalesced?.value).toBeGreaterThanOrEqual(burst.length - 1);
    for (const event of burst) {
      expect((await getEvent(database.handle.db, String(event['id']))).outcome).toBe('projected');
    }
  });
});
