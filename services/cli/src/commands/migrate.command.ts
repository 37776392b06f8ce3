import { migrateToLatest } from '@omise-sync/db';
import { parseCommandArgs, requireEnv } from '../cli-env';

export const MIGRATE_USAGE = `Usage: omise-sync migrate

Applies pending migrations; connects with MIGRATION_DATABASE_URL (the role allowed DDL) when
it is set, else with DATABASE_URL.
`;

/**
 * `omise-sync migrate`: applies pending migrations (safe when replicas race). Connects with
 * MIGRATION_DATABASE_URL, the role allowed DDL, when it is set; else with DATABASE_URL.
 */
export async function migrateCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseCommandArgs(
    { args: [...args], options: { help: { type: 'boolean' } } },
    MIGRATE_USAGE,
  );
  if (values.help === true) {
    console.log(MIGRATE_USAGE);
    return 0;
  }
  const url =
    env.MIGRATION_DATABASE_URL !== undefined && env.MIGRATION_DATABASE_URL !== ''
      ? env.MIGRATION_DATABASE_URL
      : requireEnv(env, 'DATABASE_URL');
  const { applied, known } = await migrateToLatest(url);
  console.log(
    applied.length === 0
      ? `database is up to date (${known.length} migrations)`
      : `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`,
  );
  return 0;
}
