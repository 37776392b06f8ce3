import { type Kysely, sql } from 'kysely';

// BI logins run without JIT: the money views are many small index lookups (one per payout or
// day) whose estimated cost is far above their real one, so Postgres JIT-compiled them and
// spent most of the query compiling. Like the other BI settings it is set on each login role
// (grant_bi_login), since role settings are not inherited.
//
// bi.monthly_dispute_rate joins the set of disputed charge ids (one hash over the disputes)
// instead of probing the disputes' index once per charge; a charge still counts once however
// many disputes it has, so the columns and results are those of the LATERAL form it replaces.

function grantBiLogin(withJitOff: boolean) {
  return sql`
    CREATE OR REPLACE FUNCTION omise.grant_bi_login(login_role name, statement_timeout text DEFAULT '60s')
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
      ${sql.raw(withJitOff ? "EXECUTE format('ALTER ROLE %I SET jit = off', login_role);" : '')}
    END
    $$`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await grantBiLogin(true).execute(db);
  await sql`
    CREATE OR REPLACE VIEW bi.monthly_dispute_rate AS
    SELECT date_trunc('month', c.created_at AT TIME ZONE 'UTC')::date AS month,
           c.currency,
           count(*)::bigint                                            AS charge_count,
           count(d.charge_id)::bigint                                  AS disputed_charge_count,
           round(count(d.charge_id)::numeric / nullif(count(*), 0), 6)  AS dispute_rate,
           c.account
      FROM omise.charges c
      LEFT JOIN (SELECT DISTINCT charge_id FROM omise.disputes) d ON d.charge_id = c.id
     WHERE c.paid
     GROUP BY 1, 2, c.account`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await grantBiLogin(false).execute(db);
  await sql`
    CREATE OR REPLACE VIEW bi.monthly_dispute_rate AS
    SELECT date_trunc('month', c.created_at AT TIME ZONE 'UTC')::date AS month,
           c.currency,
           count(*)::bigint                                            AS charge_count,
           count(d.id)::bigint                                         AS disputed_charge_count,
           round(count(d.id)::numeric / nullif(count(*), 0), 6)         AS dispute_rate,
           c.account
      FROM omise.charges c
      LEFT JOIN LATERAL (
        SELECT id FROM omise.disputes WHERE charge_id = c.id LIMIT 1
      ) d ON true
     WHERE c.paid
     GROUP BY 1, 2, c.account`.execute(db);
}
