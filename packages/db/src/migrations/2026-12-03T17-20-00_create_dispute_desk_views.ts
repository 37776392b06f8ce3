import { type Kysely, sql } from 'kysely';

// BI views of the dispute desk (columns listed in packages/db/README.md). A dispute's first
// response is its first evidence document (as Omise dates it) or the first successful desk
// action (message, upload, accept), whichever came first; a message sent outside the desk has
// no time of its own and is not counted. Evidence counts as uploaded before the deadline when
// a document still on the dispute was created at or before `respond_by`. Months are UTC.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE VIEW bi.disputes_at_risk AS
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
           END                                                          AS urgency
      FROM omise.disputes d
      LEFT JOIN omise.dispute_flags f ON f.dispute_id = d.id
      LEFT JOIN LATERAL (
        SELECT count(*) AS documents_uploaded
          FROM omise.dispute_documents
         WHERE dispute_id = d.id AND NOT deleted
      ) docs ON true
     WHERE d.status = 'open'`.execute(db);

  await sql`
    CREATE VIEW bi.dispute_outcomes AS
    WITH per_dispute AS (
      SELECT date_trunc('month', d.created_at AT TIME ZONE 'UTC')::date AS month,
             coalesce(d.reason_code, 'unknown')                        AS reason_code,
             d.status,
             extract(epoch FROM least(docs.first_document_at, acts.first_action_at)
                                - d.created_at) / 3600                  AS hours_to_response,
             coalesce(kept.first_kept_at <= d.respond_by, false)        AS evidence_in_time
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
                                                                         AS evidence_in_time_rate
      FROM per_dispute
     GROUP BY 1, 2`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP VIEW IF EXISTS bi.dispute_outcomes`.execute(db);
  await sql`DROP VIEW IF EXISTS bi.disputes_at_risk`.execute(db);
}
