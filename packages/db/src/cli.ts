import { migrateToLatest } from './migrate';

// `npm run migrate`: applies pending migrations to DATABASE_URL and says what it did.
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url === undefined || url === '') {
    console.error('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/omise_sync)');
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
