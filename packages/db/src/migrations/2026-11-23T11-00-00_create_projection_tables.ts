import { type Kysely, sql } from 'kysely';

// Current-state tables for charges, refunds, disputes and their documents, the event history,
// and dispute flags. Every resource row keeps Omise's JSON in `raw` beside the typed columns,
// so a field Omise adds later needs no destructive migration.
//
// `observed_at` is when omise-sync asked Omise for the state in the row (the request was sent);
// upserts only replace a row with an observation at least as new, so two re-fetches that finish
// out of order can never leave the older state behind.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE omise.charges (
      id               text PRIMARY KEY,
      livemode         boolean     NOT NULL,
      amount           bigint      NOT NULL,
      currency         text        NOT NULL,
      status           text        NOT NULL,
      authorized       boolean     NOT NULL DEFAULT false,
      paid             boolean     NOT NULL DEFAULT false,
      capturable       boolean     NOT NULL DEFAULT false,
      reversed         boolean     NOT NULL DEFAULT false,
      expired          boolean     NOT NULL DEFAULT false,
      refunded_amount  bigint      NOT NULL DEFAULT 0,
      failure_code     text,
      failure_message  text,
      customer_id      text,
      card_brand       text,
      card_last_digits text,
      description      text,
      metadata         jsonb       NOT NULL DEFAULT '{}'::jsonb,
      created_at       timestamptz NOT NULL,
      authorized_at    timestamptz,
      paid_at          timestamptz,
      expires_at       timestamptz,
      reversed_at      timestamptz,
      raw              jsonb       NOT NULL,
      origin           text        NOT NULL,
      observed_at      timestamptz NOT NULL,
      projected_at     timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT charges_amount_nonnegative CHECK (amount >= 0),
      CONSTRAINT charges_origin_known CHECK (origin IN ('webhook', 'replay', 'reconcile', 'backfill'))
    )`.execute(db);
  await sql`CREATE INDEX charges_created_at_idx ON omise.charges (created_at)`.execute(db);
  await sql`CREATE INDEX charges_status_idx ON omise.charges (status)`.execute(db);

  await sql`
    CREATE TABLE omise.refunds (
      id           text PRIMARY KEY,
      charge_id    text        NOT NULL,
      livemode     boolean     NOT NULL,
      amount       bigint      NOT NULL,
      currency     text        NOT NULL,
      status       text        NOT NULL,
      voided       boolean     NOT NULL DEFAULT false,
      metadata     jsonb       NOT NULL DEFAULT '{}'::jsonb,
      created_at   timestamptz NOT NULL,
      raw          jsonb       NOT NULL,
      origin       text        NOT NULL,
      observed_at  timestamptz NOT NULL,
      projected_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT refunds_origin_known CHECK (origin IN ('webhook', 'replay', 'reconcile', 'backfill'))
    )`.execute(db);
  await sql`CREATE INDEX refunds_charge_id_idx ON omise.refunds (charge_id)`.execute(db);
  await sql`CREATE INDEX refunds_created_at_idx ON omise.refunds (created_at)`.execute(db);

  await sql`
    CREATE TABLE omise.disputes (
      id             text PRIMARY KEY,
      charge_id      text        NOT NULL,
      livemode       boolean     NOT NULL,
      amount         bigint      NOT NULL,
      currency       text        NOT NULL,
      status         text        NOT NULL,
      reason_code    text,
      reason_message text,
      message        text,
      admin_message  text,
      metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb,
      created_at     timestamptz NOT NULL,
      closed_at      timestamptz,
      raw            jsonb       NOT NULL,
      origin         text        NOT NULL,
      observed_at    timestamptz NOT NULL,
      projected_at   timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT disputes_origin_known CHECK (origin IN ('webhook', 'replay', 'reconcile', 'backfill'))
    )`.execute(db);
  await sql`CREATE INDEX disputes_charge_id_idx ON omise.disputes (charge_id)`.execute(db);
  await sql`CREATE INDEX disputes_status_idx ON omise.disputes (status)`.execute(db);
  await sql`CREATE INDEX disputes_created_at_idx ON omise.disputes (created_at)`.execute(db);

  await sql`
    CREATE TABLE omise.dispute_documents (
      id           text PRIMARY KEY,
      dispute_id   text        NOT NULL,
      livemode     boolean     NOT NULL,
      filename     text,
      kind         text,
      download_uri text,
      deleted      boolean     NOT NULL DEFAULT false,
      created_at   timestamptz NOT NULL,
      raw          jsonb       NOT NULL,
      observed_at  timestamptz NOT NULL,
      projected_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX dispute_documents_dispute_id_idx ON omise.dispute_documents (dispute_id)`.execute(
    db,
  );

  await sql`
    CREATE TABLE omise.events (
      id            text PRIMARY KEY,
      key           text        NOT NULL,
      resource_type text        NOT NULL,
      resource_id   text        NOT NULL,
      livemode      boolean     NOT NULL,
      created_at    timestamptz NOT NULL,
      received_at   timestamptz NOT NULL,
      processed_at  timestamptz,
      outcome       text        NOT NULL,
      origin        text        NOT NULL,
      error         text,
      raw           jsonb,
      CONSTRAINT events_outcome_known CHECK (outcome IN ('projected', 'ignored', 'not_found', 'failed')),
      CONSTRAINT events_origin_known CHECK (origin IN ('webhook', 'replay', 'reconcile', 'backfill'))
    )`.execute(db);
  await sql`CREATE INDEX events_created_at_idx ON omise.events (created_at)`.execute(db);
  await sql`CREATE INDEX events_resource_idx ON omise.events (resource_type, resource_id)`.execute(
    db,
  );
  await sql`CREATE INDEX events_outcome_idx ON omise.events (outcome) WHERE outcome <> 'projected'`.execute(
    db,
  );

  // One flag per dispute: the primary key is what makes "flag exactly once" hold however often
  // the dispute's events are delivered or replayed.
  await sql`
    CREATE TABLE omise.dispute_flags (
      dispute_id          text PRIMARY KEY REFERENCES omise.disputes (id),
      flagged_at          timestamptz NOT NULL DEFAULT now(),
      severity            text        NOT NULL,
      reasons             text[]      NOT NULL DEFAULT '{}',
      origin              text        NOT NULL,
      notify              boolean     NOT NULL,
      notify_attempted_at timestamptz,
      notified_at         timestamptz,
      notify_error        text,
      resolved_at         timestamptz,
      resolution          text,
      CONSTRAINT dispute_flags_severity_known CHECK (severity IN ('low', 'medium', 'high', 'critical')),
      CONSTRAINT dispute_flags_origin_known CHECK (origin IN ('webhook', 'replay', 'reconcile', 'backfill'))
    )`.execute(db);
  await sql`
    CREATE INDEX dispute_flags_pending_notification_idx ON omise.dispute_flags (flagged_at)
    WHERE notify AND notified_at IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'dispute_flags',
    'events',
    'dispute_documents',
    'disputes',
    'refunds',
    'charges',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(`omise.${table}`)}`.execute(db);
  }
}
