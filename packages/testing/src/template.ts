import { migrateToLatest } from '@omise-sync/db';
import { dropDatabase, quoteIdent, withAdminClient } from './admin';
import { requireTestEnv, withDatabase } from './test-names';

// Migrations create and alter cluster-wide roles; two running at once in different databases
// fail with "tuple concurrently updated". Every test that migrates holds this one lock.
const MIGRATION_LOCK = 'omise-sync-test-migrations';

/**
 * Runs `migrate` while holding the tests' one migration lock (an advisory lock taken on the
 * admin database, so every test process contends for the same key).
 */
export async function withTestMigrationLock<T>(migrate: () => Promise<T>): Promise<T> {
  const adminUrl = requireTestEnv('DATABASE_URL');
  return withAdminClient(adminUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    try {
      return await migrate();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]);
    }
  });
}

/**
 * Creates and migrates the run's template database once: the first test file to arrive does
 * it under an advisory lock, the others wait for it and find it there.
 */
export async function ensureTemplate(adminUrl: string, template: string): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        template,
      ]);
      if (rowCount !== 0) return;
      await client.query(`CREATE DATABASE ${quoteIdent(template)}`);
      try {
        await withTestMigrationLock(() => migrateToLatest(withDatabase(adminUrl, template)));
      } catch (error) {
        await dropDatabase(client, template);
        throw error;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
}
