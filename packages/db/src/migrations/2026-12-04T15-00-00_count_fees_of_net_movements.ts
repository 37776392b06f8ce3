import { type Kysely, sql } from 'kysely';
import { up as createMoneyViews } from './2026-12-04T10-10-00_create_money_views';

// Omise credits a captured charge with one movement of its net (`charge.captured.net`): the
// fee and its VAT appear on the charge (`fee`, `fee_vat`), never as movements of their own.
// Each movement now carries the fees it is net of (`fee`, `fee_vat`; the ledger sync takes them
// from the charge), the summaries sum them, and the views count them as fees and VAT, and
// into the charges' gross. Fees recorded as movements of their own still count as before.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE omise.transactions
      ADD COLUMN fee     bigint NOT NULL DEFAULT 0,
      ADD COLUMN fee_vat bigint NOT NULL DEFAULT 0`.execute(db);
  await sql`
    UPDATE omise.transactions t
       SET fee = coalesce((ch.raw ->> 'fee')::bigint, 0),
           fee_vat = coalesce((ch.raw ->> 'fee_vat')::bigint, 0)
      FROM omise.charges ch
     WHERE t.key LIKE '%.net' AND ch.id = t.origin_id`.execute(db);
  for (const summary of ['ledger_daily', 'ledger_hourly']) {
    await sql`
      ALTER TABLE ${sql.table(`omise.${summary}`)}
        ADD COLUMN fee_total     bigint NOT NULL DEFAULT 0,
        ADD COLUMN fee_vat_total bigint NOT NULL DEFAULT 0`.execute(db);
  }
  await sql`
    UPDATE omise.ledger_daily d
       SET fee_total = s.fee, fee_vat_total = s.fee_vat
      FROM (SELECT account, currency, (created_at AT TIME ZONE 'UTC')::date AS day, category,
                   component, direction, sum(fee) AS fee, sum(fee_vat) AS fee_vat
              FROM omise.transactions
             WHERE fee <> 0 OR fee_vat <> 0
             GROUP BY 1, 2, 3, 4, 5, 6) s
     WHERE (d.account, d.currency, d.day, d.category, d.component, d.direction)
         = (s.account, s.currency, s.day, s.category, s.component, s.direction)`.execute(db);
  await sql`
    UPDATE omise.ledger_hourly h
       SET fee_total = s.fee, fee_vat_total = s.fee_vat
      FROM (SELECT account, currency, date_trunc('hour', transferable_at, 'UTC') AS hour,
                   category, component, sum(fee) AS fee, sum(fee_vat) AS fee_vat
              FROM omise.transactions
             WHERE transferable_at IS NOT NULL AND (fee <> 0 OR fee_vat <> 0)
             GROUP BY 1, 2, 3, 4, 5) s
     WHERE (h.account, h.currency, h.hour, h.category, h.component)
         = (s.account, s.currency, s.hour, s.category, s.component)`.execute(db);

  // As in the migration that made them, but a charge's gross is its movements plus the fees
  // they are net of, and `fees` and `vat` count both kinds.
  await sql`
    CREATE OR REPLACE VIEW bi.payout_reconciliation AS
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
               sum(m.amount + m.fee + m.fee_vat)
                 FILTER (WHERE m.category = 'charge' AND m.component = 'principal')   AS gross,
               sum(m.amount) FILTER (WHERE m.category = 'refund' AND m.component = 'principal')  AS refunds,
               sum(m.amount) FILTER (WHERE m.category = 'dispute' AND m.component = 'principal') AS disputes,
               sum(m.fee - CASE WHEN m.component = 'fee' THEN m.amount ELSE 0 END)   AS fees,
               sum(m.fee_vat - CASE WHEN m.component = 'vat' THEN m.amount ELSE 0 END) AS vat,
               sum(m.amount)                                                          AS net
          FROM (
            SELECT x.category, x.component, 1 AS movements,
                   (x.component = 'principal')::int AS principals, x.signed_amount AS amount,
                   x.fee, x.fee_vat
              FROM omise.transactions x
             WHERE x.account = b.account AND x.currency = b.currency
               AND x.transferable_at >= b.lo
               AND x.transferable_at < least(b.created_at, b.lo_hour_end)
               AND x.category <> 'transfer'
            UNION ALL
            SELECT h.category, h.component, h.movement_count, h.principal_count, h.signed_total,
                   h.fee_total, h.fee_vat_total
              FROM omise.ledger_hourly h
             WHERE h.account = b.account AND h.currency = b.currency
               AND h.hour >= b.lo_hour_end AND h.hour < b.hi_hour
               AND h.category <> 'transfer'
            UNION ALL
            SELECT x.category, x.component, 1, (x.component = 'principal')::int, x.signed_amount,
                   x.fee, x.fee_vat
              FROM omise.transactions x
             WHERE b.hi_hour >= b.lo_hour_end
               AND x.account = b.account AND x.currency = b.currency
               AND x.transferable_at >= b.hi_hour AND x.transferable_at < b.created_at
               AND x.category <> 'transfer'
          ) m
      ) s ON true`.execute(db);

  await sql`
    CREATE OR REPLACE VIEW bi.fees_monthly AS
    WITH ledger AS (
      SELECT account, currency, date_trunc('month', day)::date AS month,
             sum(CASE WHEN category = 'transfer' THEN 0
                      ELSE fee_total - CASE WHEN component = 'fee' THEN signed_total ELSE 0 END
                 END)                                                                      AS charge_fees,
             -sum(signed_total) FILTER (WHERE component = 'fee' AND category = 'transfer')  AS transfer_fees,
             sum(fee_vat_total - CASE WHEN component = 'vat' THEN signed_total ELSE 0 END)  AS vat,
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP VIEW bi.balance_rollforward, bi.fees_monthly, bi.payout_reconciliation`.execute(
    db,
  );
  await createMoneyViews(db);
  for (const summary of ['ledger_daily', 'ledger_hourly']) {
    await sql`
      ALTER TABLE ${sql.table(`omise.${summary}`)}
        DROP COLUMN fee_total, DROP COLUMN fee_vat_total`.execute(db);
  }
  await sql`ALTER TABLE omise.transactions DROP COLUMN fee, DROP COLUMN fee_vat`.execute(db);
}
