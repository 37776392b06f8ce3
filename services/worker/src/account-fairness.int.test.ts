import { type OmiseEventJob, eventQueueName, jobCatalog } from '@omise-sync/core';
import { findCharge, findEvent } from '@omise-sync/db';
import { useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { type Emulator, type EmulatorAccount, startEmulator } from '@omise-sync/omise-emulator';
import { Queue } from 'bullmq';
import { toEventJob, waitFor } from '../test/event-jobs';
import { type Harness, omiseClientFor, startHarness } from '../test/worker-harness';

describe('several accounts in one worker', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let harness: Harness;
  const queues: Queue<OmiseEventJob>[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({
      seed: 'account-fairness',
      accounts: [{ name: 'jp', secretKey: 'skey_test_jp' }],
    });
    const account = (name: string) => ({
      name,
      omise: omiseClientFor({ ...emulator.account(name), url: emulator.url }),
    });
    harness = await startHarness(database, redis, emulator, {
      accounts: [account('default'), account('jp')],
      concurrency: 4,
    });
  });
  afterAll(async () => {
    await harness.close();
    await Promise.all(queues.map((queue) => queue.close()));
    await emulator.close();
  });

  const queueOf = (account: string): Queue<OmiseEventJob> => {
    const queue = new Queue<OmiseEventJob>(eventQueueName(account), {
      connection: redis.connect(),
      prefix: redis.prefix,
    });
    queues.push(queue);
    return queue;
  };

  /** A charge made in `account`, and the job the receiver would enqueue for its event. */
  const chargeEvent = (account: EmulatorAccount): { chargeId: string; job: OmiseEventJob } => {
    const token = account.actions.createToken({
      card: { name: 'T', number: '4242424242424242', expiration_month: 12, expiration_year: 2040 },
    });
    const charge = account.actions.createCharge({
      amount: 100_000,
      currency: 'THB',
      card: String(token['id']),
    });
    const chargeId = String(charge['id']);
    const event = account
      .listAll('events')
      .find((e) => (e['data'] as { id: string }).id === chargeId);
    if (event === undefined) throw new Error(`no event for ${chargeId}`);
    return { chargeId, job: toEventJob(event, { account: account.name }) };
  };

  it("while one account's Omise answers slowly with 500s and its backlog is large, another account's events still project promptly", async () => {
    const slow = emulator.account('default');
    const healthy = emulator.account('jp');
    slow.setFaults({ serverErrorShare: 1, latencyMs: 1_500 });

    const backlog = Array.from({ length: 300 }, () => chargeEvent(slow));
    await queueOf('default').addBulk(
      backlog.map(({ job }) => ({
        name: jobCatalog.omiseEvent.name,
        data: job,
        opts: { ...jobCatalog.omiseEvent.options, jobId: job.eventId },
      })),
    );
    // Let the slow account's consumer take every slot it has.
    await waitFor(async () => (await queueOf('default').getActiveCount()) >= 4, {
      what: "the slow account's jobs to be active",
    });

    const started = Date.now();
    const fresh = Array.from({ length: 20 }, () => chargeEvent(healthy));
    const jpQueue = queueOf('jp');
    for (const { job } of fresh) {
      await jpQueue.add(jobCatalog.omiseEvent.name, job, {
        ...jobCatalog.omiseEvent.options,
        jobId: job.eventId,
      });
    }
    const { db } = database.handle;
    await waitFor(
      async () => {
        const rows = await Promise.all(fresh.map(({ chargeId }) => findCharge(db, chargeId)));
        return rows.every((row) => row?.account === 'jp');
      },
      { what: "the healthy account's charges", timeoutMs: 10_000 },
    );
    // Twenty events at the slow account's pace (1.5 s per answer, 4 at a time) would take 7 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    const [first] = fresh;
    expect(await findEvent(db, first?.job.eventId ?? '')).toMatchObject({
      account: 'jp',
      outcome: 'projected',
    });

    // The slow account projected nothing, and most of its backlog is still waiting or retrying.
    expect(await findCharge(db, backlog[0]?.chargeId ?? '')).toBeUndefined();
    const waiting = await queueOf('default').getJobCounts('wait', 'delayed', 'active');
    expect(Object.values(waiting).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(250);

    const text = await harness.metrics.registry.metrics();
    expect(text).toMatch(/omise_sync_worker_jobs_total\{account="jp",outcome="projected"\} 20/);
    expect(text).toMatch(
      /omise_sync_queue_waiting_jobs\{queue="omise-events",account="default"\} \d+/,
    );
    expect(text).toMatch(
      /omise_sync_queue_waiting_jobs\{queue="omise-events\.jp",account="jp"\} \d+/,
    );
  });
});
