import { type Kysely, sql } from 'kysely';

// bi.daily_charge_volume read every charge; over a million it took seconds. omise.charge_daily
// holds its groups, kept by the statement that writes the charges (the projection core adds
// each written charge's new values and subtracts its previous ones), so the view reads a few
// hundred rows. Groups whose charges all moved elsewhere stay with a count of 0 and are not
// shown, so the view's rows are those of the GROUP BY it replaces.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE omise.charge_daily (
      account        text   NOT NULL,
      day            date   NOT NULL,
      currency       text   NOT NULL,
      status         text   NOT NULL,
      charge_count   bigint NOT NULL,
      amount_total   bigint NOT NULL,
      refunded_total bigint NOT NULL,
      PRIMARY KEY (account, day, currency, status)
    )`.execute(db);
  // No charge is written while the summary is filled (the migration's transaction holds it).
  await sql`LOCK TABLE omise.charges IN SHARE MODE`.execute(db);
  await sql`
    INSERT INTO omise.charge_daily
    SELECT account, (created_at AT TIME ZONE 'UTC')::date, currency, status,
           count(*), sum(amount), sum(refunded_amount)
      FROM omise.charges
     GROUP BY 1, 2, 3, 4`.execute(db);
  await sql`
    CREATE OR REPLACE VIEW bi.daily_charge_volume AS
    SELECT day,
           currency,
           status,
           charge_count,
           amount_total,
           refunded_total,
           account
      FROM omise.charge_daily
     WHERE charge_count > 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
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
