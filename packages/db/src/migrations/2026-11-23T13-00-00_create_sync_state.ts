import { type Kysely, sql } from 'kysely';

// State of the CLI's sync commands. `sync_checkpoints` holds one cursor per named walk (a
// backfill of one resource, the reconcile's position in the Events API), written in the same
// transaction as the rows it accounts for, so a crash never loses or repeats committed work.
// `reconcile_runs` is the history of reconciliations and the drift each one found and repaired.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE omise.sync_checkpoints (
      name       text PRIMARY KEY,
      cursor     jsonb       NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE omise.reconcile_runs (
      id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      started_at      timestamptz NOT NULL,
      finished_at     timestamptz,
      since           timestamptz NOT NULL,
      events_seen     integer     NOT NULL DEFAULT 0,
      events_enqueued integer     NOT NULL DEFAULT 0,
      drift           jsonb       NOT NULL DEFAULT '{}'::jsonb,
      repaired        jsonb       NOT NULL DEFAULT '{}'::jsonb,
      error           text
    )`.execute(db);
  await sql`CREATE INDEX reconcile_runs_started_at_idx ON omise.reconcile_runs (started_at DESC)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS omise.reconcile_runs`.execute(db);
  await sql`DROP TABLE IF EXISTS omise.sync_checkpoints`.execute(db);
}
