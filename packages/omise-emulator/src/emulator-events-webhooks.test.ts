import { type Emulator, startEmulator } from './index';
import {
  api,
  createCharge,
  createDispute,
  fixture,
  isValidOmiseSignature,
  keysOf,
  startWebhookSink,
  type JsonObject,
  type WebhookSink,
} from '../test/emulator-test-kit';

const SECRET = Buffer.from('first-webhook-secret').toString('base64');
const NEXT_SECRET = Buffer.from('rotated-webhook-secret').toString('base64');
const FAST_RETRIES = { retryDelaysMs: [5, 5], timeoutMs: 2_000 };

let emulator: Emulator | undefined;
let sink: WebhookSink | undefined;

afterEach(async () => {
  await emulator?.close();
  await sink?.close();
  emulator = undefined;
  sink = undefined;
});

const keysOfEvents = (e: Emulator): string[] =>
  e.listAll('events').map((event) => String(event.key));

test('every state change creates its event, readable through the Events API', async () => {
  emulator = await startEmulator({ seed: 'events' });
  const e = emulator;
  const charge = await createCharge(e);
  const id = String(charge.id);
  await api(e, 'PATCH', `/charges/${id}`, { form: { description: 'x' } });
  await api(e, 'POST', `/charges/${id}/refunds`, { form: { amount: '1000' } });
  const pre = await createCharge(e, { capture: 'false' });
  await api(e, 'POST', `/charges/${String(pre.id)}/capture`);
  const rev = await createCharge(e, { capture: 'false' });
  await api(e, 'POST', `/charges/${String(rev.id)}/reverse`);
  const exp = await createCharge(e, { capture: 'false' });
  await api(e, 'POST', `/charges/${String(exp.id)}/expire`);
  const paid = await createCharge(e, { capture: 'false' });
  await api(e, 'POST', `/charges/${String(paid.id)}/mark_as_paid`);
  const dispute = await api(e, 'POST', `/charges/${id}/disputes`);
  const disputeId = String(dispute.body.id);
  await api(e, 'PATCH', `/disputes/${disputeId}`, { form: { message: 'evidence' } });
  await api(e, 'PATCH', `/disputes/${disputeId}/close`, { form: { status: 'won' } });
  const accepted = await createDispute(e);
  await api(e, 'PATCH', `/disputes/${String(accepted.id)}/accept`);

  expect(keysOfEvents(e)).toEqual([
    'charge.create',
    'charge.update',
    'refund.create',
    'charge.create',
    'charge.capture',
    'charge.create',
    'charge.reverse',
    'charge.create',
    'charge.expire',
    'charge.create',
    'charge.complete',
    'dispute.create',
    'dispute.update',
    'dispute.close',
    'charge.create',
    'dispute.create',
    'dispute.accept',
  ]);

  const list = await api(e, 'GET', '/events?limit=3&order=reverse_chronological');
  expect(list.body).toMatchObject({
    object: 'list',
    total: 17,
    limit: 3,
    order: 'reverse_chronological',
  });
  const newest = (list.body.data as JsonObject[])[0] as JsonObject;
  expect(newest).toMatchObject({
    key: 'dispute.accept',
    data: { object: 'dispute', status: 'lost' },
  });
  expect(String(newest.id)).toMatch(/^evnt_test_[0-9a-z]{19}$/);
  const one = await api(e, 'GET', `/events/${String(newest.id)}`);
  expect(one.body).toEqual(newest);
  expect(keysOf(one.body)).toEqual(keysOf(fixture('event')));
  const missing = await api(e, 'GET', '/events/evnt_test_missing');
  expect(missing.status).toBe(404);

  // An event keeps the object as it was when it happened, not as it is now.
  const createEvent = e.listAll('events')[0] as JsonObject;
  expect(createEvent.data).toMatchObject({ id, description: null, refunded_amount: 0 });
  const perCharge = await api(e, 'GET', `/charges/${id}/events`);
  expect((perCharge.body.data as JsonObject[]).map((x) => x.key)).toEqual([
    'charge.create',
    'charge.update',
    'refund.create',
    'dispute.create',
    'dispute.update',
    'dispute.close',
  ]);
});

