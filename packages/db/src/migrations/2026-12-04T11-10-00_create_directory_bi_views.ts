import { type Kysely, sql } from 'kysely';

// BI views over customers, cards, recipients, schedules and links. Deleted rows (tombstones,
// ADR 0007) are left out of each view; its `_including_deleted` twin keeps them, with
// `deleted_at`. `account` is every view's last column, as in the views before (ADR 0005).

export async function up(db: Kysely<unknown>): Promise<void> {
  // Volume counts successful charges net of refunds; `currency` and `lifetime_volume` are NULL
  // when a customer paid in several currencies (`lifetime_volume_by_currency` has each). The
  // totals come from omise.customer_charge_totals, kept by the charge writes.
  await sql`
    CREATE VIEW bi.customers_including_deleted AS
    WITH charge_stats AS (
      SELECT customer_id, account,
             sum(charge_count)::bigint AS charge_count,
             min(first_charge_at)      AS first_charge_at,
             max(last_charge_at)       AS last_charge_at,
             CASE WHEN count(*) = 1 THEN min(currency) END AS currency,
             CASE WHEN count(*) = 1 THEN sum(net) END::bigint AS lifetime_volume,
             jsonb_object_agg(currency, net) AS lifetime_volume_by_currency
        FROM omise.customer_charge_totals
       WHERE charge_count > 0
       GROUP BY customer_id, account
    ), dispute_stats AS (
      -- From the disputes, each charge found by its key: disputes are few, customers' charges many.
      SELECT customer_id, account, count(*)::bigint AS dispute_count
        FROM (SELECT d.account,
                     (SELECT ch.customer_id FROM omise.charges ch WHERE ch.id = d.charge_id)
                       AS customer_id
                FROM omise.disputes d) disputed
       WHERE customer_id IS NOT NULL
       GROUP BY customer_id, account
    )
    SELECT c.id                                   AS customer_id,
           c.livemode,
           c.email,
           c.description,
           c.default_card_id,
           c.metadata,
           c.created_at,
           c.deleted_at,
           s.first_charge_at,
           s.last_charge_at,
           coalesce(s.charge_count, 0)            AS charge_count,
           s.currency,
           s.lifetime_volume,
           coalesce(s.lifetime_volume_by_currency, '{}'::jsonb) AS lifetime_volume_by_currency,
           coalesce(d.dispute_count, 0)           AS dispute_count,
           c.account
      FROM omise.customers c
      LEFT JOIN charge_stats s ON s.customer_id = c.id AND s.account = c.account
      LEFT JOIN dispute_stats d ON d.customer_id = c.id AND d.account = c.account`.execute(db);
  await sql`
    CREATE VIEW bi.customers AS
    SELECT * FROM bi.customers_including_deleted WHERE deleted_at IS NULL`.execute(db);

  await sql`
    CREATE VIEW bi.cards_including_deleted AS
    SELECT id AS card_id, customer_id, livemode, brand, last_digits, name, country, bank,
           financing, created_at, deleted_at, account
      FROM omise.cards`.execute(db);
  await sql`
    CREATE VIEW bi.cards AS
    SELECT * FROM bi.cards_including_deleted WHERE deleted_at IS NULL`.execute(db);

  await sql`
    CREATE VIEW bi.recipients_including_deleted AS
    SELECT id AS recipient_id, livemode, name, email, description, type, verified, active,
           is_default, failure_code, bank_brand, bank_last_digits, metadata, created_at,
           deleted_at, account
      FROM omise.recipients`.execute(db);
  await sql`
    CREATE VIEW bi.recipients AS
    SELECT * FROM bi.recipients_including_deleted WHERE deleted_at IS NULL`.execute(db);

  await sql`
    CREATE VIEW bi.schedules_including_deleted AS
    SELECT id AS schedule_id, livemode, status, active, kind, every, period, in_words,
           start_on, end_on, amount, currency, customer_id, card_id, recipient_id,
           (SELECT min(d::date) FROM jsonb_array_elements_text(next_occurrence_dates) AS d)
                                                  AS next_occurrence_on,
           created_at, ended_at, deleted_at, account
      FROM omise.schedules`.execute(db);
  await sql`
    CREATE VIEW bi.schedules AS
    SELECT * FROM bi.schedules_including_deleted WHERE deleted_at IS NULL`.execute(db);

  // Upcoming runs come from each active schedule's `next_occurrences_on`; failed ones are
  // occurrences whose last attempt failed. Deleted schedules have neither.
  await sql`
    CREATE VIEW bi.schedules_due AS
    SELECT 'upcoming'::text   AS kind,
           s.id               AS schedule_id,
           NULL::text         AS occurrence_id,
           d::date            AS due_on,
           'scheduled'::text  AS status,
           NULL::text         AS message,
           s.kind             AS schedule_kind,
           s.amount,
           s.currency,
           s.customer_id,
           s.recipient_id,
           s.account
      FROM omise.schedules s
     CROSS JOIN LATERAL jsonb_array_elements_text(s.next_occurrence_dates) AS d
     WHERE s.deleted_at IS NULL AND s.status = 'active'
    UNION ALL
    SELECT 'failed',
           s.id,
           o.id,
           coalesce(o.retry_on, o.scheduled_on),
           o.status,
           o.message,
           s.kind,
           s.amount,
           s.currency,
           s.customer_id,
           s.recipient_id,
           s.account
      FROM omise.schedule_occurrences o
      JOIN omise.schedules s ON s.id = o.schedule_id AND s.account = o.account
     WHERE s.deleted_at IS NULL AND o.deleted_at IS NULL AND o.status = 'failed'`.execute(db);

  await sql`
    CREATE VIEW bi.links_including_deleted AS
    SELECT id AS link_id, livemode, amount, currency, used, multiple, title, description,
           payment_uri, created_at, deleted_at, account
      FROM omise.links`.execute(db);
  await sql`
    CREATE VIEW bi.links AS
    SELECT * FROM bi.links_including_deleted WHERE deleted_at IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const view of [
    'links',
    'links_including_deleted',
    'schedules_due',
    'schedules',
    'schedules_including_deleted',
    'recipients',
    'recipients_including_deleted',
    'cards',
    'cards_including_deleted',
    'customers',
    'customers_including_deleted',
  ]) {
    await sql`DROP VIEW ${sql.table(`bi.${view}`)}`.execute(db);
  }
}
