import { jobCatalog, type OmiseEventJob } from '@omise-sync/core';
import {
  findDisputeDocuments,
  findDisputeFlag,
  findRefundsByCharge,
  getCharge,
  getDispute,
} from '@omise-sync/db';
import {
  comparableRow,
  createCardCharge,
  useTestDatabase,
  useTestRedis,
} from '@omise-sync/testing';
import { Charge, Dispute } from '@omise-sync/omise-client';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { Queue } from 'bullmq';
import { type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toChargeRow, toDisputeRow, toRefundRow } from '@omise-sync/projection';
import { toEventJob, waitFor } from '../test/event-jobs';
import { forkWorkerProcess } from '../test/fork-worker';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe('two worker processes under duplicated, shuffled deliveries', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let receiver: Server;
  let queue: Queue<OmiseEventJob>;
  const children: ChildProcess[] = [];
  let extraCopies = 0;

  beforeAll(async () => {
    queue = new Queue(jobCatalog.omiseEvent.queue, {
      connection: redis.connect(),
      prefix: redis.prefix,
    });
    // Stands in for the webhook receiver: each delivery becomes a job keyed by the event id.
    // Every other delivery is also enqueued a second time under another id, later, as a
    // redelivery after BullMQ forgot the first would be, so the worker itself sees duplicates.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        const job = toEventJob(event);
        const add = (jobId: string) =>
          queue.add(jobCatalog.omiseEvent.name, job, { ...jobCatalog.omiseEvent.options, jobId });
        add(job.eventId).then(
          () => {
            res.writeHead(200).end('ok');
            if (extraCopies % 2 === 0) {
              setTimeout(() => void add(`${job.eventId}-again`), 5 + (extraCopies % 7) * 7);
            }
            extraCopies += 1;
          },
          () => res.writeHead(503).end(),
        );
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    emulator = await startEmulator({
      seed: 'worker-convergence',
      webhooks: [
        { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, secrets: [] },
      ],
      faults: {
        webhookDuplicateShare: 0.3,
        webhookReorder: true,
        webhookReorderWindow: 4,
        webhookReorderMaxHoldMs: 30,
        latencyMs: 2,
        latencyJitterMs: 25,
      },
      delivery: { retryDelaysMs: [20, 50, 100] },
    });
  });

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await emulator.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await queue.close();
  });

  async function startWorkerProcess(): Promise<ChildProcess> {
    const child = await forkWorkerProcess({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: redis.prefix,
      OMISE_SECRET_KEY: emulator.secretKey,
      PII_SALT: 'test-pii-salt-0123456789',
      OMISE_API_URL: emulator.url,
      WORKER_CONCURRENCY: '6',
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    children.push(child);
    return child;
  }

  it('when the same charge and dispute keep changing, the final rows equal the emulator', async () => {
    await Promise.all([startWorkerProcess(), startWorkerProcess()]);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

    const chargeId = String(
      createCardCharge(emulator, { amount: 900_000, currency: 'THB', capture: false })['id'],
    );
    const disputedId = String(
      createCardCharge(emulator, { amount: 700_000, currency: 'THB' })['id'],
    );
    const disputeId = String(
      emulator.actions.createDispute(disputedId, { reason_code: 'goods_or_services_not_provided' })[
        'id'
      ],
    );
    for (let i = 0; i < 12; i += 1) {
      emulator.actions.updateCharge(chargeId, { metadata: { step: String(i) } });
      emulator.actions.updateDispute(disputeId, { metadata: { step: String(i) } });
      await pause();
    }
    const document = emulator.actions.uploadDocument(disputeId, {
      filename: 'proof.pdf',
      content: PDF,
    });
    emulator.actions.uploadDocument(disputeId, { filename: 'receipt.pdf', content: PDF });
    emulator.actions.captureCharge(chargeId);
    for (let i = 0; i < 6; i += 1) {
      emulator.actions.createRefund(chargeId, { amount: 10_000 + i });
      emulator.actions.updateCharge(chargeId, { description: `after refund ${i}` });
      await pause();
    }
    emulator.actions.deleteDocument(disputeId, String(document['id']));
    emulator.actions.updateDispute(disputeId, { message: 'Evidence attached' }); // → pending
    for (let i = 0; i < 5; i += 1) {
      emulator.actions.updateDispute(disputeId, { metadata: { round: String(i) } });
      await pause();
    }
    // The team can only be told about a dispute the workers saw before it closed: on a loaded
    // machine the forked workers may start late, so the test lets them see it open first.
    await waitFor(() => findDisputeFlag(database.handle.db, disputeId), {
      timeoutMs: 60_000,
      what: 'the workers to see the dispute while it is still open',
    });
    emulator.actions.closeDispute(disputeId, { status: 'won' });

    await emulator.deliveries.idle();
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts(
          'wait',
          'active',
          'delayed',
          'prioritized',
          'failed',
        );
        return counts['failed'] === 0
          ? Object.values(counts).every((n) => n === 0)
          : Promise.reject(new Error(`failed jobs: ${JSON.stringify(counts)}`));
      },
      { timeoutMs: 60_000, what: 'both workers to drain the queue' },
    );
    const stats = emulator.deliveries.stats();
    expect(stats.duplicated).toBeGreaterThan(0);
    expect(extraCopies).toBeGreaterThan(20);

    const { db } = database.handle;
    const charge = Charge.parse(emulator.getCharge(chargeId));
    const chargeRow = await getCharge(db, chargeId);
    expect(comparableRow(chargeRow)).toEqual(
      comparableRow({
        ...toChargeRow(charge, { origin: 'webhook', observedAt: chargeRow.observed_at }),
        account: 'default',
      }),
    );
    expect(chargeRow.refunded_amount).toBe(60_015);
    const refunds = await findRefundsByCharge(db, chargeId);
    expect(refunds.map(comparableRow)).toEqual(
      (charge.refunds?.data ?? [])
        .map((refund) =>
          comparableRow({
            ...toRefundRow(refund, charge, { origin: 'webhook', observedAt: new Date() }),
            account: 'default',
          }),
        )
        .sort(
          (a, b) =>
            String(a['created_at']).localeCompare(String(b['created_at'])) ||
            String(a['id']).localeCompare(String(b['id'])),
        ),
    );

    const dispute = Dispute.parse(emulator.getDispute(disputeId));
    const disputeRow = await getDispute(db, disputeId);
    expect(comparableRow(disputeRow)).toEqual(
      comparableRow({
        ...toDisputeRow(dispute, { origin: 'webhook', observedAt: disputeRow.observed_at }, 7),
        account: 'default',
      }),
    );
    expect(disputeRow.status).toBe('won');
    const documents = await findDisputeDocuments(db, disputeId);
    expect(documents.filter((d) => !d.deleted).map((d) => d.filename)).toEqual(['receipt.pdf']);
    // The deleted document may never have been observed (uploaded and deleted between two
    // fetches); if it was, it is kept and marked deleted.
    expect(documents.filter((d) => d.deleted).map((d) => d.id)).toEqual(
      documents.some((d) => d.id === document['id']) ? [document['id']] : [],
    );
    expect(documents.filter((d) => !d.deleted).map((d) => d.id)).toEqual(
      (dispute.documents?.data ?? []).map((d) => d.id),
    );

    expect(await findDisputeFlag(db, disputeId)).toMatchObject({
      resolution: 'won',
      origin: 'webhook',
    });
    const flags = await db.selectFrom('omise.dispute_flags').select('dispute_id').execute();
    expect(flags).toHaveLength(1);
    const events = await db.selectFrom('omise.events').select(['id', 'outcome']).execute();
    expect(events.length).toBe(emulator.listAll('events').length);
    expect(events.every((e) => e.outcome === 'projected')).toBe(true);
  }, 120_000);
});
