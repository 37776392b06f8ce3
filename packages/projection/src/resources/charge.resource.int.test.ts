import { type EventOrigin } from '@omise-sync/core';
import { findCharge, findRefundsByCharge, getCharge } from '@omise-sync/db';
import { chargeObject, refundObject, useTestDatabase } from '@omise-sync/testing';
import { Charge, Refund } from '@omise-sync/omise-client';
import type { Observed } from '../resource-module';
import { useEmulatorDeps } from '../../test/use-emulator-deps';
import type { ChargeObservation } from './charge.resource';
import { resourceModules } from './index';

const OBSERVED_AT = '2026-01-01T00:00:00Z';

const parsedCharge = (overrides: Record<string, unknown>): Charge =>
  Charge.parse(chargeObject(overrides));
const parsedRefund = (overrides: Record<string, unknown>): Refund =>
  Refund.parse(refundObject(overrides));

function observed(
  charge: Charge,
  options: { refunds?: Refund[]; origin?: EventOrigin; observedAt?: string } = {},
): Observed<ChargeObservation> {
  return {
    observation: { charge, refunds: options.refunds ?? [] },
    origin: options.origin ?? 'webhook',
    observedAt: new Date(options.observedAt ?? OBSERVED_AT),
  };
}

describe('charge resource write', () => {
  const database = useTestDatabase();
  const fixture = useEmulatorDeps('charge-resource-write');

  const write = (items: readonly Observed<ChargeObservation>[]) =>
    database.handle.db
      .transaction()
      .execute((trx) => resourceModules.charge.write(trx, items, fixture.deps));

  it('when a charge is new, every column is written and money reads back as numbers', async () => {
    const { db } = database.handle;
    const outcomes = await write([
      observed(parsedCharge({ id: 'chrg_new', metadata: { order: 'A-1' }, amount: 123_456 })),
    ]);
    expect(outcomes).toEqual([{ written: true, children: 0 }]);
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
    await write([
      observed(parsedCharge({ id: 'chrg_race', status: 'successful' }), {
        observedAt: '2026-01-01T00:00:02Z',
      }),
    ]);
    const outcomes = await write([
      observed(parsedCharge({ id: 'chrg_race', status: 'pending' }), {
        observedAt: '2026-01-01T00:00:01Z',
      }),
    ]);
    expect(outcomes).toEqual([{ written: false, children: 0 }]);
    expect((await getCharge(db, 'chrg_race')).status).toBe('successful');
  });

  it('when a newer or equally new observation arrives, it replaces the row', async () => {
    const { db } = database.handle;
    await write([
      observed(parsedCharge({ id: 'chrg_up' }), { observedAt: '2026-01-01T00:00:01Z' }),
    ]);
    await write([
      observed(parsedCharge({ id: 'chrg_up', status: 'successful' }), {
        observedAt: '2026-01-01T00:00:01Z',
      }),
    ]);
    expect((await getCharge(db, 'chrg_up')).status).toBe('successful');
    await write([
      observed(parsedCharge({ id: 'chrg_up', status: 'reversed', reversed: true }), {
        origin: 'reconcile',
        observedAt: '2026-01-01T00:00:05Z',
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
    await write([
      observed(parsedCharge({ id: 'chrg_dup', status: 'successful' }), {
        observedAt: '2026-01-01T00:00:09Z',
      }),
      observed(parsedCharge({ id: 'chrg_dup', status: 'pending' }), {
        observedAt: '2026-01-01T00:00:01Z',
      }),
    ]);
    const rows = await db
      .selectFrom('omise.charges')
      .select(['status', 'observed_at'])
      .where('id', '=', 'chrg_dup')
      .execute();
    expect(rows).toEqual([{ status: 'successful', observed_at: new Date('2026-01-01T00:00:09Z') }]);
  });

  it('when a batch is larger than one statement allows, every row is written', async () => {
    const { db } = database.handle;
    const items = Array.from({ length: 2_500 }, (_, i) =>
      observed(parsedCharge({ id: `chrg_bulk_${i}` })),
    );
    const outcomes = await write(items);
    expect(outcomes.filter((outcome) => outcome.written)).toHaveLength(2_500);
    expect(await findCharge(db, 'chrg_bulk_2499')).toBeDefined();
  });

  it('when jsonb columns hold awkward values, they read back unchanged', async () => {
    const { db } = database.handle;
    const extra = {
      tags: ['a', 'b'],
      nested: { quote: 'say "hi"\\', unicode: 'ชำระเงิน ✓', empty: null },
    };
    await write([
      observed(
        parsedCharge({
          id: 'chrg_json',
          description: 'line 1\nline 2, "quoted" \\ {braces}',
          metadata: { order: 'A-1', items: [1, 2] },
          paid_at: '2025-03-20T09:25:00.123Z',
          ...extra,
        }),
      ),
    ]);
    expect(await getCharge(db, 'chrg_json')).toMatchObject({
      description: 'line 1\nline 2, "quoted" \\ {braces}',
      metadata: { order: 'A-1', items: [1, 2] },
      raw: { object: 'charge', id: 'chrg_json', ...extra },
      paid_at: new Date('2025-03-20T09:25:00.123Z'),
    });
  });

  it('when a text holds a lone UTF-16 surrogate, the batch is written with U+FFFD in its place', async () => {
    const { db } = database.handle;
    const cut = 'emoji cut in half: \ud83d';
    const outcomes = await write([
      observed(
        parsedCharge({ id: 'chrg_fine', description: 'paired: \ud83d\ude00, and a \\ud800 text' }),
      ),
      observed(
        parsedCharge({ id: 'chrg_lone', description: cut, metadata: { note: '\udc00 low first' } }),
      ),
    ]);
    expect(outcomes).toEqual([
      { written: true, children: 0 },
      { written: true, children: 0 },
    ]);
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
    const items = Array.from({ length: 5_001 }, (_, i) =>
      observed(parsedCharge({ id: `chrg_doc_${i}` })),
    );
    const outcomes = await write(items);
    expect(outcomes.filter((outcome) => outcome.written)).toHaveLength(5_001);
    expect(await findCharge(db, 'chrg_doc_5000')).toBeDefined();
  });

  it('when refunds are re-observed, the guard holds for each and they list by charge', async () => {
    const { db } = database.handle;
    const charge = parsedCharge({ id: 'chrg_r' });
    await write([
      observed(charge, {
        refunds: [
          parsedRefund({ id: 'rfnd_b', charge: 'chrg_r', created_at: '2025-03-20T10:00:00Z' }),
          parsedRefund({ id: 'rfnd_a', charge: 'chrg_r', created_at: '2025-03-20T09:00:00Z' }),
        ],
      }),
    ]);
    const outcomes = await write([
      observed(charge, {
        refunds: [
          parsedRefund({
            id: 'rfnd_a',
            charge: 'chrg_r',
            voided: true,
            created_at: '2025-03-20T09:00:00Z',
          }),
        ],
        observedAt: '2025-12-31T00:00:00Z',
      }),
    ]);
    expect(outcomes).toEqual([{ written: false, children: 0 }]);
    const refunds = await findRefundsByCharge(db, 'chrg_r');
    expect(refunds.map((r) => [r.id, r.voided])).toEqual([
      ['rfnd_a', false],
      ['rfnd_b', false],
    ]);
  });
});
