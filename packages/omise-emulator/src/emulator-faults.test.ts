import { type Emulator, startEmulator } from './index';
import { api, createCharge, startWebhookSink, type WebhookSink } from '../test/emulator-test-kit';

const SECRET = Buffer.from('faults-secret').toString('base64');
let emulator: Emulator | undefined;
let sink: WebhookSink | undefined;

afterEach(async () => {
  await emulator?.close();
  await sink?.close();
  emulator = undefined;
  sink = undefined;
});

test('with rateLimitShare 1 every API call is a 429 with Retry-After and nothing changes', async () => {
  emulator = await startEmulator({ faults: { rateLimitShare: 1, retryAfterSeconds: 7 } });
  const res = await api(emulator, 'POST', '/charges', {
    form: { amount: '5000', currency: 'thb' },
  });
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('7');
  expect(res.body).toMatchObject({ object: 'error', code: 'too_many_requests' });
  expect(emulator.count('charges')).toBe(0);
  const stats = await fetch(`${emulator.url}/_emulator/stats`);
  expect(stats.status).toBe(200);
  emulator.setFaults({ rateLimitShare: 0 });
  await createCharge(emulator);
  expect(emulator.count('charges')).toBe(1);
});

test('with serverErrorShare 1 calls fail with 500, 502 (an HTML gateway page) or 503, unprocessed', async () => {
  emulator = await startEmulator({ seed: 'server-errors', faults: { serverErrorShare: 1 } });
  const statuses = new Set<number>();
  for (let i = 0; i < 30; i++) {
    const res = await api(emulator, 'GET', '/charges');
    statuses.add(res.status);
    if (res.status === 502) expect(res.headers.get('content-type')).toBe('text/html');
    else expect(res.body.object).toBe('error');
  }
  expect([...statuses].sort()).toEqual([500, 502, 503]);
});

test('a share of faults hits about that share of requests', async () => {
  emulator = await startEmulator({ seed: 'share', faults: { rateLimitShare: 0.3 } });
  let limited = 0;
  for (let i = 0; i < 200; i++) {
    if ((await api(emulator, 'GET', '/charges')).status === 429) limited++;
  }
  expect(limited).toBeGreaterThan(30);
  expect(limited).toBeLessThan(90);
});

test('dropped deliveries are never sent nor retried, but the events stay readable', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({
    webhooks: [{ url: sink.url, secrets: [SECRET] }],
    faults: { webhookDropShare: 1 },
  });
  await createCharge(emulator);
  await createCharge(emulator);
  await emulator.deliveries.idle();
  expect(sink.received).toHaveLength(0);
  expect(emulator.deliveries.stats()).toMatchObject({
    dropped: 2,
    attempted: 0,
    retried: 0,
    pending: 0,
  });
  const events = await api(emulator, 'GET', '/events');
  expect(events.body.total).toBe(2);
});

test('duplicated deliveries arrive twice with the same event id', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({
    webhooks: [{ url: sink.url, secrets: [SECRET] }],
    faults: { webhookDuplicateShare: 1 },
  });
  await createCharge(emulator);
  await emulator.deliveries.idle();
  expect(sink.received).toHaveLength(2);
  expect(sink.received[0]?.event.id).toBe(sink.received[1]?.event.id);
  expect(emulator.deliveries.stats()).toMatchObject({ duplicated: 1, succeeded: 2 });
});

test('reordering releases a window of deliveries out of creation order', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({
    seed: 'reorder',
    webhooks: [{ url: sink.url, secrets: [SECRET] }],
    faults: { webhookReorder: true, webhookReorderWindow: 5 },
    // One at a time, so arrival order is the order the emulator sent them in.
    delivery: { concurrency: 1 },
  });
  for (let i = 0; i < 5; i++) await createCharge(emulator);
  await emulator.deliveries.idle();
  const created = emulator.listAll('events').map((e) => e.id);
  const arrived = sink.received.map((d) => d.event.id);
  expect([...arrived].sort()).toEqual([...created].sort());
  expect(arrived).not.toEqual(created);
});

test('a held window smaller than its size is still released, so idle() resolves', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({
    webhooks: [{ url: sink.url, secrets: [SECRET] }],
    faults: { webhookReorder: true, webhookReorderWindow: 50, webhookReorderMaxHoldMs: 5 },
  });
  await createCharge(emulator);
  await emulator.deliveries.idle();
  expect(sink.received).toHaveLength(1);
});

test('delayed deliveries count as pending until sent, and idle() waits for them', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({
    webhooks: [{ url: sink.url, secrets: [SECRET] }],
    faults: { webhookDelayMs: 20, webhookDelayJitterMs: 10 },
  });
  await createCharge(emulator);
  expect(emulator.deliveries.stats().pending).toBe(1);
  expect(sink.received).toHaveLength(0);
  await emulator.deliveries.idle();
  expect(sink.received).toHaveLength(1);
});

test('close() gives up on scheduled retries and lets the process exit', async () => {
  sink = await startWebhookSink(() => 500);
  emulator = await startEmulator({
    webhooks: [{ url: sink.url, secrets: [SECRET] }],
    delivery: { retryDelaysMs: [60_000] },
  });
  await createCharge(emulator);
  while (emulator.deliveries.stats().retried === 0) await new Promise((r) => setImmediate(r));
  await emulator.close();
  expect(emulator.deliveries.stats().pending).toBe(0);
});
