import { type Kysely, sql } from 'kysely';

// The `bi` schema is the contract with BI tools: views with stable, documented columns over
// the `omise` tables (packages/db/README.md lists every column). BI users get the read-only
// role `omise_bi` (GRANT omise_bi TO <login role>), which can read `bi` and `omise` and write
// nothing. Money is in the smallest currency unit; days and months are UTC.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS bi`.execute(db);
  await sql`COMMENT ON SCHEMA bi IS 'omise-sync: read-only views for BI tools'`.execute(db);

  await sql`
    CREATE VIEW bi.daily_charge_volume AS
    SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
           currency,
           status,
           count(*)::bigint                      AS charge_count,
           sum(amount)::bigint                   AS amount_total,
           sum(refunded_amount)::bigint          AS refunded_total
      FROM omise.charges
     GROUP BY 1, 2, 3`.execute(db);

  await sql`
    CREATE VIEW bi.disputes_by_reason AS
    SELECT coalesce(reason_code, 'unknown') AS reason_code,
           status,
           currency,
           count(*)::bigint                 AS dispute_count,
           sum(amount)::bigint              AS amount_total
      FROM omise.disputes
     GROUP BY 1, 2, 3`.execute(db);

  await sql`
    CREATE VIEW bi.open_disputes AS
    SELECT d.id                                         AS dispute_id,
           d.charge_id,
           d.status,
           d.amount,
           d.currency,
           d.reason_code,
           d.reason_message,
           d.created_at                                 AS opened_at,
           now() - d.created_at                         AS age,
           floor(extract(epoch FROM now() - d.created_at) / 86400)::int AS age_days,
           f.severity,
           f.flagged_at,
           f.notified_at
      FROM omise.disputes d
      LEFT JOIN omise.dispute_flags f ON f.dispute_id = d.id
     WHERE d.status IN ('open', 'pending')`.execute(db);

  // Disputes are counted in the month of the disputed charge, so the rate compares like with
  // like (a dispute opened in March against a January charge belongs to January's rate).
  await sql`
    CREATE VIEW bi.monthly_dispute_rate AS
    SELECT date_trunc('month', c.created_at AT TIME ZONE 'UTC')::date AS month,
           c.currency,
           count(*)::bigint                                            AS charge_count,
           count(d.id)::bigint                                         AS disputed_charge_count,
           round(count(d.id)::numeric / nullif(count(*), 0), 6)         AS dispute_rate
      FROM omise.charges c
      LEFT JOIN LATERAL (
        SELECT id FROM omise.disputes WHERE charge_id = c.id LIMIT 1
      ) d ON true
     WHERE c.paid
     GROUP BY 1, 2`.execute(db);

  await sql`
    CREATE VIEW bi.refund_totals AS
    SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
           currency,
           status,
           count(*)::bigint                      AS refund_count,
           sum(amount)::bigint                   AS amount_total,
           count(*) FILTER (WHERE voided)::bigint AS voided_count
      FROM omise.refunds
     GROUP BY 1, 2, 3`.execute(db);

  // Roles are cluster-wide, so another database on the same server (or a concurrent migration)
  // may have created it already.
  await sql`
    DO $$
    BEGIN
      CREATE ROLE omise_bi NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END
    $$`.execute(db);
  await sql`ALTER ROLE omise_bi SET default_transaction_read_only = on`.execute(db);
  await sql`GRANT USAGE ON SCHEMA omise, bi TO omise_bi`.execute(db);
  await sql`GRANT SELECT ON ALL TABLES IN SCHEMA omise, bi TO omise_bi`.execute(db);
  // Tables and views added by later migrations are readable too, without another GRANT.
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA omise, bi GRANT SELECT ON TABLES TO omise_bi`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA omise, bi REVOKE SELECT ON TABLES FROM omise_bi`.execute(
    db,
  );
  await sql`REVOKE ALL ON ALL TABLES IN SCHEMA omise, bi FROM omise_bi`.execute(db);
  await sql`REVOKE USAGE ON SCHEMA omise, bi FROM omise_bi`.execute(db);
  await sql`DROP SCHEMA IF EXISTS bi CASCADE`.execute(db);
}
