import { type Kysely, sql } from 'kysely';

// bi.daily_charge_volume read every charge; over a million it took seconds. omise.charge_daily
// holds its groups, kept by the statement that writes the charges (the projection core adds
// each written charge's new values and subtracts its previous ones), so the view reads a few
// hundred rows. Groups whose charges all moved elsewhere stay with a count of 0 and are not
// shown, so the view's rows are those of the GROUP BY it replaces. bi.monthly_dispute_rate
// counts its paid charges from the same summary (`paid` is a dimension of it) and reads
// omise.charges only for the disputed ones.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE omise.charge_daily (
      account        text   NOT NULL,
      day            date   NOT NULL,
      currency       text   NOT NULL,
      status         text   NOT NULL,
      paid           boolean NOT NULL,
      charge_count   bigint NOT NULL,
      amount_total   bigint NOT NULL,
      refunded_total bigint NOT NULL,
      PRIMARY KEY (account, day, currency, status, paid)
    )`.execute(db);
  // No charge is written while the summary is filled (the migration's transaction holds it).
  await sql`LOCK TABLE omise.charges IN SHARE MODE`.execute(db);
  await sql`
    INSERT INTO omise.charge_daily
    SELECT account, (created_at AT TIME ZONE 'UTC')::date, currency, status, paid,
           count(*), sum(amount), sum(refunded_amount)
      FROM omise.charges
     GROUP BY 1, 2, 3, 4, 5`.execute(db);
  await sql`
    CREATE OR REPLACE VIEW bi.daily_charge_volume AS
    SELECT day,
           currency,
           status,
           sum(charge_count)::bigint   AS charge_count,
           sum(amount_total)::bigint   AS amount_total,
           sum(refunded_total)::bigint AS refunded_total,
           account
      FROM omise.charge_daily
     GROUP BY day, currency, status, account
    HAVING sum(charge_count) > 0`.execute(db);
  await sql`
    CREATE OR REPLACE VIEW bi.monthly_dispute_rate AS
    WITH paid AS (
      SELECT date_trunc('month', day)::date AS month, currency, account,
             sum(charge_count)::bigint AS charge_count
        FROM omise.charge_daily
       WHERE paid
       GROUP BY 1, 2, 3
      HAVING sum(charge_count) > 0
    ), disputed AS (
      SELECT date_trunc('month', c.created_at AT TIME ZONE 'UTC')::date AS month, c.currency,
             c.account, count(*)::bigint AS disputed_charge_count
        FROM omise.charges c
       WHERE c.paid AND c.id IN (SELECT charge_id FROM omise.disputes)
       GROUP BY 1, 2, 3
    )
    SELECT p.month,
           p.currency,
           p.charge_count,
           coalesce(d.disputed_charge_count, 0)                                   AS disputed_charge_count,
           round(coalesce(d.disputed_charge_count, 0)::numeric / p.charge_count, 6) AS dispute_rate,
           p.account
      FROM paid p
      LEFT JOIN disputed d USING (month, currency, account)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE VIEW bi.monthly_dispute_rate AS
    SELECT date_trunc('month', c.created_at AT TIME ZONE 'UTC')::date AS month,
           c.currency,
           count(*)::bigint                                            AS charge_count,
           count(d.charge_id)::bigint                                  AS disputed_charge_count,
           round(count(d.charge_id)::numeric / nullif(count(*), 0), 6)  AS dispute_rate,
           c.account
      FROM omise.charges c
      LEFT JOIN (SELECT DISTINCT charge_id FROM omise.disputes) d ON d.charge_id = c.id
     WHERE c.paid
     GROUP BY 1, 2, c.account`.execute(db);
  await sql`
    CREATE OR REPLACE VIEW bi.daily_charge_volume AS
    SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
           currency,
           status,
           count(*)::bigint                      AS charge_count,
           sum(amount)::bigint                   AS amount_total,
           sum(refunded_amount)::bigint          AS refunded_total,
           account
      FROM omise.charges
     GROUP BY 1, 2, 3, account`.execute(db);
  await sql`DROP TABLE IF EXISTS omise.charge_daily`.execute(db);
}
