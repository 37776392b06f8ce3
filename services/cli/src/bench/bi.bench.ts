import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDatabase, migrateToLatest, rebuildChargeSummaries } from '@omise-sync/db';
import pg from 'pg';
import { createScratchDatabase, positive, runBenchmark } from './bench-kit';
import { formatTable } from '../text-table';

/**
 * `npm run bench:bi`: fills a database created for the run (and dropped after it) with
 * BENCH_CHARGES (default 1,000,000) charges over a year, their refunds (10%), disputes (1%,
 * with flags and documents), events, ledger (each charge's net credit with the fees it is net
 * of, refunds, disputes, daily payouts with their fees), daily balance snapshots and receipts,
 * customers (one per 20 charges, a quarter of the charges naming one) with cards, recipients,
 * schedules with a year of occurrences, and links, all with SQL generate_series rather than
 * through the API, then times every documented `bi` view
 * (`SELECT *`, all rows fetched) BENCH_RUNS times (default 10) after one warm-up run.
 *
 * Env: DATABASE_URL (a server URL; default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_CHARGES, BENCH_RUNS, BENCH_TARGET_P95_MS (default 500), BENCH_KEEP_DATABASE=1 (keep the
 * filled database for EXPLAIN; its name is printed).
 */

/** Every view documented in packages/db/README.md. */
const BI_VIEWS = [
  'daily_charge_volume',
  'disputes_by_reason',
  'open_disputes',
  'monthly_dispute_rate',
  'refund_totals',
  'disputes_at_risk',
  'dispute_outcomes',
  'payout_reconciliation',
  'fees_monthly',
  'balance_rollforward',
  'customers',
  'cards',
  'recipients',
  'schedules',
  'schedules_due',
  'links',
] as const;

