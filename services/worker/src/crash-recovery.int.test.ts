import { jobCatalog, type OmiseEventJob } from '@omise-sync/core';
import { findCharge, findEvent } from '@omise-sync/db';
import { createCardCharge, useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { Queue } from 'bullmq';
import { type ChildProcess } from 'node:child_process';
import { forkWorkerProcess } from '../test/fork-worker';
import { toEventJob, waitFor } from '../test/event-jobs';

describe('a worker killed while it holds a job', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let queue: Queue<OmiseEventJob>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'crash-recovery' });
    queue = new Queue(jobCatalog.omiseEvent.queue, {
      connection: redis.connect(),
      prefix: redis.prefix,
    });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await queue.close();
    await emulator.close();
  });

  /** The worker as it ships (default lock and stalled-check settings), in its own process. */
  async function startWorkerProcess(): Promise<ChildProcess> {
    const child = await forkWorkerProcess({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: redis.prefix,
      OMISE_SECRET_KEY: emulator.secretKey,
      PII_SALT: 'test-pii-salt-0123456789',
      OMISE_API_URL: emulator.url,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    children.push(child);
    return child;
  }

  it('when the worker is SIGKILLed mid-job, another worker takes the job and projects it once', async () => {
    const chargeId = String(createCardCharge(emulator, { amount: 10_000, currency: 'THB' })['id']);
    const event = emulator
      .listAll('events')
      .find((e) => (e['data'] as Record<string, unknown>)['id'] === chargeId);
    if (event === undefined) throw new Error('no charge event');
    const job = toEventJob(event);

    // Omise answers slowly, so the first worker is still fetching when it is killed.
    emulator.setFaults({ latencyMs: 60_000 });
    const first = await startWorkerProcess();
    await queue.add(jobCatalog.omiseEvent.name, job, {
      ...jobCatalog.omiseEvent.options,
      jobId: job.eventId,
    });
    await waitFor(
      async () => ((await queue.getJobCounts('active')).active === 1 ? true : undefined),
      {
        what: 'the first worker to take the job',
      },
    );
    first.kill('SIGKILL');
    emulator.setFaults({ latencyMs: 0 });

    const killedAt = Date.now();
    await startWorkerProcess();
    await waitFor(
      async () => ((await queue.getJobState(job.eventId)) === 'completed' ? true : undefined),
      {
        timeoutMs: 60_000,
        what: 'another worker to complete the job',
      },
    );
    // For the figure quoted in the worker README (lock 10 s + stalled check 5 s by default).
    process.stdout.write(`job retaken and completed ${Date.now() - killedAt} ms after the kill\n`);
    expect(await findCharge(database.handle.db, chargeId)).toBeDefined();
    expect(await findEvent(database.handle.db, job.eventId)).toMatchObject({
      outcome: 'projected',
    });
  });
});
