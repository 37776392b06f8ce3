import { type Kysely, sql } from 'kysely';
import * as createBiViews from './2026-11-23T11-10-00_create_bi_views';
import * as createDisputeDeskViews from './2026-12-03T17-20-00_create_dispute_desk_views';

// Several Omise accounts in one database (ADR 0005): every omise table gets `account`, and
// rows stored before it existed belong to `default`, the account of the single-account
// variables. Keys stay Omise's ids (they are unique across accounts); the checkpoints and
// leases of a CLI walk are per account, so their keys become (account, name).
//
// The default stays: a worker of the previous release, still running while this one rolls
// out, writes the `default` account's rows without naming it. A constant default is stored in
// the catalog, so adding the column rewrites no table.
//
// Every bi view gains `account` as its last column (CREATE OR REPLACE may only append), so
// dashboards and grants built on the views keep working; aggregates are per account.

const TABLES = [
  'charges',
  'refunds',
  'disputes',
  'dispute_documents',
  'dispute_flags',
  'dispute_actions',
  'dispute_reminders',
  'events',
  'sync_checkpoints',
  'reconcile_runs',
  'sync_leases',
  'resource_locks',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) {
    await sql`ALTER TABLE ${sql.table(`omise.${table}`)}
                ADD COLUMN account text NOT NULL DEFAULT 'default'`.execute(db);
  }
  await sql`ALTER TABLE omise.sync_checkpoints DROP CONSTRAINT sync_checkpoints_pkey`.execute(db);
  await sql`ALTER TABLE omise.sync_checkpoints ADD PRIMARY KEY (account, name)`.execute(db);
  await sql`ALTER TABLE omise.sync_leases DROP CONSTRAINT sync_leases_pkey`.execute(db);
  await sql`ALTER TABLE omise.sync_leases ADD PRIMARY KEY (account, name)`.execute(db);
  await sql`
    CREATE INDEX reconcile_runs_account_started_at_idx
        ON omise.reconcile_runs (account, started_at DESC)`.execute(db);

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

  await sql`
    CREATE OR REPLACE VIEW bi.disputes_by_reason AS
    SELECT coalesce(reason_code, 'unknown') AS reason_code,
           status,
           currency,
           count(*)::bigint                 AS dispute_count,
           sum(amount)::bigint              AS amount_total,
           account
      FROM omise.disputes
     GROUP BY 1, 2, 3, account`.execute(db);

  await sql`
    CREATE OR REPLACE VIEW bi.open_disputes AS
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
           f.notified_at,
           d.account
      FROM omise.disputes d
      LEFT JOIN omise.dispute_flags f ON f.dispute_id = d.id
     WHERE d.status IN ('open', 'pending')`.execute(db);

  await sql`
    CREATE OR REPLACE VIEW bi.monthly_dispute_rate AS
    SELECT date_trunc('month', c.created_at AT TIME ZONE 'UTC')::date AS month,
           c.currency,
           count(*)::bigint                                            AS charge_count,
           count(d.id)::bigint                                         AS disputed_charge_count,
           round(count(d.id)::numeric / nullif(count(*), 0), 6)         AS dispute_rate,
           c.account
      FROM omise.charges c
      LEFT JOIN LATERAL (
        SELECT id FROM omise.disputes WHERE charge_id = c.id LIMIT 1
      ) d ON true
     WHERE c.paid
     GROUP BY 1, 2, c.account`.execute(db);

  await sql`
    CREATE OR REPLACE VIEW bi.refund_totals AS
    SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
           currency,
           status,
           count(*)::bigint                      AS refund_count,
           sum(amount)::bigint                   AS amount_total,
           count(*) FILTER (WHERE voided)::bigint AS voided_count,
           account
      FROM omise.refunds
     GROUP BY 1, 2, 3, account`.execute(db);

  await sql`
    CREATE OR REPLACE VIEW bi.disputes_at_risk AS
    SELECT d.id                                                         AS dispute_id,
           d.charge_id,
           d.amount,
           d.currency,
           d.reason_code,
           d.created_at                                                 AS opened_at,
           d.respond_by,
           round((extract(epoch FROM d.respond_by - now()) / 3600)::numeric, 1) AS hours_left,
           coalesce(docs.documents_uploaded, 0)::int                    AS documents_uploaded,
           coalesce(d.message, '') <> ''                                AS message_sent,
           f.severity,
           CASE
             WHEN d.respond_by <= now()                      THEN 'overdue'
             WHEN d.respond_by <= now() + interval '24 hours' THEN 'due_24h'
             WHEN d.respond_by <= now() + interval '72 hours' THEN 'due_72h'
             ELSE 'on_track'
           END                                                          AS urgency,
           d.account
      FROM omise.disputes d
      LEFT JOIN omise.dispute_flags f ON f.dispute_id = d.id
      LEFT JOIN LATERAL (
        SELECT count(*) AS documents_uploaded
          FROM omise.dispute_documents
         WHERE dispute_id = d.id AND NOT deleted
      ) docs ON true
     WHERE d.status = 'open'`.execute(db);

  await sql`
    CREATE OR REPLACE VIEW bi.dispute_outcomes AS
    WITH per_dispute AS (
      SELECT date_trunc('month', d.created_at AT TIME ZONE 'UTC')::date AS month,
             coalesce(d.reason_code, 'unknown')                        AS reason_code,
             d.status,
             extract(epoch FROM least(docs.first_document_at, acts.first_action_at)
                                - d.created_at) / 3600                  AS hours_to_response,
             coalesce(kept.first_kept_at <= d.respond_by, false)        AS evidence_in_time,
             d.account
        FROM omise.disputes d
        LEFT JOIN LATERAL (
          SELECT min(created_at) AS first_document_at
            FROM omise.dispute_documents WHERE dispute_id = d.id
        ) docs ON true
        LEFT JOIN LATERAL (
          SELECT min(created_at) AS first_kept_at
            FROM omise.dispute_documents WHERE dispute_id = d.id AND NOT deleted
        ) kept ON true
        LEFT JOIN LATERAL (
          SELECT min(at) AS first_action_at
            FROM omise.dispute_actions
           WHERE dispute_id = d.id AND result = 'ok' AND action IN ('message', 'upload', 'accept')
        ) acts ON true
    )
    SELECT month,
           reason_code,
           count(*)::bigint                                              AS dispute_count,
           count(*) FILTER (WHERE status = 'won')::bigint                AS won_count,
           count(*) FILTER (WHERE status = 'lost')::bigint               AS lost_count,
           count(*) FILTER (WHERE status NOT IN ('won', 'lost'))::bigint AS undecided_count,
           round(count(*) FILTER (WHERE status = 'won')::numeric
                 / nullif(count(*) FILTER (WHERE status IN ('won', 'lost')), 0), 4) AS win_rate,
           round(count(*) FILTER (WHERE status = 'lost')::numeric
                 / nullif(count(*) FILTER (WHERE status IN ('won', 'lost')), 0), 4) AS loss_rate,
           count(hours_to_response)::bigint                              AS responded_count,
           round(avg(hours_to_response)::numeric, 1)                     AS avg_hours_to_first_response,
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY hours_to_response))::numeric, 1)
                                                                         AS median_hours_to_first_response,
           count(*) FILTER (WHERE evidence_in_time)::bigint              AS evidence_in_time_count,
           round(count(*) FILTER (WHERE evidence_in_time)::numeric / count(*), 4)
                                                                         AS evidence_in_time_rate,
           account
      FROM per_dispute
     GROUP BY 1, 2, account`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // A view cannot lose a column by CREATE OR REPLACE: the views go with the columns (CASCADE)
  // and come back as their own migrations created them.
  await sql`ALTER TABLE omise.sync_leases DROP CONSTRAINT sync_leases_pkey`.execute(db);
  await sql`DELETE FROM omise.sync_leases WHERE account <> 'default'`.execute(db);
  await sql`ALTER TABLE omise.sync_leases ADD PRIMARY KEY (name)`.execute(db);
  await sql`ALTER TABLE omise.sync_checkpoints DROP CONSTRAINT sync_checkpoints_pkey`.execute(db);
  await sql`DELETE FROM omise.sync_checkpoints WHERE account <> 'default'`.execute(db);
  await sql`ALTER TABLE omise.sync_checkpoints ADD PRIMARY KEY (name)`.execute(db);
  for (const table of TABLES) {
    await sql`ALTER TABLE ${sql.table(`omise.${table}`)} DROP COLUMN account CASCADE`.execute(db);
  }
  await createBiViews.up(db);
  await createDisputeDeskViews.up(db);
}
