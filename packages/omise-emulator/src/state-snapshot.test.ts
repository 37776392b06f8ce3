import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from './index';
import { api, createCharge, createDispute, type JsonObject } from '../test/emulator-test-kit';

const dir = mkdtempSync(join(tmpdir(), 'omise-emulator-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('state written at close is loaded by the next emulator with the same snapshot file', async () => {
  const file = join(dir, 'state.ndjson');
  const now = () => Date.parse('2026-03-01T10:00:00Z');
  const first = await startEmulator({ seed: 'snap', now, snapshotFile: file });
  const charge = await createCharge(first);
  await api(first, 'POST', `/charges/${String(charge.id)}/refunds`, { form: { amount: '500' } });
  const dispute = await createDispute(first);
  const doc = first.actions.uploadDocument(String(dispute.id), {
    filename: 'a.pdf',
    content: Buffer.from('%PDF-1.4\n%%EOF\n'),
  });
  const payout = first.actions.createTransfer({ amount: 10_000 });
  const card = {
    name: 'T',
    number: '4242424242424242',
    expiration_month: 12,
    expiration_year: 2040,
  };
  const customer = first.actions.createCustomer({
    email: 'a@example.com',
    card: String(first.actions.createToken({ card })['id']),
  });
  first.actions.createRecipient({
    name: 'Supplier',
    bank_account: { brand: 'bbl', number: '1234567890', name: 'Supplier' },
  });
  const schedule = first.actions.createSchedule({
    every: 1,
    period: 'month',
    start_date: '2026-03-01',
    end_date: '2026-12-01',
    charge: { customer: String(customer['id']), amount: 50_000 },
  });
  first.actions.runScheduleOccurrence(String(schedule['id']));
  first.actions.createLink({
    amount: 20_000,
    currency: 'thb',
    title: 'Invoice',
    description: 'March',
  });
  const before = {
    charge: first.getCharge(String(charge.id)),
    dispute: first.getDispute(String(dispute.id)),
    events: first.listAll('events'),
    transactions: first.listAll('transactions'),
    transfers: first.listAll('transfers'),
    balance: (await api(first, 'GET', '/balance')).body,
    directories: (['customers', 'recipients', 'schedules', 'links'] as const).map((kind) =>
      first.listAll(kind),
    ),
  };
  expect(before.directories.map((objects) => objects.length)).toEqual([1, 1, 1, 1]);
  await first.close();

  const second = await startEmulator({ seed: 'snap', now, snapshotFile: file });
  try {
    expect(second.getCharge(String(charge.id))).toEqual(before.charge);
    // Only the emulator's own base URL (a new port) differs, inside download_uri.
    expect(JSON.stringify(second.getDispute(String(dispute.id)))).toBe(
      JSON.stringify(before.dispute).replaceAll(first.url, second.url),
    );
    // Events are history: they keep the objects exactly as they were, old port included.
    expect(second.listAll('events')).toEqual(before.events);
    // The ledger too: the balance is the sum of the restored movements.
    expect(second.listAll('transactions')).toEqual(before.transactions);
    expect(second.listAll('transfers')).toEqual(before.transfers);
    expect(before.transfers.map((t) => t.id)).toEqual([payout.id]);
    expect((await api(second, 'GET', '/balance')).body).toEqual(before.balance);
    // Customers, recipients, schedules (with the occurrence just run) and links, as they were.
    expect(
      (['customers', 'recipients', 'schedules', 'links'] as const).map((kind) =>
        second.listAll(kind),
      ),
    ).toEqual(before.directories);
    const list = await api(second, 'GET', '/charges');
    // The two charges made here and the schedule's occurrence.
    expect(list.body.total).toBe(3);
    const download = await fetch(String(doc.download_uri).replace(first.url, second.url), {
      headers: { authorization: `Basic ${Buffer.from(`${second.secretKey}:`).toString('base64')}` },
    });
    expect(await download.text()).toBe('%PDF-1.4\n%%EOF\n');
    // Ids continue from the saved PRNG state instead of repeating the first run's.
    const next = await createCharge(second);
    const existing = second.listAll('charges').map((c: JsonObject) => c.id);
    expect(existing.filter((id) => id === next.id)).toHaveLength(1);
  } finally {
    await second.close();
  }
});

test('without a snapshot file on disk the emulator starts empty', async () => {
  const emulator = await startEmulator({ snapshotFile: join(dir, 'absent.ndjson') });
  expect(emulator.count('charges')).toBe(0);
  await emulator.close();
});

test("every account's state is saved, and each is restored into the account of its name", async () => {
  const file = join(dir, 'accounts.ndjson');
  const jp = { name: 'jp', secretKey: 'skey_test_jp', publicKey: 'pkey_test_jp' };
  const first = await startEmulator({ seed: 'accounts', snapshotFile: file, accounts: [jp] });
  const home = await createCharge(first);
  const japan = await createCharge({ ...first.account('jp'), url: first.url });
  await first.close();

  const second = await startEmulator({ seed: 'accounts', snapshotFile: file, accounts: [jp] });
  const withoutJp = await startEmulator({ seed: 'accounts', snapshotFile: file });
  try {
    expect(second.getCharge(String(home.id))).toBeDefined();
    expect(second.getCharge(String(japan.id))).toBeUndefined();
    expect(second.account('jp').getCharge(String(japan.id))).toEqual(
      first.account('jp').getCharge(String(japan.id)),
    );
    // An account that is no longer configured is skipped; the others still load.
    expect(withoutJp.getCharge(String(home.id))).toBeDefined();
    expect(withoutJp.count('charges')).toBe(1);
  } finally {
    await second.close();
    await withoutJp.close();
  }
});
