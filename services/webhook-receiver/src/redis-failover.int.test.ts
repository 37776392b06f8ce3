import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
const EVENTS = 400;
const SENDERS = 16;

let sentinels: SentinelSet;

beforeAll(async () => {
  sentinels = await startSentinelSet({ downAfterMs: 1_000 });
}, 60_000);

afterAll(async () => {
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
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return acked;
}

describe('Redis Sentinel failover during a burst of deliveries', () => {
  it('with REDIS_MIN_REPLICAS_TO_ACK=1, every acknowledged event is on the new master', async () => {
    const prefix = `failover-${randomId()}`;
    const env = {
      REDIS_SENTINELS: `${sentinels.sentinel.host}:${sentinels.sentinel.port}`,
      REDIS_SENTINEL_NAME: sentinels.name,
      BULLMQ_PREFIX: prefix,
      REDIS_MIN_REPLICAS_TO_ACK: '1',
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
        // A quarter of the way in, the master dies.
        if (count === EVENTS / 4) failover = sentinels.failover();
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
      const lost = acked.filter((_, index) => stored[index] !== true);
      expect(lost).toEqual([]);
    } finally {
      await queue.close();
      await connection.quit();
    }
  }, 60_000);
});
