import { type Kysely, sql } from 'kysely';

// Omise's JSON in `raw` is about 2 kB per charge, just over the size at which Postgres
// compresses a row's large values. With the default pglz that compression was a fifth of
// Postgres' time inserting charges in bulk (a backfill writes 100,000 in seconds); lz4 costs a
// fraction of it for a similar size. New values only: rows already stored keep their pglz
// form and stay readable. Servers built without lz4 (rare since Postgres 14) keep pglz.

const RAW_COLUMNS = [
  ['charges', 'raw'],
  ['refunds', 'raw'],
  ['disputes', 'raw'],
  ['dispute_documents', 'raw'],
  ['events', 'raw'],
] as const;

async function setCompression(db: Kysely<unknown>, method: 'lz4' | 'pglz'): Promise<void> {
  const statements = RAW_COLUMNS.map(
    ([table, column]) =>
      `ALTER TABLE omise.${table} ALTER COLUMN ${column} SET COMPRESSION ${method};`,
  ).join('\n');
  await sql`
    DO $$
    BEGIN
      ${sql.raw(statements)}
    EXCEPTION WHEN feature_not_supported THEN
      RAISE NOTICE 'lz4 is not available on this server; raw columns keep pglz';
    END
    $$`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await setCompression(db, 'lz4');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await setCompression(db, 'pglz');
}
