import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, jobCatalog, type OmiseEventJob } from '@omise-sync/core';
import { useTestRedis } from '@omise-sync/db/testing';
import { type Redis } from 'ioredis';
import { omiseId } from '../test/deliveries';
import { EventEnqueuer, QueueUnavailableError, type OmiseEventQueue } from './event-enqueuer';
import { closeEventQueue, createEventQueue, createProducerConnection } from './event-queue';

const redis = useTestRedis();
const logger = createLogger({ name: 'test', level: 'silent' });

function payload(overrides: Partial<OmiseEventJob> = {}): OmiseEventJob {
  const eventId = omiseId('evnt');
  return {
    eventId,
    key: 'charge.complete',
    resourceType: 'charge',
    resourceId: omiseId('chrg'),
    livemode: false,
    eventCreatedAt: '2026-11-23T10:00:00.000Z',
    receivedAt: '2026-11-23T10:00:01.000Z',
    origin: 'webhook',
    event: { object: 'event', id: eventId },
    ...overrides,
  };
}

describe('EventEnqueuer on a reachable Redis', () => {
  let connection: Redis;
  let queue: OmiseEventQueue;
  let enqueuer: EventEnqueuer;
  const batches: number[] = [];

  beforeAll(async () => {
    connection = createProducerConnection({ url: redis.url, commandTimeoutMs: 5_000, logger });
    queue = createEventQueue(connection, redis.prefix);
    await queue.waitUntilReady();
    enqueuer = new EventEnqueuer({
      queue,
      connection,
      maxBatchSize: 4,
      onBatch: (n) => batches.push(n),
    });
  });

  afterAll(async () => {
    await enqueuer.close();
    await closeEventQueue(queue, connection);
  });

  it('stores the job under the event id with the catalog options, and says it is new', async () => {
    const job = payload({
      key: 'refund.create',
      resourceType: 'refund',
      chargeId: omiseId('chrg'),
    });
    await expect(enqueuer.enqueue(job)).resolves.toEqual({ duplicate: false });
    const stored = await queue.getJob(job.eventId);
    expect(stored?.name).toBe(jobCatalog.omiseEvent.name);
    expect(stored?.data).toEqual(job);
    expect(stored?.opts).toMatchObject({
      attempts: jobCatalog.omiseEvent.options.attempts,
      backoff: jobCatalog.omiseEvent.options.backoff,
      removeOnComplete: jobCatalog.omiseEvent.options.removeOnComplete,
      removeOnFail: jobCatalog.omiseEvent.options.removeOnFail,
    });
    expect(await stored?.getState()).toBe('waiting');
  });

  it('given the JSON text the event was parsed from, stores that text as the event', async () => {
    const job = payload();
    const eventJson = `{ "object": "event",\n  "id": "${job.eventId}" }`;
    await expect(enqueuer.enqueue(job, eventJson)).resolves.toEqual({ duplicate: false });
    const stored = await connection.hget(queue.toKey(job.eventId), 'data');
    expect(stored).toContain(`"event":${eventJson}}`);
    expect((await queue.getJob(job.eventId))?.data).toEqual(job);
  });

  it('when the same event is enqueued again later, reports a duplicate and keeps the first job', async () => {
    const first = payload();
    await enqueuer.enqueue(first);
    const again = { ...first, receivedAt: '2026-11-23T11:00:00.000Z' };
    await expect(enqueuer.enqueue(again)).resolves.toEqual({ duplicate: true });
    expect((await queue.getJob(first.eventId))?.data.receivedAt).toBe(first.receivedAt);
    expect(await queue.getJobCountByTypes('wait')).toBeGreaterThanOrEqual(1);
  });

  it('when the same event arrives twice in one batch, exactly one add is new', async () => {
    const job = payload();
    const outcomes = await Promise.all([enqueuer.enqueue(job), enqueuer.enqueue(job)]);
    expect(outcomes).toEqual([{ duplicate: false }, { duplicate: true }]);
  });

  it('groups the adds of one event-loop turn into batches of at most maxBatchSize', async () => {
    batches.length = 0;
    const jobs = Array.from({ length: 10 }, () => payload());
    const outcomes = await Promise.all(jobs.map((job) => enqueuer.enqueue(job)));
    expect(outcomes.every((o) => !o.duplicate)).toBe(true);
    expect(batches).toEqual([4, 4, 2]);
    const stored = await Promise.all(jobs.map((job) => queue.getJob(job.eventId)));
    expect(stored.map((s) => s?.id)).toEqual(jobs.map((job) => job.eventId));
  });

  it('with flushAt, sends a batch as soon as that many wait, and gathers the rest while batches run', async () => {
    const sizes: number[] = [];
    const eager = new EventEnqueuer({
      queue,
      connection,
      maxBatchSize: 10,
      maxBatchesInFlight: 2,
      flushAt: 3,
      onBatch: (n) => sizes.push(n),
    });
    const jobs = Array.from({ length: 10 }, () => payload());
    const outcomes = await Promise.all(jobs.map((job) => eager.enqueue(job)));
    await eager.close();
    expect(outcomes.every((o) => !o.duplicate)).toBe(true);
    // Two batches left during the turn; the four that gathered meanwhile went as one.
    expect(sizes).toEqual([3, 3, 4]);
    const stored = await Promise.all(jobs.map((job) => queue.getJob(job.eventId)));
    expect(stored.map((s) => s?.id)).toEqual(jobs.map((job) => job.eventId));
  });

  it('when the same event is in two batches running at once, exactly one add is new', async () => {
    const eager = new EventEnqueuer({ queue, connection, maxBatchesInFlight: 2, flushAt: 2 });
    const job = payload();
    const outcomes = await Promise.all(
      [job, payload(), payload(), job].map((item) => eager.enqueue(item)),
    );
    await eager.close();
    expect(outcomes.map((o) => o.duplicate)).toEqual([false, false, false, true]);
  });

  it('after close, refuses new adds but has settled the ones it accepted', async () => {
    const local = new EventEnqueuer({ queue, connection });
    const accepted = local.enqueue(payload());
    await local.close();
    await expect(accepted).resolves.toEqual({ duplicate: false });
    await expect(local.enqueue(payload())).rejects.toBeInstanceOf(QueueUnavailableError);
  });
});

