import { type Kysely, sql } from 'kysely';

// bi.customers reads one row per customer and a count of disputes per customer, instead of
// grouping per-currency totals and looking up every dispute's charge on each read:
// - omise.customer_charge_totals becomes one row per customer, its currencies' net volumes in
//   `net_by_currency`;
// - omise.disputes gets `customer_id`, the disputed charge's customer, which the dispute's
//   projection copies from the charge (a charge never changes customer).

const CUSTOMER_COLUMNS = sql`
  c.id              AS customer_id,
  c.livemode,
  c.email,
  c.description,
  c.default_card_id,
  c.metadata,
  c.created_at,
  c.deleted_at`;

async function dropViews(db: Kysely<unknown>): Promise<void> {
  await sql`DROP VIEW bi.customers`.execute(db);
  await sql`DROP VIEW bi.customers_including_deleted`.execute(db);
}

async function createCustomersView(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE VIEW bi.customers AS
    SELECT * FROM bi.customers_including_deleted WHERE deleted_at IS NULL`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // Charge writes wait until the new table is filled and the views read it.
  await sql`LOCK TABLE omise.charges IN SHARE MODE`.execute(db);
  await dropViews(db);
  await sql`ALTER TABLE omise.disputes ADD COLUMN customer_id text`.execute(db);
  // Disputes whose charge is not stored yet get their customer when they are next written.
  await sql`
    UPDATE omise.disputes d SET customer_id = ch.customer_id
      FROM omise.charges ch
     WHERE ch.id = d.charge_id AND ch.customer_id IS NOT NULL`.execute(db);
  await sql`
    CREATE INDEX disputes_customer_id_idx ON omise.disputes (customer_id)
     WHERE customer_id IS NOT NULL`.execute(db);
  await sql`DROP TABLE omise.customer_charge_totals`.execute(db);
  // `currency` is the customer's one currency, NULL once it has charges in several.
  await sql`
    CREATE TABLE omise.customer_charge_totals (
      account         text        NOT NULL,
      customer_id     text        NOT NULL,
      charge_count    bigint      NOT NULL,
      first_charge_at timestamptz,
      last_charge_at  timestamptz,
      currency        text,
      net_by_currency jsonb       NOT NULL,
      PRIMARY KEY (customer_id, account)
    )`.execute(db);
  await sql`
    INSERT INTO omise.customer_charge_totals
    SELECT account, customer_id, sum(charge_count), min(first_charge_at), max(last_charge_at),
           CASE WHEN count(*) = 1 THEN min(currency) END, jsonb_object_agg(currency, net)
      FROM (SELECT account, customer_id, currency, count(*) AS charge_count,
                   min(created_at) AS first_charge_at, max(created_at) AS last_charge_at,
                   coalesce(sum(amount - refunded_amount) FILTER (WHERE status = 'successful'), 0)
                     AS net
              FROM omise.charges
             WHERE customer_id IS NOT NULL
             GROUP BY 1, 2, 3) per_currency
     GROUP BY 1, 2`.execute(db);

  // Volume counts successful charges net of refunds; `currency` and `lifetime_volume` are NULL
  // when a customer paid in several currencies (`lifetime_volume_by_currency` has each).
  await sql`
    CREATE VIEW bi.customers_including_deleted AS
    WITH dispute_stats AS (
      SELECT customer_id, account, count(*)::bigint AS dispute_count
        FROM omise.disputes
       WHERE customer_id IS NOT NULL
       GROUP BY customer_id, account
    )
    SELECT ${CUSTOMER_COLUMNS},
           s.first_charge_at,
           s.last_charge_at,
           coalesce(s.charge_count, 0)            AS charge_count,
           s.currency,
           (s.net_by_currency ->> s.currency)::bigint AS lifetime_volume,
           coalesce(s.net_by_currency, '{}'::jsonb) AS lifetime_volume_by_currency,
           coalesce(d.dispute_count, 0)           AS dispute_count,
           c.account
      FROM omise.customers c
      LEFT JOIN omise.customer_charge_totals s ON s.customer_id = c.id AND s.account = c.account
      LEFT JOIN dispute_stats d ON d.customer_id = c.id AND d.account = c.account`.execute(db);
  await createCustomersView(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`LOCK TABLE omise.charges IN SHARE MODE`.execute(db);
  await dropViews(db);
  await sql`ALTER TABLE omise.disputes DROP COLUMN customer_id`.execute(db);
  await sql`DROP TABLE omise.customer_charge_totals`.execute(db);
  await sql`
    CREATE TABLE omise.customer_charge_totals (
      account         text        NOT NULL,
      customer_id     text        NOT NULL,
      currency        text        NOT NULL,
      charge_count    bigint      NOT NULL,
      first_charge_at timestamptz,
      last_charge_at  timestamptz,
      net             bigint      NOT NULL,
      PRIMARY KEY (customer_id, account, currency)
    )`.execute(db);
  await sql`
    INSERT INTO omise.customer_charge_totals
    SELECT account, customer_id, currency, count(*), min(created_at), max(created_at),
           coalesce(sum(amount - refunded_amount) FILTER (WHERE status = 'successful'), 0)
      FROM omise.charges
     WHERE customer_id IS NOT NULL
     GROUP BY 1, 2, 3`.execute(db);
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
    SELECT ${CUSTOMER_COLUMNS},
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
  await createCustomersView(db);
}
