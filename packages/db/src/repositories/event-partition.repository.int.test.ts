import { randomBytes } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import {
  createTestDatabase,
  eventRow,
  useTestDatabase,
  withTestMigrationLock,
} from '@omise-sync/testing';
import { createDatabase } from '../create-database';
import { migrateToLatest } from '../migrate';
import { migrations } from '../migrations';
import * as partitionEventsByMonth from '../migrations/2026-12-04T12-00-00_partition_events_by_month';
import { type Database } from '../database';
import { listEventPartitions, maintainEventPartitions } from './event-partition.repository';
import { json } from './rows';

async function insertEvent(db: Kysely<Database>, id: string, createdAt: string): Promise<void> {
  await db
    .insertInto('omise.events')
    .values({
      ...eventRow({ id, created_at: createdAt }),
      raw: json({ object: 'event', id }),
    })
    .execute();
}

async function partitionOf(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const { rows } = await sql<{ partition: string }>`
    SELECT tableoid::regclass::text AS partition FROM omise.events WHERE id = ${id}`.execute(db);
  return rows[0]?.partition;
}

describe('omise.events partitioned by month', () => {
  const database = useTestDatabase();

  it('when maintenance runs, the partitions of this month and the next three exist', async () => {
    const { db } = database.handle;
    const result = await maintainEventPartitions(db, {
      at: new Date('2031-05-17T10:00:00Z'),
      retentionDays: 0,
    });
    expect(result.created).toEqual([
      'events_2031_05',
      'events_2031_06',
      'events_2031_07',
      'events_2031_08',
    ]);
    expect(await listEventPartitions(db)).toEqual(expect.arrayContaining(result.created));
    const again = await maintainEventPartitions(db, {
      at: new Date('2031-05-17T11:00:00Z'),
      retentionDays: 0,
    });
    expect(again).toEqual({ created: [], dropped: [], busy: [] });
  });

  it('when an event belongs to a month without a partition, maintenance moves it into its own month', async () => {
    const { db } = database.handle;
    await insertEvent(db, 'evnt_test_stray', '2019-03-31T23:59:59.999Z');
    expect(await partitionOf(db, 'evnt_test_stray')).toBe('omise.events_default');
    const result = await maintainEventPartitions(db, { at: new Date(), retentionDays: 0 });
    expect(result.created).toContain('events_2019_03');
    expect(await partitionOf(db, 'evnt_test_stray')).toBe('omise.events_2019_03');
    await insertEvent(db, 'evnt_test_next', '2019-04-01T00:00:00Z');
    expect(await partitionOf(db, 'evnt_test_next')).toBe('omise.events_default');
  });

  it('when a month is older than the retention period, its whole partition is dropped and current state stays', async () => {
    const { db } = database.handle;
    const at = new Date('2032-06-15T00:00:00Z');
    await maintainEventPartitions(db, { at: new Date('2031-01-01T00:00:00Z'), retentionDays: 0 });
    await insertEvent(db, 'evnt_test_jan', '2031-01-10T00:00:00Z');
    await insertEvent(db, 'evnt_test_mar', '2031-03-10T00:00:00Z');
    await sql`
      INSERT INTO omise.charges (id, livemode, amount, currency, status, authorized, paid,
        capturable, reversed, expired, refunded_amount, metadata, created_at, raw, origin,
        observed_at)
      VALUES ('chrg_test_old', false, 100, 'THB', 'successful', true, true, false, false, false,
        0, '{}', '2031-01-10T00:00:00Z', '{}', 'webhook', '2031-01-10T00:00:00Z')`.execute(db);
    // 470 days before `at` is 2031-03-02: January's and February's months ended before it, March's not.
    const result = await maintainEventPartitions(db, { at, retentionDays: 470 });
    expect(result.dropped).toContain('events_2031_01');
    expect(result.dropped).not.toContain('events_2031_03');
    expect(await listEventPartitions(db)).not.toContain('events_2031_01');
    expect(await partitionOf(db, 'evnt_test_jan')).toBeUndefined();
    expect(await partitionOf(db, 'evnt_test_mar')).toBe('omise.events_2031_03');
    const { rows } = await sql`SELECT id FROM omise.charges WHERE id = 'chrg_test_old'`.execute(db);
    expect(rows).toHaveLength(1);
  });

  it('when several workers maintain at once, each partition is created once and none fails', async () => {
    const { db } = database.handle;
    const at = new Date('2033-09-01T00:00:00Z');
    const results = await Promise.all(
      [1, 2, 3].map(() => maintainEventPartitions(db, { at, retentionDays: 0 })),
    );
    expect(results.flatMap((r) => r.created).sort()).toEqual([
      'events_2033_09',
      'events_2033_10',
      'events_2033_11',
      'events_2033_12',
    ]);
  });

  it('when a BI query holds an expired month, that partition is reported busy and dropped by a later pass', async () => {
    const { db } = database.handle;
    await maintainEventPartitions(db, { at: new Date('2034-01-01T00:00:00Z'), retentionDays: 0 });
    const reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM omise.events_2034_01');
      const blocked = await maintainEventPartitions(db, {
        at: new Date('2035-06-01T00:00:00Z'),
        retentionDays: 31,
      });
      expect(blocked.busy).toContain('events_2034_01');
      expect(await listEventPartitions(db)).toContain('events_2034_01');
      await reader.query('COMMIT');
    } finally {
      await reader.end();
    }
    const later = await maintainEventPartitions(db, {
      at: new Date('2035-06-01T01:00:00Z'),
      retentionDays: 31,
    });
    expect(later.dropped).toContain('events_2034_01');
  });

  it('when the same event id is written again, the key (id, created_at) keeps one row', async () => {
    const { db } = database.handle;
    await insertEvent(db, 'evnt_test_once', '2026-12-04T00:00:00Z');
    await expect(insertEvent(db, 'evnt_test_once', '2026-12-04T00:00:00Z')).rejects.toThrow(
      /duplicate key/,
    );
  });
});

