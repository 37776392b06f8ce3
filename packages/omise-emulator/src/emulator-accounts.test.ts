import { type Emulator, startEmulator } from './index';
import {
  type ApiTarget,
  api,
  createCharge,
  isValidOmiseSignature,
  startWebhookSink,
  type WebhookSink,
} from '../test/emulator-test-kit';

const SECRET_A = Buffer.from('account-a-webhook-secret').toString('base64');
const SECRET_B = Buffer.from('account-b-webhook-secret').toString('base64');

let emulator: Emulator | undefined;
const sinks: WebhookSink[] = [];

afterEach(async () => {
  await emulator?.close();
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  emulator = undefined;
});

async function twoAccounts(): Promise<{
  e: Emulator;
  a: ApiTarget;
  b: ApiTarget;
  sinkA: WebhookSink;
  sinkB: WebhookSink;
}> {
  const sinkA = await startWebhookSink();
  const sinkB = await startWebhookSink();
  sinks.push(sinkA, sinkB);
  const e = await startEmulator({
    seed: 'accounts',
    webhooks: [{ url: sinkA.url, secrets: [SECRET_A] }],
    accounts: [
      {
        name: 'jp',
        secretKey: 'skey_test_jp',
        webhooks: [{ url: sinkB.url, secrets: [SECRET_B] }],
      },
    ],
  });
  emulator = e;
  const jp = e.account('jp');
  return {
    e,
    a: e,
    b: { url: e.url, secretKey: jp.secretKey, publicKey: jp.publicKey },
    sinkA,
    sinkB,
  };
}

test('each secret key sees only its own account: objects, lists and events', async () => {
  const { e, a, b } = await twoAccounts();
  const chargeA = await createCharge(a);
  const chargeB = await createCharge(b);

  expect((await api(b, 'GET', `/charges/${String(chargeB.id)}`)).status).toBe(200);
  expect((await api(a, 'GET', `/charges/${String(chargeB.id)}`)).status).toBe(404);
  expect((await api(b, 'GET', `/charges/${String(chargeA.id)}`)).status).toBe(404);
  const listB = await api(b, 'GET', '/charges');
  expect((listB.body.data as { id: string }[]).map((c) => c.id)).toEqual([chargeB.id]);
  const eventsA = await api(a, 'GET', '/events');
  expect((eventsA.body.data as { data: { id: string } }[]).map((ev) => ev.data.id)).toEqual([
    chargeA.id,
  ]);
  expect(e.count('charges')).toBe(1);
  expect(e.account('jp').count('charges')).toBe(1);
  expect(e.accounts().map((acct) => acct.name)).toEqual(['default', 'jp']);
});

test("each account's events go to its own webhooks, signed with its own secret", async () => {
  const { e, a, b, sinkA, sinkB } = await twoAccounts();
  const chargeA = await createCharge(a);
  const chargeB = await createCharge(b);
  await e.deliveries.idle();
  await e.account('jp').deliveries.idle();

  expect(sinkA.received.map((w) => (w.event.data as { id: string }).id)).toEqual([chargeA.id]);
  expect(sinkB.received.map((w) => (w.event.data as { id: string }).id)).toEqual([chargeB.id]);
  const [deliveryA] = sinkA.received;
  const [deliveryB] = sinkB.received;
  expect(deliveryA && isValidOmiseSignature(deliveryA.rawBody, deliveryA.headers, SECRET_A)).toBe(
    true,
  );
  expect(deliveryB && isValidOmiseSignature(deliveryB.rawBody, deliveryB.headers, SECRET_B)).toBe(
    true,
  );
  expect(deliveryB && isValidOmiseSignature(deliveryB.rawBody, deliveryB.headers, SECRET_A)).toBe(
    false,
  );
});

test("faults set on one account leave the other's API answering normally", async () => {
  const { e, a, b } = await twoAccounts();
  e.setFaults({ serverErrorShare: 1 });
  expect((await api(a, 'GET', '/charges')).status).toBeGreaterThanOrEqual(500);
  expect((await api(b, 'GET', '/charges')).status).toBe(200);
  expect(
    (await api({ ...b, secretKey: 'skey_test_unknown' }, 'GET', '/charges')).status,
  ).toBeGreaterThanOrEqual(500);
});

test('the admin API addresses an account with ?account=NAME (404 for an unknown one)', async () => {
  const { e, b } = await twoAccounts();
  await createCharge(b);
  const stats = await fetch(`${e.url}/_emulator/stats?account=jp`);
  expect(((await stats.json()) as { counts: { charges: number } }).counts.charges).toBe(1);
  const fault = await fetch(`${e.url}/_emulator/faults?account=jp`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ serverErrorShare: 1 }),
  });
  expect(fault.status).toBe(200);
  expect(e.account('jp').faults().serverErrorShare).toBe(1);
  expect(e.faults().serverErrorShare).toBe(0);
  expect((await fetch(`${e.url}/_emulator/stats?account=nope`)).status).toBe(404);
});

test('an unknown key is still answered 401, as with one account', async () => {
  const { b } = await twoAccounts();
  const res = await api({ ...b, secretKey: 'skey_test_unknown' }, 'GET', '/charges');
  expect(res.status).toBe(401);
});
