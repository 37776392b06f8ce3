import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createLogger,
  jobCatalog,
  type OmiseEventJob,
  type RedisConfig,
  type RedisConnection,
} from '@omise-sync/core';
import { useTestRedis } from '@omise-sync/testing';
import { omiseId } from '../test/deliveries';
import { EventEnqueuer, QueueUnavailableError, type OmiseEventQueue } from './event-enqueuer';
import { closeEventQueues, createEventQueue, createProducerConnection } from './event-queue';

const redis = useTestRedis();
const logger = createLogger({ name: 'test', level: 'silent' });
const standalone = (url: string): RedisConfig => ({
  mode: 'standalone',
  url,
  bullmqPrefix: redis.prefix,
});

function payload(overrides: Partial<OmiseEventJob> = {}): OmiseEventJob {
  const eventId = omiseId('evnt');
  return {
    account: 'default',
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
  let connection: RedisConnection;
  let queue: OmiseEventQueue;
  let enqueuer: EventEnqueuer;

  beforeAll(async () => {
    connection = createProducerConnection({
      redis: standalone(redis.url),
      commandTimeoutMs: 5_000,
      logger,
    });
    queue = createEventQueue(connection, redis.prefix, 'default');
    await queue.waitUntilReady();
    enqueuer = new EventEnqueuer({ queue, connection });
  });

  afterAll(async () => {
    await closeEventQueues([queue], connection);
  });

  it('stores the job under the event id with the catalog options', async () => {
    const job = payload({
      key: 'refund.create',
      resourceType: 'refund',
      chargeId: omiseId('chrg'),
    });
    await enqueuer.enqueue(job);
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

  it('when the same event is enqueued again later, keeps the first job only', async () => {
    const first = payload();
    await enqueuer.enqueue(first);
    await enqueuer.enqueue({ ...first, receivedAt: '2026-11-23T11:00:00.000Z' });
    expect((await queue.getJob(first.eventId))?.data.receivedAt).toBe(first.receivedAt);
    const waiting = await queue.getJobs(['wait']);
    expect(waiting.filter((job) => job.id === first.eventId)).toHaveLength(1);
  });

  it('when the same event is enqueued several times at once, stores one job', async () => {
    const job = payload();
    await Promise.all(Array.from({ length: 5 }, () => enqueuer.enqueue(job)));
    const waiting = await queue.getJobs(['wait']);
    expect(waiting.filter((stored) => stored.id === job.eventId)).toHaveLength(1);
  });
});

describe('EventEnqueuer with REDIS_MIN_REPLICAS_TO_ACK', () => {
  it('when fewer replicas confirm the job than required, rejects though the master holds it', async () => {
    // The test server has no replicas, so WAIT answers 0 after its timeout.
    const connection = createProducerConnection({
      redis: standalone(redis.url),
      commandTimeoutMs: 2_000,
      logger,
    });
    const queue = createEventQueue(connection, redis.prefix, 'default');
    await queue.waitUntilReady();
    const enqueuer = new EventEnqueuer({
      queue,
      connection,
      replicaAck: { minReplicas: 1, timeoutMs: 50 },
    });
    try {
      const job = payload();
      await expect(enqueuer.enqueue(job)).rejects.toThrow(
        new QueueUnavailableError('0 of 1 replicas confirmed the job'),
      );
      // A redelivery is added under the same id, so keeping the job does not duplicate it.
      expect((await queue.getJob(job.eventId))?.data).toEqual(job);
    } finally {
      await closeEventQueues([queue], connection);
    }
  });
});

describe('EventEnqueuer when Redis is unreachable', () => {
  it('with nothing listening on the port, rejects at once with QueueUnavailableError', async () => {
    // Port 1 is privileged and unused: connections are refused immediately.
    const connection = createProducerConnection({
      redis: standalone('redis://127.0.0.1:1'),
      commandTimeoutMs: 500,
      logger,
    });
    const queue = createEventQueue(connection, redis.prefix, 'default');
    const enqueuer = new EventEnqueuer({ queue, connection });
    try {
      await expect(enqueuer.enqueue(payload())).rejects.toBeInstanceOf(QueueUnavailableError);
    } finally {
      await closeEventQueues([queue], connection);
    }
  });

  it('when the connection drops, the next adds fail instead of waiting for a reconnect', async () => {
    const connection = createProducerConnection({
      redis: standalone(redis.url),
      commandTimeoutMs: 500,
      logger,
    });
    const queue = createEventQueue(connection, redis.prefix, 'default');
    await queue.waitUntilReady();
    const enqueuer = new EventEnqueuer({ queue, connection });
    try {
      const before = payload();
      await enqueuer.enqueue(before);
      // Kill the server side of this connection, as a Redis restart or failover would.
      const id = await connection.client('ID');
      await redis.client.client('KILL', 'ID', String(id));
      const lost = payload();
      await expect(enqueuer.enqueue(lost)).rejects.toBeInstanceOf(QueueUnavailableError);
      expect(
        await redis.client.exists(`${redis.prefix}:${jobCatalog.omiseEvent.queue}:${lost.eventId}`),
      ).toBe(0);
    } finally {
      await closeEventQueues([queue], connection);
    }
  });
});
