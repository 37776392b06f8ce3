import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { createDatabase } from './create-database';
import { migrateToLatest } from './migrate';
import { migrations } from './migrations';
import { createTestDatabase } from './testing';

describe('migrateToLatest', () => {
  // An empty database (not the migrated template), to prove migrations run from nothing.
  let empty: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    empty = await createTestDatabase();
    const handle = createDatabase({ connectionString: empty.url });
    await sql`DROP SCHEMA omise, bi CASCADE`.execute(handle.db);
    await sql`DROP TABLE kysely_migration, kysely_migration_lock`.execute(handle.db);
    await handle.destroy();
  });
  afterAll(() => empty.drop());

  it('applies every migration to an empty database, in name order', async () => {
    const outcome = await migrateToLatest(empty.url);
    expect(outcome.applied).toEqual(Object.keys(migrations).sort());
    const handle = createDatabase({ connectionString: empty.url });
    const { rows } = await sql<{ nspname: string }>`
      SELECT nspname FROM pg_namespace WHERE nspname = 'omise'`.execute(handle.db);
    await handle.destroy();
    expect(rows).toHaveLength(1);
  });

  it('when run again, applies nothing', async () => {
    expect((await migrateToLatest(empty.url)).applied).toEqual([]);
  });

  it('when two replicas start at once, each migration is applied exactly once', async () => {
    const fresh = await createTestDatabase();
    try {
      const handle = createDatabase({ connectionString: fresh.url });
      await sql`DROP SCHEMA omise, bi CASCADE`.execute(handle.db);
      await sql`DROP TABLE kysely_migration, kysely_migration_lock`.execute(handle.db);
      await handle.destroy();

      const outcomes = await Promise.all([
        migrateToLatest(fresh.url),
        migrateToLatest(fresh.url),
        migrateToLatest(fresh.url),
      ]);
      const applied = outcomes.flatMap((o) => o.applied).sort();
      expect(applied).toEqual(Object.keys(migrations).sort());
    } finally {
      await fresh.drop();
    }
  });
});
