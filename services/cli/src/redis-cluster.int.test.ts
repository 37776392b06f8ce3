import {
  CLUSTER_BULLMQ_PREFIX,
  RedisEnv,
  type RedisConnection,
  createRedisConnection,
  parseEnv,
} from '@omise-sync/core';
import { findCharge } from '@omise-sync/db';
import {
  type RedisClusterProcesses,
  createCardCharge,
  startRedisCluster,
  useTestDatabase,
} from '@omise-sync/testing';
import { Cluster } from 'ioredis';
import { PIPELINE_TIMEOUT_MS, type Pipeline, startPipeline } from '../test/pipeline-harness';

describe('the pipeline on a 3-master Redis Cluster', () => {
  const database = useTestDatabase();
  const connections: RedisConnection[] = [];
  let cluster: RedisClusterProcesses | undefined;
  let pipeline: Pipeline | undefined;
  let nodes = '';

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    nodes = cluster.nodes.map((node) => `${node.host}:${node.port}`).join(',');
    // The receiver and the worker get only the node list: the prefix defaults to a hash tag.
    const redis = parseEnv(RedisEnv, { REDIS_CLUSTER_NODES: nodes });
    pipeline = await startPipeline(
      database,
      {
        env: { REDIS_CLUSTER_NODES: nodes },
        prefix: redis.bullmqPrefix,
        connect: () => {
          const connection = createRedisConnection(redis, { connectionName: 'test' });
          connections.push(connection);
          return connection;
        },
      },
      { seed: 'cli-redis-cluster' },
    );
  }, PIPELINE_TIMEOUT_MS);

  afterAll(async () => {
    await pipeline?.close();
    await Promise.allSettled(connections.map((connection) => connection.quit()));
    await cluster?.stop();
  }, PIPELINE_TIMEOUT_MS);

  it('webhooks are enqueued and projected, every queue key in the one slot of the hash tag', async () => {
    const running = pipeline;
    if (running === undefined) throw new Error('the pipeline did not start');
    const chargeIds = Array.from({ length: 5 }, () =>
      String(createCardCharge(running.emulator, { amount: 120_000, currency: 'THB' })['id']),
    );
    await running.idle();
    for (const chargeId of chargeIds) {
      expect(await findCharge(database.handle.db, chargeId)).toMatchObject({
        id: chargeId,
        origin: 'webhook',
      });
    }
    expect(await running.events.getCompletedCount()).toBeGreaterThanOrEqual(chargeIds.length);

    const client = new Cluster(cluster?.nodes.map((node) => ({ ...node })) ?? []);
    try {
      const slot = await client.cluster('KEYSLOT', CLUSTER_BULLMQ_PREFIX);
      const masters = client.nodes('master');
      expect(masters).toHaveLength(3);
      // The one master owning the hash tag's slot holds every queue key; the others none.
      const held = await Promise.all(
        masters.map(async (node) => ({
          keys: await node.dbsize(),
          inSlot: await node.cluster('COUNTKEYSINSLOT', slot),
        })),
      );
      const holders = held.filter((node) => node.keys > 0);
      expect(holders).toHaveLength(1);
      expect(holders[0]?.inSlot).toBe(holders[0]?.keys);
    } finally {
      await client.quit();
    }
  });
});
