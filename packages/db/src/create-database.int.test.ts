import { describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { useTestDatabase } from '@omise-sync/testing';

describe('createDatabase', () => {
  const database = useTestDatabase();

  it('reads bigint money as a number', async () => {
    const { rows } = await sql<{ amount: number }>`SELECT 123456789::bigint AS amount`.execute(
      database.handle.db,
    );
    expect(rows[0]?.amount).toBe(123456789);
  });

  it('refuses a bigint that a JavaScript number would round', async () => {
    await expect(
      sql`SELECT 9007199254740993::bigint AS amount`.execute(database.handle.db),
    ).rejects.toThrow(/does not fit/);
  });
});
