import { type Kysely, sql } from 'kysely';

// Migrations are frozen in time: they take Kysely<unknown> and never import application code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS omise`.execute(db);
  await sql`COMMENT ON SCHEMA omise IS 'omise-sync: current state of Omise resources and their event history'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS omise CASCADE`.execute(db);
}
