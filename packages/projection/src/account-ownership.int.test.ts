import { type OmiseEventJob, systemClock } from '@omise-sync/core';
import { findEvent, getCharge } from '@omise-sync/db';
import { createCardCharge, useTestDatabase } from '@omise-sync/testing';
import { Charge, createOmiseClient } from '@omise-sync/omise-client';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import {
  AccountConflictError,
  type ProjectionDeps,
  type ProjectionRequest,
  projectBatch,
} from './project-batch';
import { resourceModules } from './resources';
import { DEFAULT_DISPUTE_SEVERITY_RULES } from './resources/dispute-severity';

describe('projectBatch with several accounts', () => {
  const database = useTestDatabase();
  let emulator: Emulator;
  const depsOf = (account: 'default' | 'jp'): ProjectionDeps => ({
    account,
    omise: createOmiseClient({
      secretKey: emulator.account(account).secretKey,
      baseUrl: emulator.url,
    }),
    clock: systemClock,
    severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
    responseDays: 7,
    db: database.handle.db,
  });

  beforeAll(async () => {
    emulator = await startEmulator({
      seed: 'account-ownership',
      accounts: [{ name: 'jp', secretKey: 'skey_test_jp' }],
    });
  });
  afterAll(() => emulator.close());

  const createCharge = (account: 'default' | 'jp'): Charge => {
    const created = createCardCharge(emulator.account(account), {
      amount: 10_000,
      currency: 'THB',
    });
    return Charge.parse(emulator.account(account).getCharge(String(created['id'])));
  };

  const eventFor = (account: string, chargeId: string): OmiseEventJob => {
    const eventId = `evnt_test_${account}_${chargeId.slice(-8)}`;
    return {
      account,
      eventId,
      key: 'charge.create',
      resourceType: 'charge',
      resourceId: chargeId,
      livemode: false,
      eventCreatedAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      origin: 'webhook',
      event: {
        object: 'event',
        id: eventId,
        key: 'charge.create',
        data: { object: 'charge', id: chargeId },
      },
    };
  };

  const eventRequest = (job: OmiseEventJob): ProjectionRequest => ({
    kind: 'event',
    job,
    resource: { type: 'charge', id: job.resourceId },
  });

  it("each account's resources are fetched with its key and stored with its account", async () => {
    const jpCharge = createCharge('jp');
    const [result] = await projectBatch(depsOf('jp'), [eventRequest(eventFor('jp', jpCharge.id))]);
    expect(result).toMatchObject({ outcome: 'projected', written: true });
    const { db } = database.handle;
    expect((await getCharge(db, jpCharge.id)).account).toBe('jp');
    expect((await findEvent(db, `evnt_test_jp_${jpCharge.id.slice(-8)}`))?.account).toBe('jp');
  });

  it('a resource arriving for an id another account owns fails with a clear error and is not overwritten', async () => {
    const charge = createCharge('default');
    const { db } = database.handle;
    await projectBatch(depsOf('default'), [eventRequest(eventFor('default', charge.id))]);
    const before = await getCharge(db, charge.id);

    // The same id reaching the worker of account jp, as an event and as an observation.
    const job = eventFor('jp', charge.id);
    const results = await projectBatch(depsOf('jp'), [
      eventRequest(job),
      {
        kind: 'observed',
        type: 'charge',
        observation: { charge, refunds: [] },
        origin: 'reconcile',
        observedAt: new Date(),
      },
    ]);
    for (const result of results) {
      expect(result.outcome).toBe('failed');
      const error = result.outcome === 'failed' ? result.error : undefined;
      expect(error).toBeInstanceOf(AccountConflictError);
      expect(String((error as Error).message)).toContain(
        `charge ${charge.id} belongs to Omise account "default", not "jp"`,
      );
    }
    const after = await getCharge(db, charge.id);
    expect(after.account).toBe('default');
    expect(after.observed_at).toEqual(before.observed_at);
    const recorded = await findEvent(db, job.eventId);
    expect(recorded).toMatchObject({ account: 'jp', outcome: 'failed' });
    expect(recorded?.error).toContain('belongs to Omise account "default"');
  });

  it('the upsert itself never moves a row to another account (the guard in SQL)', async () => {
    const charge = createCharge('default');
    const { db } = database.handle;
    await projectBatch(depsOf('default'), [eventRequest(eventFor('default', charge.id))]);
    // The resource module's write, without projectBatch's check in front of it.
    const [outcome] = await resourceModules.charge.write(
      db,
      [{ observation: { charge, refunds: [] }, origin: 'reconcile', observedAt: new Date() }],
      depsOf('jp'),
    );
    expect(outcome?.written).toBe(false);
    expect((await getCharge(db, charge.id)).account).toBe('default');
  });
});
