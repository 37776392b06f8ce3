import { useTestDatabase } from '../testing';
import { findCharge, getCharge, upsertCharges } from './charge.repository';
import { findRefundsByCharge, upsertRefunds } from './refund.repository';
import { chargeRow, refundRow } from './test-rows';

describe('charge and refund repositories', () => {
  const database = useTestDatabase();

  it('when a charge is new, every column is written and money reads back as numbers', async () => {
    const { db } = database.handle;
    const written = await upsertCharges(db, [
      chargeRow({ id: 'chrg_new', metadata: { order: 'A-1' }, amount: 123_456 }),
    ]);
    expect(written).toEqual(['chrg_new']);
    const row = await getCharge(db, 'chrg_new');
    expect(row).toMatchObject({
      id: 'chrg_new',
      amount: 123_456,
      refunded_amount: 0,
      currency: 'THB',
      metadata: { order: 'A-1' },
      raw: { object: 'charge', id: 'chrg_new' },
      origin: 'webhook',
    });
    expect(row.observed_at).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(row.projected_at).toBeInstanceOf(Date);
  });

  it('when an older observation arrives after a newer one, the newer state stays', async () => {
    const { db } = database.handle;
    await upsertCharges(db, [
      chargeRow({ id: 'chrg_race', status: 'successful', observed_at: '2026-01-01T00:00:02Z' }),
    ]);
    const written = await upsertCharges(db, [
      chargeRow({ id: 'chrg_race', status: 'pending', observed_at: '2026-01-01T00:00:01Z' }),
    ]);
    expect(written).toEqual([]);
    expect((await getCharge(db, 'chrg_race')).status).toBe('successful');
  });

  it('when a newer or equally new observation arrives, it replaces the row', async () => {
    const { db } = database.handle;
    await upsertCharges(db, [chargeRow({ id: 'chrg_up', observed_at: '2026-01-01T00:00:01Z' })]);
    await upsertCharges(db, [
      chargeRow({ id: 'chrg_up', status: 'successful', observed_at: '2026-01-01T00:00:01Z' }),
    ]);
    expect((await getCharge(db, 'chrg_up')).status).toBe('successful');
    await upsertCharges(db, [
      chargeRow({
        id: 'chrg_up',
        status: 'reversed',
        reversed: true,
        origin: 'reconcile',
        observed_at: '2026-01-01T00:00:05Z',
      }),
    ]);
    expect(await getCharge(db, 'chrg_up')).toMatchObject({
      status: 'reversed',
      reversed: true,
      origin: 'reconcile',
    });
  });

  it('when a batch holds the same charge twice, the newest copy is written once', async () => {
    const { db } = database.handle;
    const written = await upsertCharges(db, [
      chargeRow({ id: 'chrg_dup', status: 'successful', observed_at: '2026-01-01T00:00:09Z' }),
      chargeRow({ id: 'chrg_dup', status: 'pending', observed_at: '2026-01-01T00:00:01Z' }),
    ]);
    expect(written).toEqual(['chrg_dup']);
    expect((await getCharge(db, 'chrg_dup')).status).toBe('successful');
  });

  it('when a batch is larger than one statement allows, every row is written', async () => {
    const { db } = database.handle;
    const rows = Array.from({ length: 2_500 }, (_, i) => chargeRow({ id: `chrg_bulk_${i}` }));
    const written = await upsertCharges(db, rows);
    expect(written).toHaveLength(2_500);
    expect(await findCharge(db, 'chrg_bulk_2499')).toBeDefined();
  });

  it('when jsonb columns come as JSON text or hold awkward values, they read back unchanged', async () => {
    const { db } = database.handle;
    const raw = {
      object: 'charge',
      id: 'chrg_json',
      tags: ['a', 'b'],
      nested: { quote: 'say "hi"\\', unicode: 'ชำระเงิน ✓', empty: null },
    };
    await upsertCharges(db, [
      chargeRow({
        id: 'chrg_json',
        description: 'line 1\nline 2, "quoted" \\ {braces}',
        metadata: JSON.stringify({ order: 'A-1', items: [1, 2] }),
        raw: JSON.stringify(raw),
        paid_at: new Date('2025-03-20T09:25:00.123Z'),
      }),
    ]);
    expect(await getCharge(db, 'chrg_json')).toMatchObject({
      description: 'line 1\nline 2, "quoted" \\ {braces}',
      metadata: { order: 'A-1', items: [1, 2] },
      raw,
      paid_at: new Date('2025-03-20T09:25:00.123Z'),
    });
  });

  it('when a text holds a lone UTF-16 surrogate, the batch is written with U+FFFD in its place', async () => {
    const { db } = database.handle;
    const cut = 'emoji cut in half: \ud83d';
    const written = await upsertCharges(db, [
      chargeRow({ id: 'chrg_fine', description: 'paired: \ud83d\ude00, and a \\ud800 text' }),
      chargeRow({
        id: 'chrg_lone',
        description: cut,
        metadata: { note: '\udc00 low first' },
        raw: JSON.stringify({ object: 'charge', id: 'chrg_lone', description: cut }),
      }),
    ]);
    expect(written.sort()).toEqual(['chrg_fine', 'chrg_lone']);
    expect((await getCharge(db, 'chrg_fine')).description).toBe(
      'paired: \ud83d\ude00, and a \\ud800 text',
    );
    expect(await getCharge(db, 'chrg_lone')).toMatchObject({
      description: 'emoji cut in half: \ufffd',
      metadata: { note: '\ufffd low first' },
      raw: { description: 'emoji cut in half: \ufffd' },
    });
  });

  it('when a batch is larger than one JSON document takes, every row is written', async () => {
    const { db } = database.handle;
    const rows = Array.from({ length: 5_001 }, (_, i) => chargeRow({ id: `chrg_doc_${i}` }));
    expect(await upsertCharges(db, rows)).toHaveLength(5_001);
    expect(await findCharge(db, 'chrg_doc_5000')).toBeDefined();
  });

  it('when a charge was never projected, find returns undefined and get throws', async () => {
    const { db } = database.handle;
    expect(await findCharge(db, 'chrg_missing')).toBeUndefined();
    await expect(getCharge(db, 'chrg_missing')).rejects.toThrow();
  });

  it('when refunds are re-observed, the guard holds for each and they list by charge', async () => {
    const { db } = database.handle;
    await upsertRefunds(db, [
      refundRow({ id: 'rfnd_b', charge_id: 'chrg_r', created_at: '2025-03-20T10:00:00Z' }),
      refundRow({ id: 'rfnd_a', charge_id: 'chrg_r', created_at: '2025-03-20T09:00:00Z' }),
    ]);
    const written = await upsertRefunds(db, [
      refundRow({
        id: 'rfnd_a',
        charge_id: 'chrg_r',
        voided: true,
        observed_at: '2025-12-31T00:00:00Z',
      }),
    ]);
    expect(written).toEqual([]);
    const refunds = await findRefundsByCharge(db, 'chrg_r');
    expect(refunds.map((r) => [r.id, r.voided])).toEqual([
      ['rfnd_a', false],
      ['rfnd_b', false],
    ]);
  });
});
