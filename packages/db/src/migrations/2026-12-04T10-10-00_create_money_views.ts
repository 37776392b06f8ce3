import { type Kysely, sql } from 'kysely';

// The BI views of the money picture (issue 26); see packages/db/README.md for every column.
// A payout settles the movements that became transferable since the previous payout of its
// account and currency: previous payout's created_at <= transferable_at < its own created_at.
// Failed and deleted transfers settle nothing (their movements stay for the next payout), and
// the payouts' own movements (category `transfer`) are not part of what they settle. A
// payout's amount is what leaves the balance; its fee and VAT come out of it (net reaches the
// bank), so `difference` = settled net - amount.

export async function up(db: Kysely<unknown>): Promise<void> {
  // A window reads its whole hours from omise.ledger_hourly and only the movements of the
  // partial hours at its two ends from omise.transactions; the sums are those of the movements.
  await sql`
    CREATE VIEW bi.payout_reconciliation AS
    WITH payouts AS (
      SELECT t.*,
             lag(t.created_at) OVER (PARTITION BY t.account, t.currency
                                     ORDER BY t.created_at, t.id) AS window_start
        FROM omise.transfers t
       WHERE t.deleted_at IS NULL AND t.failure_code IS NULL
    ), bounds AS (
      SELECT p.*,
             coalesce(p.window_start, '-infinity') AS lo,
             date_trunc('hour', coalesce(p.window_start, '-infinity'), 'UTC') + interval '1 hour'
                                                                        AS lo_hour_end,
             date_trunc('hour', p.created_at, 'UTC')                         AS hi_hour
        FROM payouts p
    )
    SELECT b.id                                           AS transfer_id,
           b.created_at,
           b.currency,
           b.sent,
           b.paid,
           b.paid_at,
           b.window_start,
           b.amount,
           b.fee                                          AS transfer_fee,
           b.fee_vat                                      AS transfer_fee_vat,
           coalesce(s.transaction_count, 0)::bigint       AS transaction_count,
           coalesce(s.charge_count, 0)::bigint            AS charge_count,
           coalesce(s.refund_count, 0)::bigint            AS refund_count,
           coalesce(s.dispute_count, 0)::bigint           AS dispute_count,
           coalesce(s.gross, 0)::bigint                   AS gross,
           coalesce(s.refunds, 0)::bigint                 AS refunds,
           coalesce(s.disputes, 0)::bigint                AS disputes,
           coalesce(s.fees, 0)::bigint                    AS fees,
           coalesce(s.vat, 0)::bigint                     AS vat,
           coalesce(s.net, 0)::bigint                     AS net,
           (coalesce(s.net, 0) - b.amount)::bigint        AS difference,
           b.account
      FROM bounds b
      LEFT JOIN LATERAL (
        SELECT sum(m.movements)                                                       AS transaction_count,
               sum(m.principals) FILTER (WHERE m.category = 'charge')                 AS charge_count,
               sum(m.principals) FILTER (WHERE m.category = 'refund')                 AS refund_count,
               sum(m.principals) FILTER (WHERE m.category = 'dispute')                AS dispute_count,
               sum(m.amount) FILTER (WHERE m.category = 'charge' AND m.component = 'principal')  AS gross,
               sum(m.amount) FILTER (WHERE m.category = 'refund' AND m.component = 'principal')  AS refunds,
               sum(m.amount) FILTER (WHERE m.category = 'dispute' AND m.component = 'principal') AS disputes,
               -sum(m.amount) FILTER (WHERE m.component = 'fee')                      AS fees,
               -sum(m.amount) FILTER (WHERE m.component = 'vat')                      AS vat,
               sum(m.amount)                                                          AS net
          FROM (
            SELECT x.category, x.component, 1 AS movements,
                   (x.component = 'principal')::int AS principals, x.signed_amount AS amount
              FROM omise.transactions x
             WHERE x.account = b.account AND x.currency = b.currency
               AND x.transferable_at >= b.lo
               AND x.transferable_at < least(b.created_at, b.lo_hour_end)
               AND x.category <> 'transfer'
            UNION ALL
            SELECT h.category, h.component, h.movement_count, h.principal_count, h.signed_total
              FROM omise.ledger_hourly h
             WHERE h.account = b.account AND h.currency = b.currency
               AND h.hour >= b.lo_hour_end AND h.hour < b.hi_hour
               AND h.category <> 'transfer'
            UNION ALL
            SELECT x.category, x.component, 1, (x.component = 'principal')::int, x.signed_amount
              FROM omise.transactions x
             WHERE b.hi_hour >= b.lo_hour_end
               AND x.account = b.account AND x.currency = b.currency
               AND x.transferable_at >= b.hi_hour AND x.transferable_at < b.created_at
               AND x.category <> 'transfer'
          ) m
      ) s ON true`.execute(db);

  await sql`
    CREATE VIEW bi.fees_monthly AS
    WITH ledger AS (
      SELECT account, currency, date_trunc('month', day)::date AS month,
             -sum(signed_total) FILTER (WHERE component = 'fee' AND category <> 'transfer') AS charge_fees,
             -sum(signed_total) FILTER (WHERE component = 'fee' AND category = 'transfer')  AS transfer_fees,
             -sum(signed_total) FILTER (WHERE component = 'vat')                            AS vat,
             -sum(signed_total) FILTER (WHERE component = 'wht')                            AS wht
        FROM omise.ledger_daily
       GROUP BY account, currency, 3
    ), receipts AS (
      SELECT account, currency, date_trunc('month', date AT TIME ZONE 'UTC')::date AS month,
             count(*)                                                          AS receipt_count,
             sum(CASE WHEN credit_note THEN -charge_fee ELSE charge_fee END)     AS charge_fee,
             sum(CASE WHEN credit_note THEN -transfer_fee ELSE transfer_fee END) AS transfer_fee,
             sum(CASE WHEN credit_note THEN -vat ELSE vat END)                   AS vat,
             sum(CASE WHEN credit_note THEN -wht ELSE wht END)                   AS wht,
             sum(CASE WHEN credit_note THEN -total ELSE total END)               AS total
        FROM omise.receipts
       GROUP BY account, currency, 3
    )
    SELECT month,
           currency,
           coalesce(l.charge_fees, 0)::bigint     AS charge_fees,
           coalesce(l.transfer_fees, 0)::bigint   AS transfer_fees,
           coalesce(l.vat, 0)::bigint             AS vat,
           coalesce(l.wht, 0)::bigint             AS wht,
           coalesce(r.receipt_count, 0)::bigint   AS receipt_count,
           coalesce(r.charge_fee, 0)::bigint      AS receipt_charge_fee,
           coalesce(r.transfer_fee, 0)::bigint    AS receipt_transfer_fee,
           coalesce(r.vat, 0)::bigint             AS receipt_vat,
           coalesce(r.wht, 0)::bigint             AS receipt_wht,
           coalesce(r.total, 0)::bigint           AS receipt_total,
           account
      FROM ledger l
      FULL JOIN receipts r USING (account, currency, month)`.execute(db);

  await sql`
    CREATE VIEW bi.balance_rollforward AS
    WITH days AS (
      SELECT account, currency, day,
             sum(signed_total)   AS movements,
             sum(movement_count) AS movement_count
        FROM omise.ledger_daily
       GROUP BY account, currency, day
    ), snapshots AS (
      SELECT DISTINCT ON (account, currency, (taken_at AT TIME ZONE 'UTC')::date)
             account, currency, (taken_at AT TIME ZONE 'UTC')::date AS day, taken_at, total
        FROM omise.balance_snapshots
       ORDER BY account, currency, (taken_at AT TIME ZONE 'UTC')::date, taken_at DESC
    ), rolled AS (
      SELECT account, currency, day,
             coalesce(d.movements, 0)      AS movements,
             coalesce(d.movement_count, 0) AS movement_count,
             sum(coalesce(d.movements, 0)) OVER (PARTITION BY account, currency ORDER BY day) AS closing
        FROM (SELECT account, currency, day FROM days
              UNION SELECT account, currency, day FROM snapshots) all_days
        LEFT JOIN days d USING (account, currency, day)
    )
    SELECT r.day,
           r.currency,
           (r.closing - r.movements)::bigint AS opening,
           r.movements::bigint               AS movements,
           r.movement_count::bigint          AS movement_count,
           r.closing::bigint                 AS closing,
           s.taken_at                        AS snapshot_at,
           s.total                           AS snapshot_total,
           (s.total - (r.closing - coalesce(after_snapshot.amount, 0)))::bigint
                                             AS difference,
           r.account
      FROM rolled r
      LEFT JOIN snapshots s USING (account, currency, day)
      -- The day's movements after its last snapshot (usually the last hour's at most): the
      -- balance at the snapshot is the closing without them.
      LEFT JOIN LATERAL (
        SELECT sum(t.signed_amount) AS amount
          FROM omise.transactions t
         WHERE s.taken_at IS NOT NULL
           AND t.account = r.account
           AND t.currency = r.currency
           AND t.created_at > s.taken_at
           AND t.created_at < ((r.day + 1)::timestamp AT TIME ZONE 'UTC')
      ) after_snapshot ON true`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP VIEW IF EXISTS bi.balance_rollforward`.execute(db);
  await sql`DROP VIEW IF EXISTS bi.fees_monthly`.execute(db);
  await sql`DROP VIEW IF EXISTS bi.payout_reconciliation`.execute(db);
}
