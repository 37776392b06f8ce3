import { type Kysely, sql } from 'kysely';

// Serialisation that a read-only role cannot disturb. Advisory locks need no privilege, so any
// BI login could take a resource's lock and stall its projection; row locks (`FOR UPDATE`)
// need UPDATE on the table, which `omise_bi` never has. `resource_locks` holds one row per
// projected resource key (`charge:chrg_…`), locked by every writer in key order.
// `sync_leases` replaces the CLI's session advisory lock with an expiring lease, which also
// works through PgBouncer in transaction mode. Neither table is readable by `omise_bi`.
//
// `dispute_flags.first_seen_status` records the state a dispute was in when omise-sync first
// saw it, so a dispute that opened and closed between two looks still gets its one flag.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE omise.resource_locks (
      resource_key text PRIMARY KEY
    )`.execute(db);
  await sql`
    CREATE TABLE omise.sync_leases (
      name       text PRIMARY KEY,
      holder     text        NOT NULL,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`REVOKE ALL ON omise.resource_locks, omise.sync_leases FROM omise_bi`.execute(db);

  await sql`ALTER TABLE omise.dispute_flags ADD COLUMN first_seen_status text`.execute(db);
  await sql`UPDATE omise.dispute_flags SET first_seen_status = 'open'`.execute(db);
  await sql`ALTER TABLE omise.dispute_flags ALTER COLUMN first_seen_status SET NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE omise.dispute_flags DROP COLUMN IF EXISTS first_seen_status`.execute(db);
  await sql`DROP TABLE IF EXISTS omise.sync_leases`.execute(db);
  await sql`DROP TABLE IF EXISTS omise.resource_locks`.execute(db);
}
