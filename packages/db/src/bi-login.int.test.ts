import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { Client } from 'pg';
import { withTestMigrationLock, useTestDatabase } from '@omise-sync/testing';

// Issue 23 item 7: a BI login role must be read-only and time-limited, which membership in
// omise_bi alone does not give it (role settings are not inherited).
describe('BI login roles', () => {
  const suffix = randomBytes(4).toString('hex');
  const granted = `bi_login_${suffix}`;
  const memberOnly = `bi_member_${suffix}`;
  // Roles outlive the test database (they are cluster-wide): registered before
  // useTestDatabase's own hook so it runs while the database is still there.
  afterAll(async () => {
    for (const role of [granted, memberOnly]) {
      await sql`DROP ROLE ${sql.id(role)}`.execute(database.handle.db);
    }
  });
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database.handle;
    // Role changes race with migrations in other test files: under their lock.
    await withTestMigrationLock(async () => {
      await sql`CREATE ROLE ${sql.id(granted)} LOGIN`.execute(db);
      await sql`CREATE ROLE ${sql.id(memberOnly)} LOGIN IN ROLE omise_bi`.execute(db);
      await sql`SELECT omise.grant_bi_login(${granted})`.execute(db);
    });
  });

  async function asLogin<T>(role: string, run: (client: Client) => Promise<T>): Promise<T> {
    const url = new URL(database.url);
    url.username = role;
    url.password = '';
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  }

  const setting = async (client: Client, name: string): Promise<string> =>
    String(
      (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? 'missing',
    );

  it('when a login role is granted through omise.grant_bi_login, its sessions are read-only with a 60 s statement timeout', async () => {
    await asLogin(granted, async (client) => {
      expect(await setting(client, 'default_transaction_read_only')).toBe('on');
      expect(await setting(client, 'statement_timeout')).toBe('1min');
      expect(await setting(client, 'idle_in_transaction_session_timeout')).toBe('1min');
      const views = await client.query('SELECT count(*)::int AS n FROM bi.open_disputes');
      expect(views.rows).toHaveLength(1);
      await expect(client.query("UPDATE omise.charges SET status = 'failed'")).rejects.toThrow(
        /read-only transaction/,
      );
      // Even after leaving read-only mode, it holds no write grant.
      await client.query('SET default_transaction_read_only = off');
      await expect(client.query("UPDATE omise.charges SET status = 'failed'")).rejects.toThrow(
        /permission denied/,
      );
    });
  });

  it('when a login role is only made a member of omise_bi, it gets none of the settings (why the function exists)', async () => {
    await asLogin(memberOnly, async (client) => {
      expect(await setting(client, 'default_transaction_read_only')).toBe('off');
      expect(await setting(client, 'statement_timeout')).toBe('0');
    });
  });

  it('when the role does not exist or cannot log in, grant_bi_login refuses', async () => {
    await expect(
      sql`SELECT omise.grant_bi_login('omise_bi')`.execute(database.handle.db),
    ).rejects.toThrow(/cannot log in/);
  });

  it('PUBLIC may not call grant_bi_login', async () => {
    const { rows } = await sql<{ allowed: boolean }>`
      SELECT has_function_privilege('public', 'omise.grant_bi_login(name, text)', 'EXECUTE') AS allowed`.execute(
      database.handle.db,
    );
    expect(rows).toEqual([{ allowed: false }]);
  });
});
