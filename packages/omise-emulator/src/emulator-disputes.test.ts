import { type Emulator, startEmulator } from './index';
import { api, createCharge, createDispute, fixture, keysOf } from '../test/emulator-test-kit';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ seed: 'disputes' });
});
afterEach(async () => {
  await emulator.close();
});

test('a dispute opened on a paid charge is shaped like the 2019-05-29 fixture', async () => {
  const charge = await createCharge(emulator);
  const res = await api(emulator, 'POST', `/charges/${String(charge.id)}/disputes`);
  expect(res.status).toBe(200);
  const dispute = res.body;
  expect(dispute).toMatchObject({
    object: 'dispute',
    status: 'open',
    amount: 100000,
    currency: 'THB',
    charge: charge.id,
    reason_code: 'goods_or_services_not_provided',
    reason_message: 'Merchandise/Services Not Received',
    closed_at: null,
    message: null,
  });
  expect(String(dispute.id)).toMatch(/^dspt_test_[0-9a-z]{19}$/);
  expect(keysOf(dispute)).toEqual(keysOf(fixture('dispute')));
  expect(dispute.transactions).toEqual([
    expect.objectContaining({ key: 'dispute.started.debit', direction: 'debit', amount: 100000 }),
  ]);
  const after = await api(emulator, 'GET', `/charges/${String(charge.id)}`);
  expect(after.body).toMatchObject({ disputable: false, dispute: { id: dispute.id } });
});

test('a charge cannot be disputed twice, nor before it is paid', async () => {
  const charge = await createCharge(emulator);
  await api(emulator, 'POST', `/charges/${String(charge.id)}/disputes`);
  const twice = await api(emulator, 'POST', `/charges/${String(charge.id)}/disputes`);
  expect(twice.status).toBe(400);
  expect(twice.body.code).toBe('invalid_charge');
  const pending = await createCharge(emulator, { capture: 'false' });
  const unpaid = await api(emulator, 'POST', `/charges/${String(pending.id)}/disputes`);
  expect(unpaid.status).toBe(400);
  const missing = await api(emulator, 'POST', '/charges/chrg_test_missing/disputes');
  expect(missing.status).toBe(404);
});

test('a message moves an open dispute to pending; metadata alone does not', async () => {
  const dispute = await createDispute(emulator);
  const id = String(dispute.id);
  const meta = await api(emulator, 'PATCH', `/disputes/${id}`, {
    form: { 'metadata[case]': '42' },
  });
  expect(meta.body).toMatchObject({ status: 'open', metadata: { case: '42' } });
  const message = await api(emulator, 'PATCH', `/disputes/${id}`, {
    form: { message: 'Proof attached' },
  });
  expect(message.body).toMatchObject({ status: 'pending', message: 'Proof attached' });
  const got = await api(emulator, 'GET', `/disputes/${id}`);
  expect(got.body).toEqual(message.body);
  expect(emulator.getDispute(id)).toEqual(message.body);
});

test('accept closes the dispute as lost; a closed dispute cannot be accepted, closed or updated', async () => {
  const dispute = await createDispute(emulator);
  const id = String(dispute.id);
  const accepted = await api(emulator, 'PATCH', `/disputes/${id}/accept`);
  expect(accepted.body).toMatchObject({ status: 'lost', message: 'Merchant accepts the dispute' });
  expect(accepted.body.closed_at).not.toBeNull();
  for (const [method, path, form] of [
    ['PATCH', `/disputes/${id}/accept`, {}],
    ['PATCH', `/disputes/${id}/close`, { status: 'won' }],
    ['PATCH', `/disputes/${id}`, { message: 'late' }],
  ] as const) {
    const res = await api(emulator, method, path, { form });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ object: 'error', code: 'bad_request' });
  }
});

test('close as won credits the amount back; close as lost does not; status must be won or lost', async () => {
  const a = await createDispute(emulator);
  const won = await api(emulator, 'PATCH', `/disputes/${String(a.id)}/close`, {
    form: { status: 'won' },
  });
  expect(won.body).toMatchObject({ status: 'won' });
  expect((won.body.transactions as Array<{ key: string }>).map((t) => t.key)).toEqual([
    'dispute.started.debit',
    'dispute.won.credit',
  ]);
  const b = await createDispute(emulator);
  const bad = await api(emulator, 'PATCH', `/disputes/${String(b.id)}/close`, {
    form: { status: 'closed' },
  });
  expect(bad.status).toBe(400);
  expect(bad.body.code).toBe('bad_request');
  const lost = await api(emulator, 'PATCH', `/disputes/${String(b.id)}/close`, {
    json: { status: 'lost' },
  });
  expect(lost.body).toMatchObject({ status: 'lost' });
  expect(lost.body.transactions).toHaveLength(1);
});

test('disputes are listed all, open, pending and closed (won + lost)', async () => {
  const open = await createDispute(emulator);
  const pending = await createDispute(emulator);
  await api(emulator, 'PATCH', `/disputes/${String(pending.id)}`, { form: { message: 'm' } });
  const won = await createDispute(emulator);
  await api(emulator, 'PATCH', `/disputes/${String(won.id)}/close`, { form: { status: 'won' } });
  const lost = await createDispute(emulator);
  await api(emulator, 'PATCH', `/disputes/${String(lost.id)}/accept`);
  const ids = async (path: string): Promise<unknown[]> =>
    ((await api(emulator, 'GET', path)).body.data as Array<{ id: unknown }>).map((d) => d.id);
  expect(await ids('/disputes')).toEqual([open.id, pending.id, won.id, lost.id]);
  expect(await ids('/disputes/open')).toEqual([open.id]);
  expect(await ids('/disputes/pending')).toEqual([pending.id]);
  expect(await ids('/disputes/closed')).toEqual([won.id, lost.id]);
  const closed = await api(emulator, 'GET', '/disputes/closed');
  expect(closed.body).toMatchObject({ location: '/disputes/closed', total: 2 });
  expect(keysOf(closed.body)).toEqual(keysOf(fixture('list')));
  const missing = await api(emulator, 'GET', '/disputes/dspt_test_missing');
  expect(missing.status).toBe(404);
});
