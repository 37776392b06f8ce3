import { createCardCharge, useTestDatabase } from '@omise-sync/testing';
import { createOmiseClient, type OmiseClient } from '@omise-sync/omise-client';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { systemClock } from '@omise-sync/core';
import { DEFAULT_DISPUTE_SEVERITY_RULES, eventResource } from '@omise-sync/projection';
import { ProjectionBatcher } from './projection.batcher';
import { toEventJob, waitFor } from '../test/event-jobs';

describe('ProjectionBatcher', () => {
  const database = useTestDatabase();
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'charge-batcher' });
  });
  afterAll(async () => {
    await emulator.close();
  });

  const createCharge = () =>
    String(createCardCharge(emulator, { amount: 10_000, currency: 'THB' })['id']);
  const latestEvent = (chargeId: string) => {
    const events = emulator.listAll('events');
    const event = events
      .filter((e) => (e['data'] as Record<string, unknown>)['id'] === chargeId)
      .pop();
    if (event === undefined) throw new Error(`no event for ${chargeId}`);
    return event;
  };

  it('when a charge is in a batch still running, its next event waits for that batch instead of joining one that would wait for its lock', async () => {
    const slow = createCharge();
    const other = createCharge();
    // The real client, except that fetching `slow` waits for the test to open the gate.
    const client = createOmiseClient({ secretKey: emulator.secretKey, baseUrl: emulator.url });
    let openGate = () => undefined as void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let slowFetches = 0;
    const omise: OmiseClient = {
      ...client,
      charges: {
        ...client.charges,
        retrieve: async (...args: Parameters<OmiseClient['charges']['retrieve']>) => {
          if (args[0] === slow) {
            slowFetches += 1;
            await gate;
          }
          return client.charges.retrieve(...args);
        },
      },
    };
    const batches: number[] = [];
    const batcher = new ProjectionBatcher({
      db: database.handle.db,
      account: 'default',
      omise,
      clock: systemClock,
      severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
      responseDays: 7,
      maxBatchesInFlight: 2,
      onBatch: (size) => batches.push(size),
    });

    const project = (job: ReturnType<typeof toEventJob>) =>
      batcher.project(job, eventResource(job));
    const first = project(toEventJob(latestEvent(slow)));
    await waitFor(() => slowFetches === 1, { what: 'the first fetch of the slow charge' });
    // Received before the running batch fetched the charge: it needs no fetch of its own.
    const again = project(
      toEventJob(latestEvent(slow), { receivedAt: new Date(Date.now() - 60_000) }),
    );
    const unrelated = project(toEventJob(latestEvent(other)));

    // The unrelated charge commits while the slow charge's batch is still waiting for Omise.
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timed out'), 5_000));
    expect(await Promise.race([unrelated, timeout])).toMatchObject({ outcome: 'projected' });
    expect(batches).toEqual([1, 1]);

    openGate();
    expect(await first).toMatchObject({ outcome: 'projected' });
    expect(await again).toEqual({ outcome: 'coalesced' });
    expect(batches).toEqual([1, 1, 1]);
    expect(slowFetches).toBe(1);
  });
});