test('each event is POSTed to every webhook with a signature a receiver can verify', async () => {
  sink = await startWebhookSink();
  const other = await startWebhookSink();
  try {
    emulator = await startEmulator({
      seed: 'webhooks',
      webhooks: [
        { url: sink.url, secrets: [SECRET] },
        { url: other.url, secrets: [SECRET] },
      ],
    });
    const charge = await createCharge(emulator);
    await emulator.deliveries.idle();
    expect(sink.received).toHaveLength(1);
    expect(other.received).toHaveLength(1);
    const delivery = sink.received[0];
    if (delivery === undefined) throw new Error('no delivery');
    expect(isValidOmiseSignature(delivery.rawBody, delivery.headers, SECRET)).toBe(true);
    expect(isValidOmiseSignature(delivery.rawBody, delivery.headers, NEXT_SECRET)).toBe(false);
    const tampered = Buffer.from(
      delivery.rawBody.toString('utf8').replace('"charge.create"', '"charge.update"'),
    );
    expect(isValidOmiseSignature(tampered, delivery.headers, SECRET)).toBe(false);
    expect(Number(delivery.headers['omise-signature-timestamp'])).toBeGreaterThan(1_600_000_000);
    expect(delivery.event).toMatchObject({
      object: 'event',
      key: 'charge.create',
      webhook_deliveries: [],
      data: { id: charge.id, status: 'successful' },
    });
    // Omise sends pretty-printed JSON, so a receiver must verify the raw bytes.
    expect(delivery.rawBody.toString('utf8')).toContain('\n  "webhook_deliveries": []');

    const stored = await api(emulator, 'GET', `/events/${String(delivery.event.id)}`);
    const records = stored.body.webhook_deliveries as JsonObject[];
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      object: 'webhook_delivery',
      status: 200,
      key: 'charge.create',
      error: null,
    });
    expect(records[0]?.payload).toBe(delivery.rawBody.toString('utf8'));
    expect(String(records[0]?.created_at)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(emulator.deliveries.stats()).toMatchObject({ attempted: 2, succeeded: 2, pending: 0 });
  } finally {
    await other.close();
  }
});

test('while a secret is rotated the header carries one signature per secret, and either verifies', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({ webhooks: [{ url: sink.url, secrets: [SECRET, NEXT_SECRET] }] });
  await createCharge(emulator);
  await emulator.deliveries.idle();
  const delivery = sink.received[0];
  if (delivery === undefined) throw new Error('no delivery');
  expect(String(delivery.headers['omise-signature']).split(',')).toHaveLength(2);
  expect(isValidOmiseSignature(delivery.rawBody, delivery.headers, SECRET)).toBe(true);
  expect(isValidOmiseSignature(delivery.rawBody, delivery.headers, NEXT_SECRET)).toBe(true);
});

test('without a secret, deliveries are unsigned, as Omise sends them before one is created', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({ webhooks: [{ url: sink.url, secrets: [] }] });
  await createCharge(emulator);
  await emulator.deliveries.idle();
  expect(sink.received[0]?.headers['omise-signature']).toBeUndefined();
});

test('a failed delivery is retried until the endpoint accepts it', async () => {
  sink = await startWebhookSink((n) => (n < 2 ? 500 : 200));
  emulator = await startEmulator({
    webhooks: [{ url: sink.url, secrets: [SECRET] }],
    delivery: FAST_RETRIES,
  });
  await createCharge(emulator);
  await emulator.deliveries.idle();
  expect(sink.received).toHaveLength(1);
  expect(emulator.deliveries.stats()).toMatchObject({
    attempted: 3,
    retried: 2,
    succeeded: 1,
    failed: 0,
  });
  const event = emulator.listAll('events')[0] as JsonObject;
  expect((event.webhook_deliveries as JsonObject[]).map((d) => d.status)).toEqual([500, 500, 200]);
});

test('a delivery that keeps failing is given up after the last retry; an unreachable URL records the error', async () => {
  sink = await startWebhookSink(() => 503);
  emulator = await startEmulator({
    webhooks: [
      { url: sink.url, secrets: [SECRET] },
      { url: 'http://127.0.0.1:1/unreachable', secrets: [SECRET] },
    ],
    delivery: FAST_RETRIES,
  });
  await createCharge(emulator);
  await emulator.deliveries.idle();
  expect(emulator.deliveries.stats()).toMatchObject({
    attempted: 6,
    retried: 4,
    failed: 2,
    succeeded: 0,
    pending: 0,
  });
  const event = emulator.listAll('events')[0] as JsonObject;
  const unreachable = (event.webhook_deliveries as JsonObject[]).filter((d) => d.status === null);
  expect(unreachable).toHaveLength(3);
  expect(typeof unreachable[0]?.error).toBe('string');
});

test("a charge's own webhook_endpoints receive its events instead of the default endpoint", async () => {
  sink = await startWebhookSink();
  const own = await startWebhookSink();
  try {
    emulator = await startEmulator({ webhooks: [{ url: sink.url, secrets: [SECRET] }] });
    const charge = await createCharge(emulator, { 'webhook_endpoints[]': own.url });
    await api(emulator, 'POST', `/charges/${String(charge.id)}/refunds`, {
      form: { amount: '100' },
    });
    await emulator.deliveries.idle();
    expect(own.received.map((d) => d.event.key)).toEqual(['charge.create', 'refund.create']);
    expect(sink.received).toHaveLength(0);
    const first = own.received[0];
    if (first === undefined) throw new Error('no delivery');
    expect(isValidOmiseSignature(first.rawBody, first.headers, SECRET)).toBe(true);
  } finally {
    await own.close();
  }
});

test('setWebhooks changes where later events go', async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator();
  await createCharge(emulator);
  emulator.setWebhooks([{ url: sink.url, secrets: [SECRET] }]);
  await createCharge(emulator);
  await emulator.deliveries.idle();
  expect(sink.received).toHaveLength(1);
});
