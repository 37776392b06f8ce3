import { migrateToLatest } from '@omise-sync/db';
import { requireEnv } from '../cli-env';

/** `omise-sync migrate`: applies pending migrations to DATABASE_URL (safe when replicas race). */
export async function migrateCommand(
  _args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { applied, known } = await migrateToLatest(requireEnv(env, 'DATABASE_URL'));
  console.log(
    applied.length === 0
      ? `database is up to date (${known.length} migrations)`
      : `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`,
  );
  return 0;
}
