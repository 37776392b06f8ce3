import { type Kysely, sql } from 'kysely';

// Least privilege: migrations run as their own role (DDL, CREATEROLE), and the worker, the
// reconcile job and the CLI's sync commands connect as a login role that is a member of
// `omise_sync_runtime`, which may read and write rows in `omise` and do nothing else: no DDL,
// no TRUNCATE, no access to other schemas. Privileges (unlike settings) pass through role
// membership: `GRANT omise_sync_runtime TO <login role>` is enough.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Roles are cluster-wide, so another database on the same server may have created it.
  await sql`
    DO $$
    BEGIN
      CREATE ROLE omise_sync_runtime NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END
    $$`.execute(db);
  await sql`GRANT USAGE ON SCHEMA omise TO omise_sync_runtime`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA omise TO omise_sync_runtime`.execute(
    db,
  );
  await sql`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA omise TO omise_sync_runtime`.execute(
    db,
  );
  // Tables that later migrations (run by this same role) create get the same grants.
  await sql`
    ALTER DEFAULT PRIVILEGES IN SCHEMA omise
      GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO omise_sync_runtime`.execute(db);
  await sql`
    ALTER DEFAULT PRIVILEGES IN SCHEMA omise
      GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO omise_sync_runtime`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER DEFAULT PRIVILEGES IN SCHEMA omise
      REVOKE ALL ON SEQUENCES FROM omise_sync_runtime`.execute(db);
  await sql`
    ALTER DEFAULT PRIVILEGES IN SCHEMA omise
      REVOKE ALL ON TABLES FROM omise_sync_runtime`.execute(db);
  await sql`REVOKE ALL ON ALL SEQUENCES IN SCHEMA omise FROM omise_sync_runtime`.execute(db);
  await sql`REVOKE ALL ON ALL TABLES IN SCHEMA omise FROM omise_sync_runtime`.execute(db);
  await sql`REVOKE USAGE ON SCHEMA omise FROM omise_sync_runtime`.execute(db);
}