/** The fill, one statement per step; `$1` is the number of charges. */
const FILL: readonly [label: string, statement: string][] = [
  [
    'charges',
    `INSERT INTO omise.charges (id, livemode, amount, currency, status, authorized, paid,
            refunded_amount, card_brand, card_last_digits, metadata, created_at, paid_at, raw,
            origin, observed_at, customer_id)
     SELECT 'chrg_bench_' || i, false, 2000 + (i::bigint * 7919) % 500000, 'THB',
            CASE WHEN i % 20 = 0 THEN 'failed' ELSE 'successful' END, i % 20 <> 0, i % 20 <> 0,
            CASE WHEN i % 10 = 1 THEN (2000 + (i::bigint * 7919) % 500000) / 2 ELSE 0 END,
            'Visa', '4242', '{}', t, CASE WHEN i % 20 <> 0 THEN t END, '{}'::jsonb, 'backfill', now(),
            CASE WHEN i % 4 = 0 THEN 'cust_bench_' || (i / 4) % ($1::int / 20) END
       FROM generate_series(1, $1::int) i,
            LATERAL (SELECT now() - interval '365 days'
                            + (i::float8 / $1::int) * interval '365 days' AS t) c`,
  ],
  [
    'refunds',
    `INSERT INTO omise.refunds (id, charge_id, livemode, amount, currency, status, voided,
            created_at, raw, origin, observed_at)
     SELECT 'rfnd' || substr(id, 5), id, false, refunded_amount, currency, 'closed', false,
            created_at + interval '1 hour', '{}'::jsonb, 'backfill', now()
       FROM omise.charges WHERE refunded_amount > 0`,
  ],
  [
    'disputes',
    // 1% of paid charges, half of them a customer's (the dispute keeps its charge's customer).
    `INSERT INTO omise.disputes (id, charge_id, customer_id, livemode, amount, currency, status,
            reason_code, created_at, closed_at, respond_by, raw, origin, observed_at)
     SELECT 'dspt' || substr(c.id, 5), c.id, c.customer_id, false, c.amount, c.currency,
            (ARRAY['open', 'pending', 'won', 'lost'])[1 + (n / 200) % 4],
            (ARRAY['goods_or_services_not_provided', 'unauthorized_charge',
                   'duplicate_processing'])[1 + n % 3],
            c.created_at + interval '3 days',
            CASE WHEN (n / 200) % 4 >= 2 THEN c.created_at + interval '20 days' END,
            c.created_at + interval '10 days', '{}'::jsonb, 'backfill', now()
       FROM omise.charges c, LATERAL (SELECT substr(c.id, 12)::int AS n) k
      WHERE n % 200 IN (3, 4) AND c.paid`,
  ],
  [
    'dispute flags and documents',
    `WITH flags AS (
       INSERT INTO omise.dispute_flags (dispute_id, flagged_at, severity, origin, notify,
              first_seen_status)
       SELECT id, created_at, 'medium', 'backfill', false, status FROM omise.disputes)
     INSERT INTO omise.dispute_documents (id, dispute_id, livemode, filename, deleted,
            created_at, raw, observed_at)
     SELECT 'docu' || substr(id, 5), id, false, 'proof.pdf', false,
            created_at + interval '1 day', '{}', now()
       FROM omise.disputes WHERE status <> 'open'`,
  ],
  [
    'customers and cards',
    // One customer per 20 charges (a quarter of the charges name one), each with a card.
    `WITH customers AS (
       INSERT INTO omise.customers (id, livemode, created_at, deleted_at, email, default_card_id,
              raw, origin, observed_at)
       SELECT 'cust_bench_' || n, false, now() - interval '400 days',
              CASE WHEN n % 50 = 0 THEN now() END, md5(n::text), 'card_bench_' || n, '{}',
              'backfill', now()
         FROM generate_series(0, $1::int / 20 - 1) n
       RETURNING id, deleted_at)
     INSERT INTO omise.cards (id, livemode, created_at, deleted_at, customer_id, brand,
            last_digits, raw, origin, observed_at)
     SELECT 'card_bench_' || substr(id, 12), false, now() - interval '400 days', deleted_at, id,
            'Visa', '4242', '{}', 'backfill', now() FROM customers`,
  ],
  [
    'recipients, schedules, occurrences and links',
    `WITH recipients AS (
       INSERT INTO omise.recipients (id, livemode, created_at, name, type, raw, origin,
              observed_at)
       SELECT 'recp_bench_' || n, false, now() - interval '300 days', md5(n::text), 'individual',
              '{}', 'backfill', now() FROM generate_series(1, 1000) n
       RETURNING id
     ), schedules AS (
       INSERT INTO omise.schedules (id, livemode, created_at, status, active, every, period,
              start_on, end_on, next_occurrence_dates, kind, amount, currency, customer_id, raw,
              origin, observed_at)
       SELECT 'schd_bench_' || n, false, now() - interval '365 days',
              CASE WHEN n % 10 = 0 THEN 'suspended' ELSE 'active' END, n % 10 <> 0, 1, 'month',
              (now() - interval '365 days')::date, (now() + interval '365 days')::date,
              jsonb_build_array((now() + interval '5 days')::date, (now() + interval '35 days')::date),
              'charge', 100000, 'THB', 'cust_bench_' || n, '{}', 'backfill', now()
         FROM generate_series(1, 5000) n
       RETURNING id
     ), occurrences AS (
       INSERT INTO omise.schedule_occurrences (id, livemode, created_at, schedule_id,
              scheduled_on, status, message, raw, origin, observed_at)
       SELECT 'occu_bench_' || substr(s.id, 12) || '_' || m, false, now(), s.id,
              (now() - (m || ' months')::interval)::date,
              CASE WHEN m = 1 AND substr(s.id, 12)::int % 10 = 0 THEN 'failed' ELSE 'successful' END,
              NULL, '{}', 'backfill', now()
         FROM schedules s, generate_series(1, 12) m
       RETURNING id
     )
     INSERT INTO omise.links (id, livemode, created_at, amount, currency, title, raw, origin,
            observed_at)
     SELECT 'link_bench_' || n, false, now() - interval '200 days', 50000, 'THB', 'Invoice ' || n,
            '{}', 'backfill', now() FROM generate_series(1, 10000) n`,
  ],
  [
    'events',
    `INSERT INTO omise.events (id, key, resource_type, resource_id, livemode, created_at,
            received_at, processed_at, outcome, origin)
     SELECT 'evnt_c' || substr(id, 11), 'charge.create', 'charge', id, false, created_at,
            created_at, created_at, 'projected', 'webhook' FROM omise.charges
     UNION ALL
     SELECT 'evnt_r' || substr(id, 11), 'refund.create', 'refund', id, false, created_at,
            created_at, created_at, 'projected', 'webhook' FROM omise.refunds
     UNION ALL
     SELECT 'evnt_d' || substr(id, 11), 'dispute.create', 'dispute', id, false, created_at,
            created_at, created_at, 'projected', 'webhook' FROM omise.disputes`,
  ],
  [
    'ledger',
    // A capture is one credit of the charge's net, carrying the fee and VAT it is net of.
    `INSERT INTO omise.transactions (id, direction, key, amount, currency, origin_id,
            transferable_at, created_at, fee, fee_vat, raw, origin, observed_at)
     SELECT 'trxn_c' || substr(c.id, 11), 'credit', 'charge.captured.net',
            c.amount - f.fee - f.vat, c.currency, c.id, c.paid_at, c.paid_at, f.fee, f.vat,
            '{}'::jsonb, 'backfill', now()
       FROM omise.charges c,
            LATERAL (SELECT round(c.amount * 0.0365)::bigint AS fee) r,
            LATERAL (SELECT r.fee, round(r.fee * 0.07)::bigint AS vat) f
      WHERE c.paid
     UNION ALL
     SELECT 'trxn_r' || substr(id, 11), 'debit', 'refund.created.debit', amount, currency, id,
            created_at, created_at, 0, 0, '{}'::jsonb, 'backfill', now() FROM omise.refunds
     UNION ALL
     SELECT 'trxn_d' || substr(id, 11), 'debit', 'dispute.started.debit', amount, currency, id,
            created_at, created_at, 0, 0, '{}'::jsonb, 'backfill', now() FROM omise.disputes
     UNION ALL
     SELECT 'trxn_w' || substr(id, 11), 'credit', 'dispute.won.credit', amount, currency, id,
            closed_at, closed_at, 0, 0, '{}'::jsonb, 'backfill', now() FROM omise.disputes
      WHERE status = 'won'`,
  ],
  [
    'payouts',
    // One payout at each UTC midnight of what became transferable the day before.
    `WITH days AS (
       SELECT date_trunc('day', transferable_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                + interval '1 day' AS paid_out_at,
              sum(signed_amount) AS amount
         FROM omise.transactions GROUP BY 1
     ), payouts AS (
       INSERT INTO omise.transfers (id, livemode, amount, fee, fee_vat, net, currency, sent,
              paid, metadata, created_at, sent_at, paid_at, raw, origin, observed_at)
       SELECT 'trsf_bench_' || to_char(paid_out_at, 'YYYYMMDD'), false, amount, 2500, 175,
              amount - 2675, 'THB', paid_out_at < now(), paid_out_at < now(), '{}'::jsonb,
              paid_out_at, paid_out_at, paid_out_at, '{}'::jsonb, 'webhook', now()
         FROM days WHERE amount > 2675
       RETURNING id, amount, created_at)
     INSERT INTO omise.transactions (id, direction, key, amount, currency, origin_id,
            transferable_at, created_at, raw, origin, observed_at)
     SELECT 'trxn_' || m.kind || substr(p.id, 11), 'debit', m.key, m.amount, 'THB', p.id,
            p.created_at, p.created_at, '{}'::jsonb, 'backfill', now()
       FROM payouts p,
            LATERAL (VALUES ('t', 'transfer.created.debit', p.amount - 2675),
                            ('f', 'transfer.fee', 2500), ('v', 'transfer.fee_vat', 175)
                    ) m(kind, key, amount)`,
  ],
  [
    'ledger summary',
    `INSERT INTO omise.ledger_daily (account, currency, day, category, component, direction,
            movement_count, amount_total, signed_total, fee_total, fee_vat_total)
     SELECT account, currency, (created_at AT TIME ZONE 'UTC')::date, category, component,
            direction, count(*), sum(amount), sum(signed_amount), sum(fee), sum(fee_vat)
       FROM omise.transactions GROUP BY 1, 2, 3, 4, 5, 6`,
  ],
  [
    'payout summary',
    `INSERT INTO omise.ledger_hourly (account, currency, hour, category, component,
            movement_count, principal_count, signed_total, fee_total, fee_vat_total)
     SELECT account, currency, date_trunc('hour', transferable_at, 'UTC'), category, component,
            count(*), count(*) FILTER (WHERE component = 'principal'), sum(signed_amount),
            sum(fee), sum(fee_vat)
       FROM omise.transactions WHERE transferable_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5`,
  ],
  [
    'balance snapshots and receipts',
    `WITH days AS (
       SELECT day, sum(signed_total) OVER (ORDER BY day) AS closing,
              sum(fee_total) FILTER (WHERE category <> 'transfer')
                OVER (PARTITION BY day) AS charge_fee,
              -sum(signed_total) FILTER (WHERE component = 'fee' AND category = 'transfer')
                OVER (PARTITION BY day) AS transfer_fee,
              sum(fee_vat_total - CASE WHEN component = 'vat' THEN signed_total ELSE 0 END)
                OVER (PARTITION BY day) AS vat
         FROM (SELECT day, category, component, sum(signed_total) AS signed_total,
                      sum(fee_total) AS fee_total, sum(fee_vat_total) AS fee_vat_total
                 FROM omise.ledger_daily GROUP BY 1, 2, 3) d
     ), per_day AS (
       SELECT day, max(closing) AS closing, max(charge_fee) AS charge_fee,
              max(transfer_fee) AS transfer_fee, max(vat) AS vat
         FROM days GROUP BY day
     ), snapshots AS (
       INSERT INTO omise.balance_snapshots (taken_at, currency, total, transferable, reserve, raw)
       SELECT (day + 1)::timestamp AT TIME ZONE 'UTC' - interval '1 second', 'THB', closing,
              closing, 0, '{}'
         FROM per_day WHERE day < (now() AT TIME ZONE 'UTC')::date)
     INSERT INTO omise.receipts (id, number, date, currency, charge_fee, voided_fee,
            transfer_fee, subtotal, vat, wht, total, credit_note, raw, origin, observed_at)
     SELECT 'rcpt_bench_' || to_char(day, 'YYYYMMDD'), to_char(day, 'YYYYMMDD'),
            (day + 1)::timestamp AT TIME ZONE 'UTC' - interval '1 second', 'THB',
            coalesce(charge_fee, 0), 0, coalesce(transfer_fee, 0),
            coalesce(charge_fee, 0) + coalesce(transfer_fee, 0), coalesce(vat, 0), 0,
            coalesce(charge_fee, 0) + coalesce(transfer_fee, 0) + coalesce(vat, 0), false, '{}',
            'backfill', now()
       FROM per_day`,
  ],
];

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] ?? 0;
}

