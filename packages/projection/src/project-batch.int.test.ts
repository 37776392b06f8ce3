import { type OmiseEventJob } from '@omise-sync/core';
import {
  createDatabase,
  ensureResourceLocks,
  findCharge,
  findEvent,
  getCharge,
  lockResources,
  migrateToLatest,
} from '@omise-sync/db';
import { withTestMigrationLock, createCardCharge, useTestDatabase } from '@omise-sync/testing';
import { Charge } from '@omise-sync/omise-client';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { type ProjectionDeps, type ProjectionRequest, projectBatch } from './project-batch';
import { useEmulatorDeps } from '../test/use-emulator-deps';

describe('projectBatch', () => {
  const database = useTestDatabase();
  const fixture = useEmulatorDeps('project-batch');
  let deps: ProjectionDeps;
  beforeAll(() => {
    deps = { ...fixture.deps, db: database.handle.db };
  });

  const createCharge = (metadata: Record<string, unknown> = {}): Charge => {
    const created = createCardCharge(fixture.emulator, {
      amount: 10_000,
      currency: 'THB',
      metadata,
    });
    return Charge.parse(fixture.emulator.getCharge(String(created['id'])));
  };

  /** A charge the schema accepts but Postgres refuses: a date that does not exist. */
  const poisonCharge = (): Charge =>
    Charge.parse({ ...createCharge(), paid_at: '2026-02-30T10:00:00Z' });

  const observedCharge = (charge: Charge, observedAt = new Date()): ProjectionRequest => ({
    kind: 'observed',
    type: 'charge',
    observation: { charge, refunds: [] },
    origin: 'reconcile',
    observedAt,
  });

  /** Transactions of this database waiting for a lock. */
  const lockWaiters = async () => {
    const { rows } = await sql<{ waiting: number }>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(database.handle.db);
    return rows[0]?.waiting ?? 0;
  };

  const until = async (condition: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('when a worker batch and a reconcile repair lock overlapping charges in opposite orders, neither deadlocks', async () => {
    const a = createCharge();
    const b = createCharge();
    const keys = [`charge:${a.id}`, `charge:${b.id}`];
    await ensureResourceLocks(database.handle.db, keys);
    // A third writer holds the first charge's lock, so both batches queue up behind it and
    // then race for the same two locks the moment it commits.
    const holder = await database.handle.db.startTransaction().execute();
    const ab = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1));
    await lockResources(holder, [`charge:${ab[0]?.id ?? ''}`]);
    const forward = projectBatch(deps, [observedCharge(a), observedCharge(b)]);
    const backward = projectBatch(deps, [observedCharge(b), observedCharge(a)]);
    await until(async () => (await lockWaiters()) >= 2, 'both batches to wait for the lock');
    await holder.commit().execute();
    const results = await Promise.all([forward, backward]);
    for (const batch of results) {
      for (const result of batch) expect(result.outcome).toBe('projected');
    }
    expect(await findCharge(database.handle.db, a.id)).toBeDefined();
    expect(await findCharge(database.handle.db, b.id)).toBeDefined();
  });

  it('when an omise_bi member holds every lock it can take, a projection is not delayed', async () => {
    const role = `bi_probe_${randomBytes(4).toString('hex')}`;
    // Role changes race with migrations in other test files: under their lock.
    await withTestMigrationLock(() =>
      sql`CREATE ROLE ${sql.id(role)} LOGIN IN ROLE omise_bi`.execute(database.handle.db),
    );
    const url = new URL(database.url);
    url.username = role;
    const bi = createDatabase({ connectionString: url.toString(), maxConnections: 1 });
    // The projection gives up after 3 s waiting for any lock, so a stall fails the test.
    const patient = createDatabase({ connectionString: database.url, maxConnections: 4 });
    await sql`ALTER ROLE ${sql.id(role)} SET lock_timeout = '1s'`.execute(database.handle.db);
    const charge = createCharge();
    const key = `charge:${charge.id}`;
    await ensureResourceLocks(database.handle.db, [key]);
    const trx = await bi.db.startTransaction().execute();
    try {
      // Advisory locks need no privilege: take the ones the old design used, and more.
      await sql`SELECT pg_advisory_lock(hashtextextended(${key}, 0))`.execute(trx);
      await sql`SELECT pg_advisory_lock(3853314791062309107)`.execute(trx);
      await sql`SELECT pg_advisory_lock(hashtext('omise-sync:migrate'))`.execute(trx);
      await sql`LOCK TABLE omise.charges, omise.refunds, omise.events IN ACCESS SHARE MODE`.execute(
        trx,
      );
      // Row locks need UPDATE privilege, which the role does not have.
      await expect(
        sql`SAVEPOINT probe; SELECT 1 FROM omise.charges FOR SHARE`.execute(trx),
      ).rejects.toThrow(/permission denied/);
      await sql`ROLLBACK TO SAVEPOINT probe`.execute(trx);
      await expect(
        sql`SELECT resource_key FROM omise.resource_locks FOR UPDATE`.execute(trx),
      ).rejects.toThrow(/permission denied/);
    } catch (error) {
      await trx.rollback().execute();
      throw error;
    }
    try {
      await sql`SET lock_timeout = '3s'`.execute(patient.db);
      const [result] = await projectBatch({ ...deps, db: patient.db }, [observedCharge(charge)]);
      expect(result).toMatchObject({ outcome: 'projected', written: true });
      // The migration lock is a lease row the role cannot touch: migrating is not held up.
      await expect(migrateToLatest(database.url)).resolves.toMatchObject({ applied: [] });
      expect((await getCharge(database.handle.db, charge.id)).id).toBe(charge.id);
    } finally {
      await trx.rollback().execute();
      await bi.destroy();
      await patient.destroy();
      await sql`DROP ROLE ${sql.id(role)}`.execute(database.handle.db);
    }
  });

  it('when one item cannot be written, it fails alone and the rest of its batch commits', async () => {
    const clean = createCharge();
    const withNul = createCharge({ note: 'nul\u0000inside', 'key\u0000nul': 1 });
    let deep: Record<string, unknown> = { leaf: true };
    for (let level = 0; level < 10_000; level += 1) deep = { nested: deep };
    const deepCharge = Charge.parse({ ...createCharge(), metadata: deep });
    const poison = poisonCharge();
    const results = await projectBatch(deps, [
      observedCharge(clean),
      observedCharge(withNul),
      observedCharge(deepCharge),
      observedCharge(poison),
    ]);
    expect(results.map((result) => result.outcome)).toEqual([
      'projected',
      'projected',
      'projected',
      'failed',
    ]);
    const { db } = database.handle;
    expect(await findCharge(db, clean.id)).toBeDefined();
    expect((await getCharge(db, withNul.id)).metadata).toEqual({ note: 'nulinside', keynul: 1 });
    expect(JSON.stringify((await getCharge(db, deepCharge.id)).metadata)).toContain(
      'nested too deep',
    );
    expect(await findCharge(db, poison.id)).toBeUndefined();
  });

  it('when an event of a batch cannot be written, it is recorded failed and the innocent events commit', async () => {
    const innocent = createCharge();
    const poison = poisonCharge();
    const event = (id: string, chargeId: string): OmiseEventJob => ({
      account: 'default',
      eventId: id,
      key: 'charge.create',
      resourceType: 'charge',
      resourceId: chargeId,
      livemode: false,
      eventCreatedAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      origin: 'webhook',
      event: {
        object: 'event',
        id,
        key: 'charge.create',
        data: { object: 'charge', id: chargeId, card: { name: 'Cardholder\u0000Name' } },
      },
    });
    const suffix = randomBytes(4).toString('hex');
    const results = await projectBatch(deps, [
      {
        kind: 'event',
        job: event(`evnt_test_ok${suffix}`, innocent.id),
        resource: { type: 'charge', id: innocent.id },
      },
      observedCharge(poison),
    ]);
    expect(results.map((result) => result.outcome)).toEqual(['projected', 'failed']);
    const recorded = await findEvent(database.handle.db, `evnt_test_ok${suffix}`);
    expect(recorded).toMatchObject({ outcome: 'projected' });
    // The history keeps what identifies the object, never the card data the payload carried.
    expect(recorded?.raw).toEqual({
      object: 'event',
      id: `evnt_test_ok${suffix}`,
      key: 'charge.create',
      data: { object: 'charge', id: innocent.id },
    });
  });

  it('when metadata has a __proto__ key, it is stored as data, not dropped', async () => {
    const created = createCharge();
    const text = JSON.stringify({ ...created, metadata: { b: 2 } }).replace(
      '"metadata":{',
      '"metadata":{"__proto__":{"polluted":true},',
    );
    const charge = Charge.parse(JSON.parse(text));
    await projectBatch(deps, [observedCharge(charge)]);
    const stored = await getCharge(database.handle.db, created.id);
    expect(JSON.stringify(stored.metadata)).toBe('{"b":2,"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
