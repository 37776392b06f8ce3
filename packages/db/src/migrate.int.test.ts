import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from './create-database';
import { migrateToLatest } from './migrate';
import { migrations } from './migrations';
import * as redactEventHistory from './migrations/2026-12-03T16-10-00_redact_event_history';
import { createTestDatabase, withTestMigrationLock } from '@omise-sync/testing';

// Under the tests' migration lock: migrations alter cluster-wide roles.
const migrate = (url: string) => withTestMigrationLock(() => migrateToLatest(url));

describe('migrateToLatest', () => {
  // An empty database (not the migrated template), to prove migrations run from nothing.
  let empty: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    empty = await createTestDatabase({ migrated: false });
  });
  afterAll(() => empty.drop());

  it('applies every migration to an empty database, in name order', async () => {
    const outcome = await migrate(empty.url);
    expect(outcome.applied).toEqual(Object.keys(migrations).sort());
    const handle = createDatabase({ connectionString: empty.url });
    const { rows } = await sql<{ nspname: string }>`
      SELECT nspname FROM pg_namespace WHERE nspname = 'omise'`.execute(handle.db);
    await handle.destroy();
    expect(rows).toHaveLength(1);
  });

  it('when run again, applies nothing', async () => {
    expect((await migrate(empty.url)).applied).toEqual([]);
  });

  it('when two replicas start at once, each migration is applied exactly once', async () => {
    const fresh = await createTestDatabase({ migrated: false });
    try {
      const outcomes = await withTestMigrationLock(() =>
        Promise.all([
          migrateToLatest(fresh.url),
          migrateToLatest(fresh.url),
          migrateToLatest(fresh.url),
        ]),
      );
      const applied = outcomes.flatMap((o) => o.applied).sort();
      expect(applied).toEqual(Object.keys(migrations).sort());
    } finally {
      await fresh.drop();
    }
  });

  it('when event history holds payloads as delivered, the redaction keeps the envelope and what identifies the object', async () => {
    const fresh = await createTestDatabase();
    const handle = createDatabase({ connectionString: fresh.url });
    try {
      const raw = {
        object: 'event',
        id: 'evnt_test_old',
        key: 'refund.create',
        created_at: '2026-01-01T00:00:00Z',
        data: {
          object: 'refund',
          id: 'rfnd_test_1',
          livemode: false,
          status: 'closed',
          charge: {
            id: 'chrg_test_1',
            card: { name: 'Somchai P', fingerprint: 'abc', first_digits: '424242' },
          },
          metadata: { email: 'buyer@example.com' },
        },
      };
      await sql`
        INSERT INTO omise.events (id, key, resource_type, resource_id, livemode, created_at,
                                  received_at, outcome, origin, raw)
        VALUES ('evnt_test_old', 'refund.create', 'refund', 'rfnd_test_1', false, now(), now(),
                'projected', 'webhook', ${JSON.stringify(raw)}::jsonb)`.execute(handle.db);
      // Migrations take Kysely<unknown>: they are frozen in time, blind to today's types.
      const frozen = new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.url }) }),
      });
      await redactEventHistory.up(frozen).finally(() => frozen.destroy());
      const { rows } = await sql<{ raw: unknown }>`
        SELECT raw FROM omise.events WHERE id = 'evnt_test_old'`.execute(handle.db);
      expect(rows[0]?.raw).toEqual({
        object: 'event',
        id: 'evnt_test_old',
        key: 'refund.create',
        created_at: '2026-01-01T00:00:00Z',
        data: {
          object: 'refund',
          id: 'rfnd_test_1',
          livemode: false,
          status: 'closed',
          charge: 'chrg_test_1',
        },
      });
    } finally {
      await handle.destroy();
      await fresh.drop();
    }
  });
});
