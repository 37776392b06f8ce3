import { migrateToLatest } from '@omise-sync/db';
import { dropDatabase, quoteIdent, withAdminClient } from './admin';
import { withDatabase } from './test-names';

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
        await migrateToLatest(withDatabase(adminUrl, template));
      } catch (error) {
        await dropDatabase(client, template);
        throw error;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
}
