import { useTestDatabase } from '@omise-sync/testing';
import { Charge } from '@omise-sync/omise-client';
import { sql } from 'kysely';
import { projectBatch } from '../project-batch';
import { useEmulatorDeps } from '../../test/use-emulator-deps';

function charge(id: string, overrides: Record<string, unknown> = {}): Charge {
  return Charge.parse({
    object: 'charge',
    id,
    livemode: false,
    location: `/charges/${id}`,
    amount: 100_000,
    currency: 'thb',
    status: 'pending',
    paid: false,
    refunded_amount: 0,
    metadata: {},
    created_at: '2026-11-30T23:30:00Z',
    ...overrides,
  });
}

describe('the charge summaries (omise.charge_daily, omise.customer_charge_totals)', () => {
  const database = useTestDatabase();
  const omise = useEmulatorDeps('charge-daily');

  const write = (items: [Charge, Date][]) =>
    projectBatch(
      { ...omise.deps, db: database.handle.db },
      items.map(([observed, observedAt]) => ({
        kind: 'observed',
        type: 'charge',
        observation: { charge: observed, refunds: [] },
        origin: 'backfill',
        observedAt,
      })),
    );

  it('when charges are written, change status, are refunded or arrive out of order, the view equals a GROUP BY over the charges', async () => {
    const { db } = database.handle;
    const t = (s: number) => new Date(Date.UTC(2026, 11, 1, 0, 0, s));
    await write([
      [charge('chrg_test_daily1', { customer: 'cust_test_daily' }), t(1)],
      [
        charge('chrg_test_daily2', {
          created_at: '2026-12-01T00:10:00Z',
          customer: 'cust_test_daily',
        }),
        t(1),
      ],
    ]);
    await write([
      [
        charge('chrg_test_daily1', {
          status: 'successful',
          paid: true,
          customer: 'cust_test_daily',
        }),
        t(3),
      ],
      [charge('chrg_test_daily3', { currency: 'jpy', amount: 5_000 }), t(3)],
    ]);
    // An older observation is refused by the guard and must not move the summary.
    await write([
      [charge('chrg_test_daily1', { status: 'failed', customer: 'cust_test_daily' }), t(2)],
    ]);
    await write([
      [
        charge('chrg_test_daily1', {
          status: 'successful',
          paid: true,
          refunded_amount: 40_000,
          customer: 'cust_test_daily',
        }),
        t(4),
      ],
    ]);
    const view = await sql`SELECT * FROM bi.daily_charge_volume ORDER BY 1, 2, 3, 7`.execute(db);
    const direct = await sql`
      SELECT (created_at AT TIME ZONE 'UTC')::date AS day, currency, status,
             count(*)::bigint AS charge_count, sum(amount)::bigint AS amount_total,
             sum(refunded_amount)::bigint AS refunded_total, account
        FROM omise.charges GROUP BY 1, 2, 3, account ORDER BY 1, 2, 3, 7`.execute(db);
    expect(view.rows).toEqual(direct.rows);
    expect(view.rows).toHaveLength(3);

    const totals = await sql`
      SELECT account, customer_id, charge_count, first_charge_at, last_charge_at, currency,
             net_by_currency
        FROM omise.customer_charge_totals ORDER BY 1, 2`.execute(db);
    const directTotals = await sql`
      SELECT account, customer_id, sum(charge_count)::bigint AS charge_count,
             min(first_charge_at) AS first_charge_at, max(last_charge_at) AS last_charge_at,
             CASE WHEN count(*) = 1 THEN min(currency) END AS currency,
             jsonb_object_agg(currency, net) AS net_by_currency
        FROM (SELECT account, customer_id, currency, count(*) AS charge_count,
                     min(created_at) AS first_charge_at, max(created_at) AS last_charge_at,
                     coalesce(sum(amount - refunded_amount) FILTER (WHERE status = 'successful'), 0) AS net
                FROM omise.charges WHERE customer_id IS NOT NULL GROUP BY 1, 2, 3) per_currency
       GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
    expect(totals.rows).toEqual(directTotals.rows);
    expect(totals.rows).toEqual([
      expect.objectContaining({
        customer_id: 'cust_test_daily',
        charge_count: 2,
        currency: 'THB',
        net_by_currency: { THB: 60_000 },
      }),
    ]);

    await sql`INSERT INTO omise.disputes (id, charge_id, livemode, amount, currency, status,
                created_at, respond_by, raw, origin, observed_at)
              VALUES ('dspt_test_daily1', 'chrg_test_daily1', false, 100000, 'thb', 'open',
                '2026-12-02T00:00:00Z', '2026-12-09T00:00:00Z', '{}', 'backfill', now())`.execute(
      db,
    );
    const rate = await sql`SELECT * FROM bi.monthly_dispute_rate ORDER BY 1, 2, 6`.execute(db);
    const rateDirect = await sql`
      SELECT date_trunc('month', c.created_at AT TIME ZONE 'UTC')::date AS month, c.currency,
             count(*)::bigint AS charge_count,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM omise.disputes d WHERE d.charge_id = c.id))::bigint
               AS disputed_charge_count,
             round(count(*) FILTER (WHERE EXISTS (SELECT 1 FROM omise.disputes d WHERE d.charge_id = c.id))::numeric
               / count(*), 6) AS dispute_rate,
             c.account
        FROM omise.charges c WHERE c.paid GROUP BY 1, 2, c.account ORDER BY 1, 2, 6`.execute(db);
    expect(rate.rows).toEqual(rateDirect.rows);
    expect(rate.rows).toEqual([
      expect.objectContaining({ charge_count: 1, disputed_charge_count: 1 }),
    ]);

    // A second currency: the customer's `currency` becomes NULL and each currency keeps its own net.
    await write([
      [
        charge('chrg_test_daily4', {
          currency: 'jpy',
          amount: 7_000,
          status: 'successful',
          paid: true,
          customer: 'cust_test_daily',
        }),
        t(5),
      ],
    ]);
    const merged = await sql`
      SELECT charge_count, currency, net_by_currency
        FROM omise.customer_charge_totals WHERE customer_id = 'cust_test_daily'`.execute(db);
    expect(merged.rows).toEqual([
      { charge_count: 3, currency: null, net_by_currency: { THB: 60_000, JPY: 7_000 } },
    ]);
  });
});
