import { type Emulator, startEmulator } from './index';
import { api, createCharge, fixture, keysOf } from '../test/emulator-test-kit';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ seed: 'refunds' });
});
afterEach(async () => {
  await emulator.close();
});

test('partial refunds add up on the charge until it is fully refunded', async () => {
  const charge = await createCharge(emulator);
  const id = String(charge.id);
  const first = await api(emulator, 'POST', `/charges/${id}/refunds`, {
    form: { amount: '40000' },
  });
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({
    object: 'refund',
    amount: 40000,
    charge: id,
    currency: 'THB',
    status: 'closed',
  });
  expect(String(first.body.id)).toMatch(/^rfnd_test_[0-9a-z]{19}$/);
  expect(first.body.location).toBe(`/charges/${id}/refunds/${String(first.body.id)}`);
  expect(keysOf(first.body)).toEqual(keysOf(fixture('refund')));

  await api(emulator, 'POST', `/charges/${id}/refunds`, {
    json: { amount: 60000, metadata: { reason: 'x' } },
  });
  const after = await api(emulator, 'GET', `/charges/${id}`);
  expect(after.body).toMatchObject({
    refunded_amount: 100000,
    refundable: false,
    status: 'successful',
  });
  expect((after.body.refunds as { total: number }).total).toBe(2);

  const more = await api(emulator, 'POST', `/charges/${id}/refunds`, { form: { amount: '1' } });
  expect(more.status).toBe(400);
  expect(more.body.code).toBe('failed_refund');
});

test('refunding more than what is left, zero, or an uncaptured charge is failed_refund', async () => {
  const charge = await createCharge(emulator);
  const tooMuch = await api(emulator, 'POST', `/charges/${String(charge.id)}/refunds`, {
    form: { amount: '100001' },
  });
  expect(tooMuch.status).toBe(400);
  expect(tooMuch.body.code).toBe('failed_refund');
  const zero = await api(emulator, 'POST', `/charges/${String(charge.id)}/refunds`, {
    form: { amount: '0' },
  });
  expect(zero.body.code).toBe('failed_refund');
  const pending = await createCharge(emulator, { capture: 'false' });
  const uncaptured = await api(emulator, 'POST', `/charges/${String(pending.id)}/refunds`, {
    form: { amount: '100' },
  });
  expect(uncaptured.body.code).toBe('failed_refund');
  const missing = await api(emulator, 'POST', '/charges/chrg_test_none/refunds', {
    form: { amount: '100' },
  });
  expect(missing.status).toBe(404);
});

test("a charge's refunds are listed and retrieved under the charge and in /refunds", async () => {
  const a = await createCharge(emulator);
  const b = await createCharge(emulator);
  const r1 = await api(emulator, 'POST', `/charges/${String(a.id)}/refunds`, {
    form: { amount: '1000' },
  });
  await api(emulator, 'POST', `/charges/${String(b.id)}/refunds`, { form: { amount: '2000' } });
  const list = await api(emulator, 'GET', `/charges/${String(a.id)}/refunds`);
  expect(list.body).toMatchObject({
    object: 'list',
    total: 1,
    location: `/charges/${String(a.id)}/refunds`,
  });
  const one = await api(emulator, 'GET', `/charges/${String(a.id)}/refunds/${String(r1.body.id)}`);
  expect(one.body).toEqual(r1.body);
  expect(emulator.getRefund(String(r1.body.id))).toEqual(r1.body);
  const wrongCharge = await api(
    emulator,
    'GET',
    `/charges/${String(b.id)}/refunds/${String(r1.body.id)}`,
  );
  expect(wrongCharge.status).toBe(404);
  const all = await api(emulator, 'GET', '/refunds');
  expect(all.body).toMatchObject({ total: 2, location: '/refunds' });
});
