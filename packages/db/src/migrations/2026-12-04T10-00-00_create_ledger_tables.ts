import { type Kysely, sql } from 'kysely';

// The money picture (issue 26): Omise's balance ledger (transactions), payouts (transfers),
// balance snapshots and fee receipts. Transactions never change once Omise records them, so
// they are inserted once and two summaries (ledger_daily by creation day, ledger_hourly by
// hour of transferable_at) grow in the same statement; the BI views read the summaries
// instead of every movement.
//
// Each movement is classified once, in generated columns, so every view agrees on it:
// `category` is what the movement concerns (from the id prefix of Omise's `origin`, else the
// first part of its `key`), `component` is `fee`, `vat`, `wht` or `principal` (from the end of
// `key`), and `signed_amount` is positive for credits and negative for debits.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE omise.transactions (
      account         text        NOT NULL DEFAULT 'default',
      id              text        PRIMARY KEY,
      livemode        boolean,
      direction       text        NOT NULL,
      key             text,
      amount          bigint      NOT NULL,
      currency        text        NOT NULL,
      origin_id       text,
      transferable_at timestamptz,
      created_at      timestamptz NOT NULL,
      category        text        GENERATED ALWAYS AS (
        CASE
          WHEN origin_id LIKE 'chrg\_%' THEN 'charge'
          WHEN origin_id LIKE 'rfnd\_%' THEN 'refund'
          WHEN origin_id LIKE 'dspt\_%' THEN 'dispute'
          WHEN origin_id LIKE 'trsf\_%' THEN 'transfer'
          WHEN origin_id LIKE 'rcpt\_%' THEN 'receipt'
          ELSE coalesce(nullif(split_part(key, '.', 1), ''), 'other')
        END) STORED,
      component       text        GENERATED ALWAYS AS (
        CASE
          WHEN key LIKE '%.fee' THEN 'fee'
          WHEN key LIKE '%.fee\_vat' OR key LIKE '%.vat' THEN 'vat'
          WHEN key LIKE '%.wht' THEN 'wht'
          ELSE 'principal'
        END) STORED,
      signed_amount   bigint      GENERATED ALWAYS AS (
        CASE WHEN direction = 'debit' THEN -amount ELSE amount END) STORED,
      raw             jsonb       NOT NULL,
      origin          text        NOT NULL,
      observed_at     timestamptz NOT NULL,
      projected_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Payout windows are ranges of transferable_at; roll-forward sums are ranges of created_at.
  await sql`
    CREATE INDEX transactions_transferable_idx
        ON omise.transactions (account, currency, transferable_at)
        INCLUDE (category, component, signed_amount, origin_id)`.execute(db);
  await sql`
    CREATE INDEX transactions_created_idx
        ON omise.transactions (account, currency, created_at) INCLUDE (signed_amount)`.execute(db);
  await sql`CREATE INDEX transactions_origin_id_idx ON omise.transactions (origin_id)`.execute(db);

  await sql`
    CREATE TABLE omise.ledger_daily (
      account        text   NOT NULL,
      currency       text   NOT NULL,
      day            date   NOT NULL,
      category       text   NOT NULL,
      component      text   NOT NULL,
      direction      text   NOT NULL,
      movement_count bigint NOT NULL,
      amount_total   bigint NOT NULL,
      signed_total   bigint NOT NULL,
      PRIMARY KEY (account, currency, day, category, component, direction)
    )`.execute(db);

  // Movements summed per hour of transferable_at, for payout windows: a payout reads whole
  // hours here and only the partial hours at its window's two ends from transactions.
  await sql`
    CREATE TABLE omise.ledger_hourly (
      account         text        NOT NULL,
      currency        text        NOT NULL,
      hour            timestamptz NOT NULL,
      category        text        NOT NULL,
      component       text        NOT NULL,
      movement_count  bigint      NOT NULL,
      principal_count bigint      NOT NULL,
      signed_total    bigint      NOT NULL,
      PRIMARY KEY (account, currency, hour, category, component)
    )`.execute(db);

  await sql`
    CREATE TABLE omise.transfers (
      account         text        NOT NULL DEFAULT 'default',
      id              text        PRIMARY KEY,
      livemode        boolean     NOT NULL,
      amount          bigint      NOT NULL,
      fee             bigint      NOT NULL,
      fee_vat         bigint      NOT NULL,
      net             bigint      NOT NULL,
      currency        text        NOT NULL,
      sent            boolean     NOT NULL,
      paid            boolean     NOT NULL,
      failure_code    text,
      failure_message text,
      recipient_id    text,
      transaction_id  text,
      metadata        jsonb       NOT NULL,
      created_at      timestamptz NOT NULL,
      sent_at         timestamptz,
      paid_at         timestamptz,
      deleted_at      timestamptz,
      raw             jsonb       NOT NULL,
      origin          text        NOT NULL,
      observed_at     timestamptz NOT NULL,
      projected_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX transfers_account_created_idx
              ON omise.transfers (account, currency, created_at)`.execute(db);

  await sql`
    CREATE TABLE omise.balance_snapshots (
      account      text        NOT NULL DEFAULT 'default',
      taken_at     timestamptz NOT NULL,
      currency     text        NOT NULL,
      livemode     boolean,
      total        bigint      NOT NULL,
      transferable bigint,
      reserve      bigint,
      raw          jsonb       NOT NULL,
      projected_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account, currency, taken_at)
    )`.execute(db);

  await sql`
    CREATE TABLE omise.receipts (
      account      text        NOT NULL DEFAULT 'default',
      id           text        PRIMARY KEY,
      number       text,
      date         timestamptz NOT NULL,
      currency     text        NOT NULL,
      charge_fee   bigint      NOT NULL,
      voided_fee   bigint      NOT NULL,
      transfer_fee bigint      NOT NULL,
      subtotal     bigint      NOT NULL,
      vat          bigint      NOT NULL,
      wht          bigint      NOT NULL,
      total        bigint      NOT NULL,
      credit_note  boolean     NOT NULL,
      raw          jsonb       NOT NULL,
      origin       text        NOT NULL,
      observed_at  timestamptz NOT NULL,
      projected_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX receipts_account_date_idx ON omise.receipts (account, date)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'receipts',
    'balance_snapshots',
    'transfers',
    'ledger_daily',
    'transactions',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(`omise.${table}`)}`.execute(db);
  }
}
