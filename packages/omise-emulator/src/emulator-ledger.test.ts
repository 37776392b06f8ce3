import { type Emulator, startEmulator } from './index';
import { api, createCharge } from '../test/emulator-test-kit';

let emulator: Emulator;
let clock = Date.parse('2026-12-01T10:00:00Z');

beforeEach(async () => {
  clock = Date.parse('2026-12-01T10:00:00Z');
  emulator = await startEmulator({ seed: 'ledger', now: () => clock });
});
afterEach(async () => {
  await emulator.close();
});

type Movement = { direction: string; amount: number; key: string; origin: string };
const signed = (t: Movement) => (t.direction === 'credit' ? t.amount : -t.amount);

async function transactions(): Promise<Movement[]> {
  const list = await api(emulator, 'GET', '/transactions?limit=100&order=chronological');
  return list.body.data as Movement[];
}

test('charges, refunds and disputes move the balance with transactions', async () => {
  const charge = await createCharge(emulator);
  const id = String(charge.id);
  clock += 1_000;
  await api(emulator, 'POST', `/charges/${id}/refunds`, { form: { amount: '10000' } });
  clock += 1_000;
  emulator.actions.createDispute(id);

  const movements = await transactions();
  expect(movements.map((t) => t.key)).toEqual([
    'charge.captured.net',
    'refund.created.debit',
    'dispute.started.debit',
  ]);
  // As Omise records a capture: one credit of the charge's net, its fees only on the charge.
  expect(movements[0]).toMatchObject({ direction: 'credit', origin: id, amount: charge.net });
  expect(movements[0]).not.toHaveProperty('fees');
  expect(Number(charge.net)).toBe(
    Number(charge.amount) - Number(charge.fee) - Number(charge.fee_vat),
  );
  const balance = await api(emulator, 'GET', '/balance');
  expect(balance.body).toMatchObject({
    object: 'balance',
    total: movements.reduce((sum, t) => sum + signed(t), 0),
  });
});

test('a payout settles what became transferable since the previous one and goes create, send, pay with events', async () => {
  await createCharge(emulator);
  clock += 2_000;
  const transfer = emulator.actions.createPayout();
  expect(transfer).toBeDefined();
  const settled = (await transactions())
    .filter((t) => !t.origin.startsWith('trsf_'))
    .reduce((sum, t) => sum + signed(t), 0);
  expect(transfer).toMatchObject({ object: 'transfer', amount: settled, sent: false });
  const id = String(transfer?.id);
  clock += 1_000;
  emulator.actions.markTransferAsSent(id);
  emulator.actions.markTransferAsPaid(id);
  const fetched = await api(emulator, 'GET', `/transfers/${id}`);
  expect(fetched.body).toMatchObject({ sent: true, paid: true });
  expect(fetched.body.net).toBe(
    Number(fetched.body.amount) - Number(fetched.body.fee) - Number(fetched.body.fee_vat),
  );
  const balance = await api(emulator, 'GET', '/balance');
  expect(balance.body).toMatchObject({ total: 0, transferable: 0 });
  const keys = emulator.listAll('events').map((e) => e.key);
  expect(keys).toEqual(
    expect.arrayContaining(['transfer.create', 'transfer.send', 'transfer.pay']),
  );
  // Nothing new was settled since: no second payout.
  clock += 2_000;
  expect(emulator.actions.createPayout()).toBeUndefined();
});

test('a failed or deleted transfer returns its amount to the balance; a deleted one is gone (404)', async () => {
  await createCharge(emulator);
  clock += 2_000;
  const first = String(emulator.actions.createPayout()?.id);
  emulator.actions.markTransferAsSent(first);
  emulator.actions.markTransferAsFailed(first);
  const afterFailure = await api(emulator, 'GET', '/balance');
  expect(afterFailure.body.total).toBeGreaterThan(0);

  clock += 1_000;
  const second = String(emulator.actions.createPayout()?.id);
  const deleted = await api(emulator, 'DELETE', `/transfers/${second}`);
  expect(deleted.body).toMatchObject({ id: second, deleted: true });
  expect((await api(emulator, 'GET', `/transfers/${second}`)).status).toBe(404);
  expect((await api(emulator, 'GET', '/balance')).body.total).toBe(afterFailure.body.total);
});

test("fee receipts are issued per UTC day once the day has ended, with the day's charge fees", async () => {
  const charges = [await createCharge(emulator), await createCharge(emulator)];
  expect((await api(emulator, 'GET', '/receipts')).body.total).toBe(0);
  clock += 86_400_000;
  const receipts = await api(emulator, 'GET', '/receipts');
  expect(receipts.body.total).toBe(1);
  const [receipt] = receipts.body.data as Record<string, number>[];
  const sum = (field: string) => charges.reduce((total, c) => total + Number(c[field]), 0);
  expect([receipt?.charge_fee, receipt?.vat]).toEqual([sum('fee'), sum('fee_vat')]);
  expect(receipt?.total).toBe(Number(receipt?.subtotal) + Number(receipt?.vat));
});
