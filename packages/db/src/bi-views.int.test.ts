import { describe, expect, it, beforeAll } from '@jest/globals';
import { sql } from 'kysely';
import { useTestDatabase } from '@omise-sync/testing';
import { rebuildChargeSummaries } from './repositories/charge-daily.repository';

const observed = '2026-11-01T00:00:00Z';

describe('bi views and the omise_bi role', () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database.handle;
    const charge = (
      id: string,
      amount: number,
      currency: string,
      status: string,
      paid: boolean,
      created: string,
    ) => ({
      id,
      livemode: false,
      amount,
      currency,
      status,
      paid,
      authorized: paid,
      capturable: false,
      reversed: false,
      expired: false,
      metadata: {},
      refunded_amount: id === 'chrg_test_1' ? 500 : 0,
      created_at: created,
      raw: { object: 'charge', id },
      origin: 'webhook' as const,
      observed_at: observed,
    });
    await db
      .insertInto('omise.charges')
      .values([
        charge('chrg_test_1', 10_000, 'THB', 'successful', true, '2026-10-01T01:00:00Z'),
        charge('chrg_test_2', 20_000, 'THB', 'successful', true, '2026-10-01T23:00:00Z'),
        charge('chrg_test_3', 5_000, 'THB', 'failed', false, '2026-10-02T10:00:00Z'),
        charge('chrg_test_4', 7_000, 'JPY', 'successful', true, '2026-10-02T10:00:00Z'),
      ])
      .execute();
    // Charges written here bypass the projection core, which keeps the view's summary.
    await db.transaction().execute((trx) => rebuildChargeSummaries(trx));
    await db
      .insertInto('omise.disputes')
      .values({
        id: 'dspt_test_1',
        charge_id: 'chrg_test_2',
        livemode: false,
        amount: 20_000,
        currency: 'THB',
        status: 'open',
        reason_code: 'goods_or_services_not_provided',
        metadata: {},
        created_at: '2026-10-20T00:00:00Z',
        respond_by: '2026-10-27T00:00:00Z',
        raw: { object: 'dispute' },
        origin: 'webhook',
        observed_at: observed,
      })
      .execute();
    await db
      .insertInto('omise.refunds')
      .values({
        id: 'rfnd_test_1',
        charge_id: 'chrg_test_1',
        livemode: false,
        amount: 500,
        currency: 'THB',
        status: 'closed',
        voided: false,
        metadata: {},
        created_at: '2026-10-03T00:00:00Z',
        raw: { object: 'refund' },
        origin: 'webhook',
        observed_at: observed,
      })
      .execute();
  });

  it('daily_charge_volume groups by UTC day, currency and status', async () => {
    const { rows } = await sql<{
      day: Date;
      currency: string;
      status: string;
      charge_count: number;
      amount_total: number;
    }>`
      SELECT day, currency, status, charge_count, amount_total FROM bi.daily_charge_volume
      ORDER BY day, currency, status`.execute(database.handle.db);
    expect(
      rows.map((r) => [
        r.day.toISOString().slice(0, 10),
        r.currency,
        r.status,
        r.charge_count,
        r.amount_total,
      ]),
    ).toEqual([
      ['2026-10-01', 'THB', 'successful', 2, 30_000],
      ['2026-10-02', 'JPY', 'successful', 1, 7_000],
      ['2026-10-02', 'THB', 'failed', 1, 5_000],
    ]);
  });

  it('monthly_dispute_rate counts disputes against the paid charges of the same month', async () => {
    const { rows } = await sql<{
      currency: string;
      charge_count: number;
      disputed_charge_count: number;
      dispute_rate: string;
    }>`
      SELECT currency, charge_count, disputed_charge_count, dispute_rate FROM bi.monthly_dispute_rate
      ORDER BY currency`.execute(database.handle.db);
    expect(rows).toEqual([
      { currency: 'JPY', charge_count: 1, disputed_charge_count: 0, dispute_rate: '0.000000' },
      { currency: 'THB', charge_count: 2, disputed_charge_count: 1, dispute_rate: '0.500000' },
    ]);
  });

  it('open_disputes lists open disputes with their age', async () => {
    const { rows } = await sql<{ dispute_id: string; age_days: number }>`
      SELECT dispute_id, age_days FROM bi.open_disputes`.execute(database.handle.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.dispute_id).toBe('dspt_test_1');
    expect(rows[0]?.age_days).toBeGreaterThanOrEqual(0);
  });

  it('refund_totals and disputes_by_reason aggregate', async () => {
    const refunds = await sql<{
      amount_total: number;
    }>`SELECT amount_total FROM bi.refund_totals`.execute(database.handle.db);
    expect(refunds.rows).toEqual([{ amount_total: 500 }]);
    const disputes = await sql<{ reason_code: string; dispute_count: number }>`
      SELECT reason_code, dispute_count FROM bi.disputes_by_reason`.execute(database.handle.db);
    expect(disputes.rows).toEqual([
      { reason_code: 'goods_or_services_not_provided', dispute_count: 1 },
    ]);
  });

  it('when acting as omise_bi, reads bi and omise but cannot write anything', async () => {
    const client = await database.handle.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE omise_bi');
      const views = await client.query('SELECT count(*)::int AS n FROM bi.open_disputes');
      expect(views.rows).toEqual([{ n: 1 }]);
      const tables = await client.query('SELECT count(*)::int AS n FROM omise.charges');
      expect(tables.rows).toEqual([{ n: 4 }]);
      await client.query('SAVEPOINT before_write');
      await expect(client.query("UPDATE omise.charges SET status = 'failed'")).rejects.toThrow(
        /permission denied/,
      );
      await client.query('ROLLBACK TO SAVEPOINT before_write');
      await expect(client.query('CREATE TABLE bi.sneaky (id int)')).rejects.toThrow(
        /permission denied/,
      );
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
