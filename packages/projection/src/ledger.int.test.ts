import { createCardCharge, useTestDatabase } from '@omise-sync/testing';
import { Charge, Transaction } from '@omise-sync/omise-client';
import { sql } from 'kysely';
import { findNetMovementFees, writeTransactions } from './ledger';
import { projectBatch } from './project-batch';
import { useEmulatorDeps } from '../test/use-emulator-deps';

describe('ledger movements net of fees', () => {
  const database = useTestDatabase();
  const fixture = useEmulatorDeps('ledger-net-fees');

  /** Omise's movements, as the emulator lists them (a capture is one net credit). */
  async function movements(): Promise<Transaction[]> {
    const page = await fixture.deps.omise.transactions
      .list({ limit: 100, order: 'chronological' })
      .page(0);
    return page.data;
  }

  const newCharge = (): Charge =>
    Charge.parse(createCardCharge(fixture.emulator, { amount: 100_000, currency: 'THB' }));

  it("a charge's net credit carries the charge's fee and VAT: from the stored charge, else from Omise; the summaries add them up", async () => {
    const { db } = database.handle;
    const stored = newCharge();
    const fetched = newCharge();
    await projectBatch({ ...fixture.deps, db }, [
      {
        kind: 'observed',
        type: 'charge',
        observation: { charge: stored, refunds: [] },
        origin: 'backfill',
        observedAt: new Date(),
      },
    ]);
    // The stored row is believed over Omise: a fee only the row has proves the source.
    await sql`UPDATE omise.charges SET raw = raw || '{"fee": 1, "fee_vat": 2}' WHERE id = ${stored.id}`.execute(
      db,
    );
    const listed = await movements();
    const gone = Transaction.parse({
      ...listed[0],
      id: 'trxn_test_gone',
      origin: 'chrg_test_gone',
    });
    const all = [...listed, gone];
    const fees = await findNetMovementFees(db, fixture.deps.omise, all);
    const byCharge = (chargeId: string) =>
      fees.get(all.find((t) => t.origin === chargeId)?.id ?? '');
    expect(byCharge(stored.id)).toEqual({ fee: 1, fee_vat: 2 });
    expect(byCharge(fetched.id)).toEqual({ fee: fetched.fee, fee_vat: fetched.fee_vat });
    expect(byCharge('chrg_test_gone')).toEqual({ fee: 0, fee_vat: 0 });

    await writeTransactions(
      db,
      'default',
      all,
      { origin: 'backfill', observedAt: new Date() },
      fees,
    );
    const { rows } = await sql<{
      fee: string;
      fee_vat: string;
      daily_fee: string;
      hourly_fee: string;
    }>`
      SELECT (SELECT sum(fee) FROM omise.transactions) AS fee,
             (SELECT sum(fee_vat) FROM omise.transactions) AS fee_vat,
             (SELECT sum(fee_total) FROM omise.ledger_daily) AS daily_fee,
             (SELECT sum(fee_total) FROM omise.ledger_hourly) AS hourly_fee`.execute(db);
    const expected = 1 + Number(fetched.fee);
    expect(rows[0]).toEqual({
      fee: String(expected),
      fee_vat: String(2 + Number(fetched.fee_vat)),
      daily_fee: String(expected),
      hourly_fee: String(expected),
    });
  });
});
