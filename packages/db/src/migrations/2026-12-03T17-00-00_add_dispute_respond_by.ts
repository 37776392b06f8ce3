import { type Kysely, sql } from 'kysely';

// Omise's dispute object carries no deadline; Opn's merchant help gives the merchant 7 days
// from the opening to answer. The projection writes `respond_by` with the configured
// DISPUTE_RESPONSE_DAYS; rows already stored get the documented default until their next
// projection (a migration is frozen in time and cannot read the configuration).

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE omise.disputes ADD COLUMN respond_by timestamptz`.execute(db);
  await sql`UPDATE omise.disputes SET respond_by = created_at + interval '7 days'`.execute(db);
  await sql`ALTER TABLE omise.disputes ALTER COLUMN respond_by SET NOT NULL`.execute(db);
  // The desk and the reminder sweep read open disputes in deadline order.
  await sql`
    CREATE INDEX disputes_open_by_respond_by ON omise.disputes (respond_by)
     WHERE status = 'open'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS omise.disputes_open_by_respond_by`.execute(db);
  await sql`ALTER TABLE omise.disputes DROP COLUMN IF EXISTS respond_by`.execute(db);
}
