import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OmiseEventJob, eventQueueName } from '@omise-sync/core';
import {
  findLatestReconcileRun,
  findSyncCheckpoint,
  listEventPartitions,
  maintainEventPartitions,
} from '@omise-sync/db';
import { useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { Queue } from 'bullmq';
import { RECONCILE_EVENTS_CHECKPOINT } from '../sync/reconcile';
import { runCli } from '../run-cli';

describe('CLI commands with several accounts', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const queues: Queue<OmiseEventJob>[] = [];
  let output: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({
      seed: 'cli-accounts',
      secretKey: 'skey_test_th',
      accounts: [{ name: 'jp', secretKey: 'skey_test_jp' }],
    });
    dir = mkdtempSync(join(tmpdir(), 'omise-accounts-'));
    const file = join(dir, 'accounts.json');
    writeFileSync(
      file,
      JSON.stringify([
        { name: 'th', secretKey: 'skey_test_th', webhookSecrets: [] },
        { name: 'jp', secretKey: 'skey_test_jp', webhookSecrets: [] },
      ]),
    );
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: redis.prefix,
      OMISE_ACCOUNTS_FILE: file,
      OMISE_API_URL: emulator.url,
      RECONCILE_SETTLE_SECONDS: '0',
      PII_SALT: 'test-pii-salt-0123456789',
      LOG_LEVEL: 'silent',
    };
  });
  beforeEach(() => {
    output = [];
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      output.push(args.map(String).join(' '));
    });
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      output.push(args.map(String).join(' '));
    });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const queueOf = (account: string) => {
    const queue = new Queue<OmiseEventJob>(eventQueueName(account), {
      connection: redis.connect(),
      prefix: redis.prefix,
    });
    queues.push(queue);
    return queue;
  };

  const createCharge = (account: 'default' | 'jp'): string => {
    const { actions } = emulator.account(account);
    const token = actions.createToken({
      card: { name: 'T', number: '4242424242424242', expiration_month: 12, expiration_year: 2040 },
    });
    return String(
      actions.createCharge({ amount: 100_000, currency: 'THB', card: String(token['id']) })['id'],
    );
  };

  it('reconcile covers every account, each with its own queue, cursor and drift report', async () => {
    const th = createCharge('default');
    const jp = createCharge('jp');
    expect(await runCli(['reconcile'], env)).toBe(0);

    const thJobs = await queueOf('th').getJobs(['wait']);
    const jpJobs = await queueOf('jp').getJobs(['wait']);
    expect(thJobs.map((job) => [job.data.account, job.data.resourceId])).toEqual([['th', th]]);
    expect(jpJobs.map((job) => [job.data.account, job.data.resourceId])).toEqual([['jp', jp]]);

    const { db } = database.handle;
    for (const account of ['th', 'jp']) {
      expect(await findSyncCheckpoint(db, RECONCILE_EVENTS_CHECKPOINT, account)).toBeDefined();
      expect((await findLatestReconcileRun(db, account))?.events_enqueued).toBe(1);
    }
    const text = output.join('\n');
    expect(text).toContain('account th');
    expect(text).toContain('account jp');

    output = [];
    expect(await runCli(['reconcile', '--account', 'jp'], env)).toBe(0);
    expect(output.join('\n')).not.toContain('account th');
  });

  it('status reports every account, or the one named', async () => {
    expect(await runCli(['status', '--json'], env)).toBe(0);
    const status = JSON.parse(output.join('\n')) as {
      accounts: { account: string; queues: { queue: string }[] }[];
    };
    expect(status.accounts.map((a) => [a.account, a.queues[0]?.queue])).toEqual([
      ['th', 'omise-events.th'],
      ['jp', 'omise-events.jp'],
    ]);
    output = [];
    expect(await runCli(['status', '--account', 'jp'], env)).toBe(0);
    expect(output.join('\n')).toContain('status of account jp');
    expect(output.join('\n')).not.toContain('account th');
  });

  it('a command that needs one account is a usage error (exit 2) without --account, or with an unknown one', async () => {
    expect(await runCli(['backfill'], env)).toBe(2);
    expect(output.join('\n')).toContain(
      '--account NAME is required with several accounts (configured: th, jp)',
    );
    expect(await runCli(['replay', '--event', 'evnt_test_1'], env)).toBe(2);
    expect(await runCli(['disputes', 'list'], env)).toBe(2);
    output = [];
    expect(await runCli(['reconcile', '--account', 'sg'], env)).toBe(2);
    expect(output.join('\n')).toContain('--account sg: no such account (configured: th, jp)');
  });

  it('backfill of one account writes its rows with its account and its own checkpoint', async () => {
    const jp = createCharge('jp');
    expect(await runCli(['backfill', '--account', 'jp', '--resources', 'charges'], env)).toBe(0);
    const { db } = database.handle;
    const row = await db
      .selectFrom('omise.charges')
      .select(['account'])
      .where('id', '=', jp)
      .executeTakeFirst();
    expect(row?.account).toBe('jp');
    expect(await findSyncCheckpoint(db, 'backfill:charges', 'jp')).toBeDefined();
    expect(await findSyncCheckpoint(db, 'backfill:charges', 'th')).toBeUndefined();
  });
  it('reconcile keeps event history partitioned by month and drops months past EVENTS_RETENTION_DAYS', async () => {
    const { db } = database.handle;
    await maintainEventPartitions(db, { at: new Date('2020-02-10T00:00:00Z'), retentionDays: 0 });
    expect(await listEventPartitions(db)).toContain('events_2020_02');
    expect(await runCli(['reconcile'], { ...env, EVENTS_RETENTION_DAYS: '31' })).toBe(0);
    expect(output.join('\n')).toMatch(
      /event partitions: \d+ created, \d+ dropped \(.*events_2020_02/,
    );
    expect(await listEventPartitions(db)).not.toContain('events_2020_02');
  });
});
