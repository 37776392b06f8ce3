import { type Kysely, sql } from 'kysely';

// Customers with their cards, recipients, schedules with their occurrences, and payment links
// (issue 27). Like the charge tables: Omise's JSON in `raw` beside typed columns, `observed_at`
// guarding upserts, `account` on every row (ADR 0005).
//
// Deletions are tombstones (ADR 0007): a `*.destroy` event, or a 404 for a row once seen, sets
// `deleted_at` and keeps the row, so charges and BI history still find who they belonged to.
//
// Personal data (customer email and description, card holder name, recipient name, email and
// description) is stored as PII_MODE says: SHA-256 hex of salt + value (`hash`), as is
// (`keep`), or NULL (`drop`); the columns are text in every mode. Card numbers never exist
// here: Omise only returns `last_digits`, and `raw` keeps only the columns below.

const COMMON = sql`
      account      text        NOT NULL DEFAULT 'default',
      id           text        PRIMARY KEY,
      livemode     boolean     NOT NULL,
      created_at   timestamptz NOT NULL,
      deleted_at   timestamptz,
      raw          jsonb       NOT NULL,
      origin       text        NOT NULL CHECK (origin IN ('webhook', 'replay', 'reconcile', 'backfill')),
      observed_at  timestamptz NOT NULL,
      projected_at timestamptz NOT NULL DEFAULT now()`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE omise.customers (
      ${COMMON},
      email           text,
      description     text,
      default_card_id text,
      metadata        jsonb NOT NULL DEFAULT '{}'::jsonb
    )`.execute(db);

  await sql`
    CREATE TABLE omise.cards (
      ${COMMON},
      customer_id text NOT NULL,
      brand       text,
      last_digits text,
      name        text,
      country     text,
      bank        text,
      financing   text
    )`.execute(db);
  await sql`CREATE INDEX cards_customer_id_idx ON omise.cards (customer_id)`.execute(db);

  await sql`
    CREATE TABLE omise.recipients (
      ${COMMON},
      name             text,
      email            text,
      description      text,
      type             text,
      verified         boolean NOT NULL DEFAULT false,
      active           boolean NOT NULL DEFAULT false,
      is_default       boolean NOT NULL DEFAULT false,
      failure_code     text,
      bank_brand       text,
      bank_last_digits text,
      metadata         jsonb NOT NULL DEFAULT '{}'::jsonb
    )`.execute(db);

  await sql`
    CREATE TABLE omise.schedules (
      ${COMMON},
      status                text   NOT NULL,
      active                boolean NOT NULL DEFAULT false,
      every                 bigint NOT NULL,
      period                text   NOT NULL,
      in_words              text,
      start_on              date,
      end_on                date,
      next_occurrence_dates jsonb  NOT NULL DEFAULT '[]'::jsonb,
      kind                  text   NOT NULL,
      amount                bigint,
      currency              text,
      customer_id           text,
      card_id               text,
      recipient_id          text,
      ended_at              timestamptz
    )`.execute(db);
  await sql`CREATE INDEX schedules_customer_id_idx ON omise.schedules (customer_id)`.execute(db);

  await sql`
    CREATE TABLE omise.schedule_occurrences (
      ${COMMON},
      schedule_id  text NOT NULL,
      scheduled_on date NOT NULL,
      retry_on     date,
      status       text NOT NULL,
      message      text,
      result_id    text,
      processed_at timestamptz
    )`.execute(db);
  await sql`
    CREATE INDEX schedule_occurrences_schedule_id_idx
        ON omise.schedule_occurrences (schedule_id, scheduled_on)`.execute(db);

  await sql`
    CREATE TABLE omise.links (
      ${COMMON},
      amount      bigint  NOT NULL,
      currency    text    NOT NULL,
      used        boolean NOT NULL DEFAULT false,
      multiple    boolean NOT NULL DEFAULT false,
      title       text,
      description text,
      payment_uri text
    )`.execute(db);

  await sql`CREATE INDEX IF NOT EXISTS charges_customer_id_idx ON omise.charges (customer_id)`.execute(
    db,
  );

  // bi.customers' charge totals per customer and currency, kept by the statement that writes
  // charges (as omise.charge_daily is), so the view reads one row per customer and currency.
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
  await sql`LOCK TABLE omise.charges IN SHARE MODE`.execute(db);
  await sql`
    INSERT INTO omise.customer_charge_totals
    SELECT account, customer_id, currency, count(*), min(created_at), max(created_at),
           coalesce(sum(amount - refunded_amount) FILTER (WHERE status = 'successful'), 0)
      FROM omise.charges
     WHERE customer_id IS NOT NULL
     GROUP BY 1, 2, 3`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS omise.customer_charge_totals`.execute(db);
  await sql`DROP INDEX IF EXISTS omise.charges_customer_id_idx`.execute(db);
  for (const table of [
    'links',
    'schedule_occurrences',
    'schedules',
    'recipients',
    'cards',
    'customers',
  ]) {
    await sql`DROP TABLE ${sql.table(`omise.${table}`)}`.execute(db);
  }
}
