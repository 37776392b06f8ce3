import { expect } from '@jest/globals';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import type { TestDatabase, TestRedis } from '../src';

/**
 * Shared body of isolation-a/b.int.test.ts. The two files write the same row id and the same
 * job id, each into its own database and Redis prefix, while both are alive at once (a
 * rendezvous in Redis outside either prefix proves they overlapped), then check that each
 * sees only its own.
 */
const RENDEZVOUS_TIMEOUT_MS = 120_000;

async function rendezvous(client: Redis, key: string, me: string, expected: number): Promise<void> {
  await client.sadd(key, me);
  await client.expire(key, 600);
  const deadline = Date.now() + RENDEZVOUS_TIMEOUT_MS;
  while ((await client.scard(key)) < expected) {
    if (Date.now() > deadline) {
      throw new Error(
        `isolation test: the other file never arrived at ${key}; run jest with at least 2 workers`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function proveIsolation(
  me: 'a' | 'b',
  database: TestDatabase,
  redis: TestRedis,
): Promise<void> {
  const runKey = `isolation:${process.env.OMISE_SYNC_TEST_RUN ?? 'unknown'}`;
  const { db } = database.handle;
  await sql`CREATE TABLE omise.isolation_probe (id text PRIMARY KEY, owner text NOT NULL)`.execute(
    db,
  );
  await sql`INSERT INTO omise.isolation_probe (id, owner) VALUES ('shared-id', ${me})`.execute(db);
  const queue = new Queue('isolation', { connection: redis.connect(), prefix: redis.prefix });
  try {
    await queue.add('probe', { owner: me }, { jobId: 'shared-job-id' });

    // Both files have written; now each looks at what it can see.
    await rendezvous(redis.client, `${runKey}:written`, me, 2);
    const { rows } = await sql<{ owner: string }>`SELECT owner FROM omise.isolation_probe`.execute(
      db,
    );
    expect(rows).toEqual([{ owner: me }]);
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((j) => (j.data as { owner: string }).owner)).toEqual([me]);

    // Neither cleans up before the other has looked.
    await rendezvous(redis.client, `${runKey}:checked`, me, 2);
  } finally {
    await queue.close();
  }
}
