import { type Kysely, sql } from 'kysely';

// `dispute_actions` is the desk's log: one row per action an operator took against the Omise
// API (written by the CLI's dispute desk only). An upload is recorded as `started` before the
// file is sent; the unique index then refuses a second upload of the same file (sha256) to the
// same dispute, even from two operators at once, and even when the first one's outcome is
// unknown (the file may have reached Omise).
//
// `dispute_reminders` holds the deadline reminders of open disputes (written by the worker's
// follow-ups only): one row per dispute and kind (`72h`, `24h`), claimed with a conditional
// UPDATE before it is sent, so it is sent at most once across workers and restarts.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE omise.dispute_actions (
      id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      dispute_id  text        NOT NULL,
      action      text        NOT NULL,
      actor       text        NOT NULL,
      details     jsonb       NOT NULL DEFAULT '{}',
      sha256      text,
      result      text        NOT NULL,
      error       text,
      at          timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      CONSTRAINT dispute_actions_action_known
        CHECK (action IN ('message', 'upload', 'delete_document', 'accept')),
      CONSTRAINT dispute_actions_result_known
        CHECK (result IN ('started', 'ok', 'failed', 'unknown')),
      CONSTRAINT dispute_actions_sha256_on_uploads
        CHECK ((action = 'upload') = (sha256 IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX dispute_actions_by_dispute ON omise.dispute_actions (dispute_id, at)`.execute(
    db,
  );
  await sql`
    CREATE UNIQUE INDEX dispute_actions_one_upload_per_file
        ON omise.dispute_actions (dispute_id, sha256)
     WHERE action = 'upload' AND result IN ('started', 'ok', 'unknown')`.execute(db);

  await sql`
    CREATE TABLE omise.dispute_reminders (
      dispute_id   text        NOT NULL REFERENCES omise.disputes (id) ON DELETE CASCADE,
      kind         text        NOT NULL,
      due_at       timestamptz NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      attempted_at timestamptz,
      sent_at      timestamptz,
      cancelled_at timestamptz,
      error        text,
      PRIMARY KEY (dispute_id, kind),
      CONSTRAINT dispute_reminders_sent_or_cancelled
        CHECK (sent_at IS NULL OR cancelled_at IS NULL)
    )`.execute(db);
  await sql`
    CREATE INDEX dispute_reminders_pending ON omise.dispute_reminders (due_at)
     WHERE sent_at IS NULL AND cancelled_at IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS omise.dispute_reminders`.execute(db);
  await sql`DROP TABLE IF EXISTS omise.dispute_actions`.execute(db);
}
