import { type Emulator, startEmulator } from './index';
import { createCharge, startWebhookSink, type JsonObject } from '../test/emulator-test-kit';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ seed: 'admin' });
});
afterEach(async () => {
  await emulator.close();
});

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: JsonObject }> {
  const res = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as JsonObject };
}

test('GET /_emulator/stats needs no Omise key and counts objects and deliveries', async () => {
  await createCharge(emulator);
  const res = await admin('GET', 'stats');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    counts: { charges: 1, events: 1, tokens: 1 },
    deliveries: { attempted: 0, pending: 0 },
    faults: { rateLimitShare: 0 },
  });
});

test('PUT /_emulator/faults merges valid faults and rejects unknown or out-of-range ones', async () => {
  const ok = await admin('PUT', 'faults', { rateLimitShare: 0.5, latencyMs: 0 });
  expect(ok.body).toMatchObject({ rateLimitShare: 0.5, serverErrorShare: 0 });
  expect(emulator.faults().rateLimitShare).toBe(0.5);
  const tooBig = await admin('PUT', 'faults', { rateLimitShare: 2 });
  expect(tooBig.status).toBe(400);
  const unknown = await admin('PUT', 'faults', { explode: true });
  expect(unknown.status).toBe(400);
  expect(emulator.faults().rateLimitShare).toBe(0.5);
});

test('PUT /_emulator/webhooks replaces the endpoints; secrets must be base64', async () => {
  const sink = await startWebhookSink();
  try {
    const bad = await admin('PUT', 'webhooks', [{ url: sink.url, secrets: ['not base64!'] }]);
    expect(bad.status).toBe(400);
    const ok = await admin('PUT', 'webhooks', {
      webhooks: [{ url: sink.url, secrets: ['c2VjcmV0'] }],
    });
    expect(ok.body).toEqual({ webhooks: [{ url: sink.url, secrets: 1 }] });
    await createCharge(emulator);
    const idle = await admin('GET', 'idle?timeout_ms=5000');
    expect(idle.body).toMatchObject({ idle: true, deliveries: { succeeded: 1 } });
    expect(sink.received).toHaveLength(1);
  } finally {
    await sink.close();
  }
});

test('POST /_emulator/scenario with wait runs a traffic scenario and answers with its summary', async () => {
  const res = await admin('POST', 'scenario', {
    name: 'traffic',
    charges: 20,
    ratePerSecond: 1000,
    refundShare: 0.5,
    disputeShare: 0.5,
    seed: 1,
    wait: true,
  });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ name: 'traffic', status: 'finished', summary: { charges: 20 } });
  // Twenty charges and the first run of the scenario's schedule.
  expect(emulator.count('charges')).toBe(21);
  const runs = await admin('GET', 'scenarios');
  expect((runs.body.scenarios as JsonObject[])[0]).toMatchObject({ status: 'finished' });
});

test('POST /_emulator/scenario without wait answers 202 at once; a bad request is 400', async () => {
  const bad = await admin('POST', 'scenario', { name: 'nope' });
  expect(bad.status).toBe(400);
  const accepted = await admin('POST', 'scenario', { name: 'bulk', charges: 50 });
  expect(accepted.status).toBe(202);
  while (emulator.count('charges') < 50) await new Promise((r) => setTimeout(r, 5));
});

test('POST /_emulator/reset clears objects and events but keeps keys and faults', async () => {
  emulator.setFaults({ latencyJitterMs: 1 });
  await createCharge(emulator);
  const res = await admin('POST', 'reset');
  expect(res.body).toEqual({ reset: true });
  expect(emulator.count('charges')).toBe(0);
  expect(emulator.count('events')).toBe(0);
  expect(emulator.faults().latencyJitterMs).toBe(1);
  await createCharge(emulator);
  expect(emulator.count('charges')).toBe(1);
});

test('an unknown admin path is 404', async () => {
  const res = await admin('GET', 'nothing');
  expect(res.status).toBe(404);
});