describe('partition maintenance as the runtime role', () => {
  const login = `runtime_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await runtime.destroy();
    await sql`DROP ROLE ${sql.id(login)}`.execute(database.handle.db);
  });
  const database = useTestDatabase();
  let runtime: Kysely<Database>;

  beforeAll(async () => {
    await withTestMigrationLock(() =>
      sql`CREATE ROLE ${sql.id(login)} LOGIN IN ROLE omise_sync_runtime`.execute(
        database.handle.db,
      ),
    );
    const url = new URL(database.url);
    url.username = login;
    url.password = '';
    runtime = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString() }) }),
    });
  });

  it('when the worker (no DDL rights) maintains partitions, they are created and dropped all the same', async () => {
    const created = await maintainEventPartitions(runtime, {
      at: new Date('2040-01-15T00:00:00Z'),
      monthsAhead: 1,
      retentionDays: 0,
    });
    expect(created.created).toEqual(['events_2040_01', 'events_2040_02']);
    const dropped = await maintainEventPartitions(runtime, {
      at: new Date('2041-06-01T00:00:00Z'),
      monthsAhead: 0,
      retentionDays: 30,
    });
    expect(dropped.dropped).toEqual(expect.arrayContaining(['events_2040_01', 'events_2040_02']));
    await expect(
      sql`CREATE TABLE omise.events_2050_01 (LIKE omise.events)`.execute(runtime),
    ).rejects.toThrow(/permission denied/);
    await expect(sql`SELECT omise.ensure_event_partition(now())`.execute(runtime)).rejects.toThrow(
      /permission denied/,
    );
  });
});

describe('the partitioning migration', () => {
  it('when events were stored before it, each lands in its month and keeps its content', async () => {
    const fresh = await createTestDatabase({ migrated: false });
    const names = Object.keys(migrations).sort();
    const target = '2026-12-04T12-00-00_partition_events_by_month';
    const before = names[names.indexOf(target) - 1];
    const frozen = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.url }) }),
    });
    const handle = createDatabase({ connectionString: fresh.url });
    try {
      const migrator = new Migrator({
        db: frozen,
        provider: { getMigrations: () => Promise.resolve(migrations) },
      });
      await withTestMigrationLock(async () => {
        const { error } = await migrator.migrateTo(before ?? target);
        expect(error).toBeUndefined();
      });
      for (const [id, createdAt] of [
        ['evnt_test_a', '2025-11-30T23:00:00Z'],
        ['evnt_test_b', '2026-12-04T09:00:00Z'],
      ] as const) {
        await sql`
          INSERT INTO omise.events (id, key, resource_type, resource_id, livemode, created_at,
                                    received_at, outcome, origin, raw, account)
          VALUES (${id}, 'charge.create', 'charge', 'chrg_test_1', false, ${createdAt}, now(),
                  'projected', 'webhook', '{"object":"event"}', 'th')`.execute(frozen);
      }
      await withTestMigrationLock(() => migrateToLatest(fresh.url));
      expect(await partitionOf(handle.db, 'evnt_test_a')).toBe('omise.events_2025_11');
      expect(await partitionOf(handle.db, 'evnt_test_b')).toBe('omise.events_2026_12');
      const row = await handle.db
        .selectFrom('omise.events')
        .selectAll()
        .where('id', '=', 'evnt_test_a')
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ account: 'th', key: 'charge.create', raw: { object: 'event' } });
    } finally {
      await frozen.destroy();
      await handle.destroy();
      await fresh.drop();
    }
  });
  it('when rolled back, events become one plain table with their rows, and the migration applies again', async () => {
    const fresh = await createTestDatabase();
    const frozen = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.url }) }),
    });
    const handle = createDatabase({ connectionString: fresh.url });
    try {
      await insertEvent(handle.db, 'evnt_test_kept', '2026-12-04T09:00:00Z');
      await withTestMigrationLock(() => partitionEventsByMonth.down(frozen));
      const { rows } = await sql<{ kind: string }>`
        SELECT relkind AS kind FROM pg_class WHERE oid = 'omise.events'::regclass`.execute(
        handle.db,
      );
      expect(rows[0]?.kind).toBe('r');
      expect(await partitionOf(handle.db, 'evnt_test_kept')).toBe('omise.events');
      await withTestMigrationLock(() => partitionEventsByMonth.up(frozen));
      expect(await partitionOf(handle.db, 'evnt_test_kept')).toBe('omise.events_2026_12');
    } finally {
      await frozen.destroy();
      await handle.destroy();
      await fresh.drop();
    }
  });
});