describe('EventEnqueuer when Redis is unreachable', () => {
  it('with nothing listening on the port, rejects at once with QueueUnavailableError', async () => {
    // Port 1 is privileged and unused: connections are refused immediately.
    const connection = createProducerConnection({
      url: 'redis://127.0.0.1:1',
      commandTimeoutMs: 500,
      logger,
    });
    const queue = createEventQueue(connection, redis.prefix);
    const enqueuer = new EventEnqueuer({ queue, connection });
    try {
      await expect(enqueuer.enqueue(payload())).rejects.toBeInstanceOf(QueueUnavailableError);
    } finally {
      await enqueuer.close();
      await closeEventQueue(queue, connection);
    }
  });

  it('when the connection drops, the next adds fail instead of waiting for a reconnect', async () => {
    const connection = createProducerConnection({ url: redis.url, commandTimeoutMs: 500, logger });
    const queue = createEventQueue(connection, redis.prefix);
    await queue.waitUntilReady();
    const enqueuer = new EventEnqueuer({ queue, connection });
    try {
      const before = payload();
      await expect(enqueuer.enqueue(before)).resolves.toEqual({ duplicate: false });
      // Kill the server side of this connection, as a Redis restart or failover would.
      const id = await connection.client('ID');
      await redis.client.client('KILL', 'ID', String(id));
      const lost = payload();
      await expect(enqueuer.enqueue(lost)).rejects.toBeInstanceOf(QueueUnavailableError);
      expect(
        await redis.client.exists(`${redis.prefix}:${jobCatalog.omiseEvent.queue}:${lost.eventId}`),
      ).toBe(0);
    } finally {
      await enqueuer.close();
      await closeEventQueue(queue, connection);
    }
  });
});
