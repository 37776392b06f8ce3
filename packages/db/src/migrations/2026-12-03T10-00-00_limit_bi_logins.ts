import { type Kysely, sql } from 'kysely';

// `ALTER ROLE omise_bi SET …` only reaches sessions that log in as omise_bi itself; a login
// role that is merely a member (`IN ROLE omise_bi`) runs with its own settings, so its
// transactions were neither read-only nor time-limited. Postgres has no inherited settings, so
// each BI login role must carry them: omise.grant_bi_login(role) grants omise_bi and sets them
// in one step. It runs with its caller's rights (CREATEROLE, or ADMIN on omise_bi and the role),
// and PUBLIC may not call it.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER ROLE omise_bi SET statement_timeout = '60s'`.execute(db);
  await sql`ALTER ROLE omise_bi SET idle_in_transaction_session_timeout = '60s'`.execute(db);
  await sql`
    CREATE FUNCTION omise.grant_bi_login(login_role name, statement_timeout text DEFAULT '60s')
    RETURNS void
    LANGUAGE plpgsql
    SECURITY INVOKER
    SET search_path = pg_catalog
    AS $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login_role AND rolcanlogin) THEN
        RAISE EXCEPTION 'role % does not exist or cannot log in', login_role
          USING ERRCODE = 'undefined_object';
      END IF;
      EXECUTE format('GRANT omise_bi TO %I', login_role);
      EXECUTE format('ALTER ROLE %I SET default_transaction_read_only = on', login_role);
      EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', login_role, statement_timeout);
      EXECUTE format(
        'ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', login_role, statement_timeout
      );
    END
    $$`.execute(db);
  await sql`
    COMMENT ON FUNCTION omise.grant_bi_login(name, text) IS
      'omise-sync: makes a login role a read-only, time-limited BI user (member of omise_bi)'`.execute(
    db,
  );
  await sql`REVOKE ALL ON FUNCTION omise.grant_bi_login(name, text) FROM PUBLIC`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS omise.grant_bi_login(name, text)`.execute(db);
  await sql`ALTER ROLE omise_bi RESET statement_timeout`.execute(db);
  await sql`ALTER ROLE omise_bi RESET idle_in_transaction_session_timeout`.execute(db);
}