async function main(): Promise<number> {
  const charges = positive('BENCH_CHARGES', 1_000_000);
  const runs = positive('BENCH_RUNS', 10);
  const target = positive('BENCH_TARGET_P95_MS', 500);
  const scratch = await createScratchDatabase('omise_sync_bench_bi');
  const url = new URL(scratch.url);
  // The views are timed as BI tools run them: through a login made by omise.grant_bi_login,
  // with its settings (read-only, statement timeout, no JIT).
  const biLogin = `bench_bi_${randomBytes(4).toString('hex')}`;
  const biUrl = new URL(url.toString());
  biUrl.username = biLogin;
  biUrl.password = '';
  const owner = new pg.Client({ connectionString: url.toString() });
  const client = new pg.Client({ connectionString: biUrl.toString() });
  try {
    await migrateToLatest(url.toString());
    await owner.connect();
    console.log(`filling ${scratch.name} with ${charges.toLocaleString('en-US')} charges`);
    for (const [label, statement] of FILL) {
      const started = performance.now();
      const result = await owner.query(statement, statement.includes('$1') ? [charges] : []);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `  ${label}: ${(result.rowCount ?? 0).toLocaleString('en-US')} rows, ${seconds} s`,
      );
    }
    // The charge summaries, as the projection core would have kept them.
    const started = performance.now();
    const database = createDatabase({ connectionString: url.toString(), maxConnections: 1 });
    try {
      await database.db.transaction().execute((trx) => rebuildChargeSummaries(trx));
    } finally {
      await database.destroy();
    }
    console.log(`  charge summaries: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await owner.query('VACUUM ANALYZE');
    await owner.query(`CREATE ROLE ${biLogin} LOGIN`);
    await owner.query('SELECT omise.grant_bi_login($1)', [biLogin]);
    await owner.end();
    await client.connect();

    const rows: (string | number)[][] = [];
    let failures = 0;
    for (const view of BI_VIEWS) {
      const query = `SELECT * FROM bi.${view}`;
      const first = await client.query(query);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await client.query(query);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 0.95);
      const pass = p95 <= target;
      if (!pass) failures++;
      rows.push([
        `bi.${view}`,
        first.rowCount ?? 0,
        Number(percentile(times, 0.5).toFixed(1)),
        Number(p95.toFixed(1)),
        target,
        pass ? 'PASS' : 'FAIL',
      ]);
      console.log(`  bi.${view}: p95 ${p95.toFixed(1)} ms`);
    }
    console.log(
      `\n${formatTable(['view', 'rows', 'p50 ms', 'p95 ms', 'target ms', 'result'], rows)}`,
    );
    console.log(
      `\n${charges.toLocaleString('en-US')} charges, ${runs} runs per view after one warm-up; ${failures === 0 ? 'every view PASS' : `${failures} view(s) FAIL`}`,
    );
    return failures === 0 ? 0 : 1;
  } finally {
    await owner.end().catch(() => undefined);
    await client.end().catch(() => undefined);
    if (process.env.BENCH_KEEP_DATABASE === '1') {
      console.log(`kept database ${scratch.name}`);
      await scratch.admin.end();
    } else {
      await scratch.admin.query(`DROP ROLE IF EXISTS ${biLogin}`);
      await scratch.drop();
    }
  }
}

runBenchmark(main);
