import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type RedisConfig,
  createLogger,
  createRedisConnection,
  eventQueueName,
} from '@omise-sync/core';
import { type SentinelSet, randomId, startSentinelSet } from '@omise-sync/testing';
import { Queue } from 'bullmq';
import { chargeData, eventEnvelope, newSecret, signatureHeaders } from '../test/deliveries';
import { post } from '../test/receiver-client';
import { loadConfig } from './config';
import { startReceiver } from './main';

const secret = newSecret();
const logger = createLogger({ name: 'webhook-receiver', level: 'silent' });
const EVENTS = 600;
/** Pause of each sender between deliveries, so the burst outlasts the failover's start. */
const PACE_MS = 25;
const SENDERS = 16;

let sentinels: SentinelSet;

// A set of its own per test: each test's failover starts from a master with a synced replica.
beforeEach(async () => {
  sentinels = await startSentinelSet({ downAfterMs: 1_000 });
}, 60_000);

afterEach(async () => {
  await sentinels.stop();
});

/**
 * Delivers every event like Omise does: a delivery answered anything but 2xx (or not answered)
 * is sent again a little later. Resolves with the ids in the order they were acknowledged.
 */
async function deliverAll(url: string, ids: readonly string[], onAcked: (count: number) => void) {
  const acked: string[] = [];
  let next = 0;
  const sender = async () => {
    while (next < ids.length) {
      const id = ids[next];
      next += 1;
      if (id === undefined) return;
      const body = JSON.stringify(eventEnvelope('charge.complete', chargeData(), { id }));
      for (;;) {
        const headers = signatureHeaders(body, [secret], Math.floor(Date.now() / 1000));
        const status = await post(url, body, headers).then(
          (answer) => answer.status,
          () => 0,
        );
        if (status >= 200 && status < 300) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      acked.push(id);
      onAcked(acked.length);
      await new Promise((resolve) => setTimeout(resolve, PACE_MS));
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return acked;
}

/**
 * Runs a burst of deliveries through a receiver on the sentinel set; a sixth of the way in,
 * the replica stops applying writes for `replicaLagMs` and then the master dies. Returns the
 * acknowledged events the new master does not have.
 */
async function lostInFailover(minReplicasToAck: number, replicaLagMs: number): Promise<string[]> {
  const prefix = `failover-${randomId()}`;
  const env = {
    REDIS_SENTINELS: `${sentinels.sentinel.host}:${sentinels.sentinel.port}`,
    REDIS_SENTINEL_NAME: sentinels.name,
    BULLMQ_PREFIX: prefix,
    REDIS_MIN_REPLICAS_TO_ACK: String(minReplicasToAck),
    REDIS_REPLICA_ACK_TIMEOUT_MS: '300',
    REDIS_COMMAND_TIMEOUT_MS: '1000',
    OMISE_WEBHOOK_SECRETS: secret,
    PORT: '0',
    METRICS_PORT: '0',
  };
  const config = loadConfig(env);
  const receiver = await startReceiver(config, {
    logger,
    processMetrics: false,
    host: '127.0.0.1',
  });
  let failover: Promise<{ oldMasterPort: number; newMasterPort: number }> | undefined;
  let acked: string[];
  try {
    const run = Date.now().toString(36);
    const ids = Array.from({ length: EVENTS }, (_, i) => `evnt_test_${run}_${i}`);
    acked = await deliverAll(`${receiver.url}/webhooks/omise`, ids, (count) => {
      // A sixth of the way in, the replication link stalls, then the master dies.
      if (count === 100) failover = sentinels.failover({ replicaLagMs });
    });
  } finally {
    await receiver.close();
  }
  const { oldMasterPort, newMasterPort } = await (failover ??
    Promise.reject(new Error('the burst ended before the failover began')));
  expect(newMasterPort).not.toBe(oldMasterPort);
  expect(acked).toHaveLength(EVENTS);

  const redis: RedisConfig = config.redis;
  const connection = createRedisConnection(redis, { connectionName: 'test' });
  const queue = new Queue(eventQueueName('default'), { connection, prefix });
  try {
    const stored = await Promise.all(
      acked.map(async (id) => (await queue.getJob(id)) !== undefined),
    );
    return acked.filter((_, index) => stored[index] !== true);
  } finally {
    await queue.close();
    await connection.quit();
  }
}

describe('Redis Sentinel failover during a burst of deliveries', () => {
  it('with REDIS_MIN_REPLICAS_TO_ACK=1, every acknowledged event is on the new master', async () => {
    expect(await lostInFailover(1, 300)).toEqual([]);
  }, 60_000);

  it('without it, events acknowledged while the replica lagged are lost', async () => {
    expect((await lostInFailover(0, 300)).length).toBeGreaterThan(0);
  }, 60_000);
});
