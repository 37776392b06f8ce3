import { migrateToLatest } from './migrate';

// `npm run migrate`: applies pending migrations and says what it did. Connects with
// MIGRATION_DATABASE_URL (the role allowed DDL) when it is set, else with DATABASE_URL.
async function main(): Promise<void> {
  const url = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  if (url === undefined || url === '') {
    console.error(
      'MIGRATION_DATABASE_URL or DATABASE_URL must be set (e.g. postgres://postgres@127.0.0.1:5432/omise_sync)',
    );
    process.exitCode = 2;
    return;
  }
  const { applied, known } = await migrateToLatest(url);
  console.log(
    applied.length === 0
      ? `database is up to date (${known.length} migrations)`
      : `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `migrate failed: ${error.message}` : error);
  if (error instanceof Error && error.cause instanceof Error)
    console.error(`  cause: ${error.cause.message}`);
  process.exitCode = 1;
});
