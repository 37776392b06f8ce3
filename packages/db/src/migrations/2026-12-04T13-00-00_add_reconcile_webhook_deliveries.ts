import { type Kysely, sql } from 'kysely';

// What Omise recorded of its own webhook deliveries (`webhook_deliveries` on each event the
// reconcile lists), kept with the run so `omise-sync status` and the worker's /metrics can show
// a broken endpoint from Omise's side before reconcile has to repair anything.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE omise.reconcile_runs
      ADD COLUMN webhook_deliveries jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE omise.reconcile_runs DROP COLUMN IF EXISTS webhook_deliveries`.execute(db);
}
