import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { Client } from 'pg';
import { withTestMigrationLock, useTestDatabase } from '@omise-sync/testing';

// Issue 23 item 8: the role the worker and the CLI run as may read and write rows in `omise`
// and nothing else; DDL belongs to the migration role.
describe('the omise_sync_runtime role', () => {
  const login = `runtime_${randomBytes(4).toString('hex')}`;
  // Registered before useTestDatabase's own hook so it runs while the database still exists.
  afterAll(async () => {
    await client.end();
    await sql`DROP ROLE ${sql.id(login)}`.execute(database.handle.db);
  });
  const database = useTestDatabase();
  let client: Client;

  beforeAll(async () => {
    // Role changes race with migrations in other test files: under their lock.
    await withTestMigrationLock(() =>
      sql`CREATE ROLE ${sql.id(login)} LOGIN IN ROLE omise_sync_runtime`.execute(
        database.handle.db,
      ),
    );
    const url = new URL(database.url);
    url.username = login;
    url.password = '';
    client = new Client({ connectionString: url.toString() });
    await client.connect();
  });
  it.each([
    ['select', 'SELECT count(*) FROM omise.charges'],
    ['insert', 'INSERT INTO omise.charges SELECT * FROM omise.charges WHERE false'],
    ['update', 'UPDATE omise.dispute_flags SET notify_error = NULL WHERE false'],
    ['delete', 'DELETE FROM omise.events WHERE false'],
  ])('a member may %s rows in omise', async (_, statement) => {
    await expect(client.query(statement)).resolves.toBeDefined();
  });

  it.each([
    ['create a table in omise', 'CREATE TABLE omise.sneaky (id int)'],
    ['create a table in public', 'CREATE TABLE public.sneaky (id int)'],
    ['alter a table', 'ALTER TABLE omise.charges ADD COLUMN sneaky int'],
    ['drop a table', 'DROP TABLE omise.charges'],
    ['truncate a table', 'TRUNCATE omise.charges'],
    ['create a role', 'CREATE ROLE sneaky'],
  ])('a member may not %s', async (_, statement) => {
    await expect(client.query(statement)).rejects.toThrow(/permission denied|must be owner/);
  });
});
