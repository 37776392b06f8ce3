import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jobCatalog } from '@omise-sync/core';
import { useTestRedis } from '@omise-sync/db/testing';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { BulkJobAdder } from './bullmq-bulk-add';

const redis = useTestRedis();
const { name, options } = jobCatalog.omiseEvent;

interface Payload {
  n: number;
  text: string;
  nested: { list: number[]; flag: boolean | null };
}

const payload = (n: number): Payload => ({
  n,
  text: `café ☕ "quoted" \\ ${n}`,
  nested: { list: [1, 2, n], flag: null },
});

describe('BulkJobAdder', () => {
  let connection: Redis;
  let queue: Queue<Payload>;
  let adder: BulkJobAdder<Payload>;

  beforeAll(async () => {
    connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue<Payload>('bulk-add', { connection, prefix: redis.prefix });
    await queue.waitUntilReady();
    adder = new BulkJobAdder(queue, name, options);
  });

  afterAll(async () => {
    await queue.close();
    await connection.quit();
  });

  it('stores exactly what queue.add stores, apart from the job id and the time', async () => {
    await queue.add(name, payload(1), { ...options, jobId: 'evnt_via_add' });
    const results = await adder.add(connection, [
      { jobId: 'evnt_via_bulk', json: JSON.stringify(payload(1)) },
    ]);
    expect(results).toEqual([{ ok: true, existed: false }]);

    const viaAdd = await connection.hgetall(queue.toKey('evnt_via_add'));
    const viaBulk = await connection.hgetall(queue.toKey('evnt_via_bulk'));
    const comparable = (hash: Record<string, string>) => {
      const { timestamp, opts, ...rest } = hash;
      expect(Number(timestamp)).toBeGreaterThan(Date.now() - 60_000);
      const { jobId, ...otherOptions } = JSON.parse(opts ?? '{}') as Record<string, unknown>;
      expect(typeof jobId).toBe('string');
      return { ...rest, opts: otherOptions };
    };
    expect(Object.keys(viaBulk).sort()).toEqual(Object.keys(viaAdd).sort());
    expect(comparable(viaBulk)).toEqual(comparable(viaAdd));

    const viaBulkJob = await queue.getJob('evnt_via_bulk');
    expect(viaBulkJob?.name).toBe(name);
    expect(viaBulkJob?.data).toEqual(payload(1));
    expect(viaBulkJob?.opts).toMatchObject({ ...options, jobId: 'evnt_via_bulk' });
    expect(await viaBulkJob?.getState()).toBe('waiting');
    // Same bookkeeping as queue.add: both in the wait list, both announced on the event stream.
    expect(await connection.lrange(queue.toKey('wait'), 0, -1)).toEqual(
      expect.arrayContaining(['evnt_via_add', 'evnt_via_bulk']),
    );
    const events = await connection.xrange(queue.toKey('events'), '-', '+');
    const waiting = events
      .map(([, fields]) => fields)
      .filter((fields) => fields[1] === 'waiting')
      .map((fields) => fields[3]);
    expect(waiting).toEqual(expect.arrayContaining(['evnt_via_add', 'evnt_via_bulk']));
  });

  it('reports, per job and in order, whether the id already existed, within a batch too', async () => {
    await adder.add(connection, [{ jobId: 'evnt_dup_a', json: JSON.stringify(payload(2)) }]);
    const results = await adder.add(connection, [
      { jobId: 'evnt_dup_b', json: JSON.stringify(payload(3)) },
      { jobId: 'evnt_dup_a', json: JSON.stringify(payload(99)) },
      { jobId: 'evnt_dup_b', json: JSON.stringify(payload(99)) },
      { jobId: 'evnt_dup_c', json: JSON.stringify(payload(4)) },
    ]);
    expect(results.map((r) => r.ok && r.existed)).toEqual([false, true, true, false]);
    // The first job under an id is kept; a redelivery changes nothing.
    expect((await queue.getJob('evnt_dup_a'))?.data.n).toBe(2);
    expect((await queue.getJob('evnt_dup_b'))?.data.n).toBe(3);
    const waitList = await connection.lrange(queue.toKey('wait'), 0, -1);
    expect(waitList.filter((id) => id === 'evnt_dup_b')).toHaveLength(1);
  });

  it('adds jobs that a BullMQ worker processes with their data and retry options', async () => {
    const jobs = Array.from({ length: 25 }, (_, i) => ({
      jobId: `evnt_work_${i}`,
      json: JSON.stringify(payload(i)),
    }));
    const workQueue = new Queue<Payload>('bulk-work', { connection, prefix: redis.prefix });
    const workAdder = new BulkJobAdder(workQueue, name, options);
    const seen: { id: string | undefined; n: number; attempts: number | undefined }[] = [];
    let failedOnce = false;
    const worker = new Worker<Payload>(
      'bulk-work',
      (job: Job<Payload>) => {
        // One failure, to show the catalog's retry options came along with the job.
        if (job.id === 'evnt_work_3' && !failedOnce) {
          failedOnce = true;
          return Promise.reject(new Error('first attempt fails'));
        }
        seen.push({ id: job.id, n: job.data.n, attempts: job.opts.attempts });
        return Promise.resolve();
      },
      {
        connection: { url: redis.url },
        prefix: redis.prefix,
      },
    );
    try {
      await workAdder.add(connection, jobs);
      const deadline = Date.now() + 20_000;
      while (seen.length < jobs.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen.map((s) => s.id).sort()).toEqual(jobs.map((j) => j.jobId).sort());
      expect(seen.every((s) => s.id === `evnt_work_${s.n}`)).toBe(true);
      expect(seen.every((s) => s.attempts === options.attempts)).toBe(true);
      // The failed attempt and the one that succeeded after the catalog's backoff.
      expect((await workQueue.getJob('evnt_work_3'))?.attemptsMade).toBe(2);
    } finally {
      await worker.close();
      await workQueue.close();
    }
  });

  it('loads its script again when Redis has lost it (restart, SCRIPT FLUSH)', async () => {
    await connection.script('FLUSH');
    const results = await adder.add(connection, [
      { jobId: 'evnt_after_flush', json: JSON.stringify(payload(5)) },
    ]);
    expect(results).toEqual([{ ok: true, existed: false }]);
    expect((await queue.getJob('evnt_after_flush'))?.data).toEqual(payload(5));
  });

  it('refuses options it does not implement', () => {
    expect(() => new BulkJobAdder(queue, name, { ...options, delay: 1_000 })).toThrow(/delay/);
    expect(() => new BulkJobAdder(queue, name, { ...options, priority: 1 })).toThrow(/priority/);
  });
});
