import { type Emulator, runScenario, seedCharges, startEmulator } from './index';
import { startWebhookSink, type JsonObject, type WebhookSink } from '../test/emulator-test-kit';

let emulator: Emulator | undefined;
let sink: WebhookSink | undefined;

afterEach(async () => {
  await emulator?.close();
  await sink?.close();
  emulator = undefined;
  sink = undefined;
});

test('a traffic scenario moves charges, refunds and disputes through their lifecycles', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({
    seed: 'scenario',
    webhooks: [{ url: sink.url, secrets: [Buffer.from('s').toString('base64')] }],
  });
  const summary = await runScenario(emulator, {
    charges: 60,
    ratePerSecond: 2000,
    refundShare: 0.3,
    disputeShare: 0.4,
    seed: 7,
  });
  await emulator.deliveries.idle();

  expect(summary.charges).toBe(60);
  expect(summary.errors).toBe(0);
  // Each schedule's first run is one more charge.
  expect(emulator.count('charges')).toBe(60 + summary.schedules);
  expect([summary.customers, summary.recipients, summary.schedules, summary.links]).toEqual([
    3, 3, 3, 3,
  ]);
  expect([emulator.count('customers'), emulator.count('recipients')]).toEqual([2, 2]);
  expect(emulator.count('refunds')).toBe(summary.refunds);
  expect(emulator.count('disputes')).toBe(summary.disputes);
  expect(summary.disputes).toBeGreaterThan(5);
  expect(summary.events).toBe(emulator.count('events'));
  expect(sink.received).toHaveLength(summary.events);

  const disputes = emulator.listAll('disputes');
  const byStatus = (status: string): number => disputes.filter((d) => d.status === status).length;
  expect(byStatus('won')).toBe(summary.disputesWon);
  expect(byStatus('lost')).toBe(summary.disputesLost + summary.disputesAccepted);
  expect(byStatus('open')).toBe(summary.disputesLeftOpen);
  // Open disputes are left for the dispute desk: no evidence and no answer yet.
  expect(summary.disputesLeftOpen).toBeGreaterThan(0);
  for (const dispute of disputes.filter((d) => d.status === 'open')) {
    expect(dispute.message).toBeNull();
    expect((dispute.documents as JsonObject).total).toBe(0);
  }
  // A dispute that went to pending did so with a message and a document before it closed.
  for (const dispute of disputes.filter((d) => d.status === 'won')) {
    expect(dispute.message).not.toBeNull();
    expect((dispute.documents as JsonObject).total).toBe(1);
  }
  const keys = new Set(emulator.listAll('events').map((e) => e.key));
  for (const key of [
    'charge.create',
    'refund.create',
    'dispute.create',
    'dispute.update',
    'dispute.close',
  ]) {
    expect(keys).toContain(key);
  }
});

test('bulk seeding creates charges with their events but, by default, no webhook deliveries', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({
    seed: 'bulk',
    webhooks: [{ url: sink.url, secrets: [] }],
  });
  const summary = await seedCharges(emulator, {
    charges: 3000,
    refundShare: 0.1,
    disputeShare: 0.05,
    seed: 3,
  });
  await emulator.deliveries.idle();
  expect(summary.charges).toBe(3000);
  expect(emulator.count('charges')).toBe(3000);
  expect(emulator.count('refunds')).toBe(summary.refunds);
  expect(emulator.count('events')).toBe(summary.events);
  expect(sink.received).toHaveLength(0);
  expect(emulator.deliveries.stats().attempted).toBe(0);

  const withWebhooks = await seedCharges(emulator, { charges: 10, webhooks: true, seed: 4 });
  await emulator.deliveries.idle();
  expect(sink.received).toHaveLength(withWebhooks.events);
});
