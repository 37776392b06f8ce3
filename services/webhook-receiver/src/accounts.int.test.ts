import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, eventQueueName, jobCatalog, type OmiseEventJob } from '@omise-sync/core';
import { useTestRedis } from '@omise-sync/testing';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { Queue } from 'bullmq';
import { chargeData, eventEnvelope, newSecret, signatureHeaders } from '../test/deliveries';
import { get, post, type Answer } from '../test/receiver-client';
import { loadConfig } from './config';
import { startReceiver, type RunningReceiver } from './main';

const redis = useTestRedis();
const secrets = { default: newSecret(), th: newSecret(), jp: newSecret() };
const logger = createLogger({ name: 'test', level: 'silent' });

let receiver: RunningReceiver;
let emulator: Emulator;
const queues = new Map<string, Queue<OmiseEventJob>>();

function deliver(path: string, event: unknown, secret: string): Promise<Answer> {
  const body = JSON.stringify(event);
  const headers = signatureHeaders(body, [secret], Math.floor(Date.now() / 1000));
  return post(`${receiver.url}${path}`, body, headers);
}

beforeAll(async () => {
  const file = JSON.stringify([
    { name: 'default', secretKey: 'skey_test_default', webhookSecrets: [secrets.default] },
    { name: 'th', secretKey: 'skey_test_th', webhookSecrets: [secrets.th] },
    { name: 'jp', secretKey: 'skey_test_jp', webhookSecrets: [secrets.jp] },
  ]);
  const config = loadConfig(
    {
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: redis.prefix,
      OMISE_ACCOUNTS_FILE: '/run/secrets/omise-accounts.json',
      PORT: '0',
      METRICS_PORT: '0',
    },
    { readFile: () => file },
  );
  receiver = await startReceiver(config, { logger, processMetrics: false, host: '127.0.0.1' });
  for (const name of ['default', 'th', 'jp']) {
    queues.set(
      name,
      new Queue(eventQueueName(name), { connection: redis.connect(), prefix: redis.prefix }),
    );
  }
  emulator = await startEmulator({
    seed: 'receiver-accounts',
    secretKey: 'skey_test_th',
    webhooks: [{ url: `${receiver.url}/webhooks/omise/th`, secrets: [secrets.th] }],
    accounts: [
      {
        name: 'jp',
        secretKey: 'skey_test_jp',
        webhooks: [{ url: `${receiver.url}/webhooks/omise/jp`, secrets: [secrets.jp] }],
      },
    ],
  });
});

afterAll(async () => {
  await emulator.close();
  await receiver.close();
  await Promise.all([...queues.values()].map((q) => q.close()));
});

const queue = (name: string): Queue<OmiseEventJob> => {
  const found = queues.get(name);
  if (found === undefined) throw new Error(name);
  return found;
};

describe('several accounts', () => {
  it("each account's deliveries from Omise land in its own queue, carrying the account", async () => {
    const th = emulator.actions.createCharge({
      amount: 100_000,
      currency: 'thb',
      card: String(emulator.actions.createToken({ card: testCard() }).id),
    });
    const jp = emulator.account('jp').actions.createCharge({
      amount: 5_000,
      currency: 'jpy',
      card: String(emulator.account('jp').actions.createToken({ card: testCard() }).id),
    });
    await emulator.deliveries.idle();
    await emulator.account('jp').deliveries.idle();
    expect(emulator.deliveries.stats()).toMatchObject({ succeeded: 1, failed: 0 });
    expect(emulator.account('jp').deliveries.stats()).toMatchObject({ succeeded: 1, failed: 0 });

    const [thJob] = await queue('th').getJobs(['wait']);
    const [jpJob] = await queue('jp').getJobs(['wait']);
    expect(thJob?.data).toMatchObject({ account: 'th', resourceId: th.id });
    expect(jpJob?.data).toMatchObject({ account: 'jp', resourceId: jp.id });
    expect(eventQueueName('default')).toBe(jobCatalog.omiseEvent.queue);
  });

  it('POST /webhooks/omise is the default account and enqueues into the queue of before', async () => {
    const event = eventEnvelope('charge.complete', chargeData());
    expect((await deliver('/webhooks/omise', event, secrets.default)).status).toBe(200);
    expect((await queue('default').getJob(String(event.id)))?.data.account).toBe('default');
  });

  it("a delivery signed with another account's secret is refused 401", async () => {
    const event = eventEnvelope('charge.complete', chargeData());
    const answer = await deliver('/webhooks/omise/jp', event, secrets.th);
    expect(answer.status).toBe(401);
    expect(await queue('jp').getJob(String(event.id))).toBeUndefined();
    expect(await queue('th').getJob(String(event.id))).toBeUndefined();
  });

  it('an unknown account is answered 404 without trying a secret, and counted without its name', async () => {
    const event = eventEnvelope('charge.complete', chargeData());
    for (const name of ['sg', '__proto__', 'constructor']) {
      const answer = await deliver(`/webhooks/omise/${name}`, event, secrets.default);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({
        error: { code: 'unknown_account', message: 'no such account' },
      });
    }
    const metrics = await get(`${receiver.metricsUrl}/metrics`);
    expect(metrics.text).toMatch(
      /omise_webhook_requests_total\{account="_unknown",outcome="unknown_account"\} 3/,
    );
    expect(metrics.text).not.toMatch(
      /omise_webhook_verification_failures_total\{account="_unknown"/,
    );
    expect(metrics.text).not.toContain('account="sg"');
    expect(metrics.text).toMatch(/omise_webhook_queue_depth\{account="th"\} \d+/);
    expect(metrics.text).toMatch(
      /omise_webhook_requests_total\{account="jp",outcome="enqueued"\} 1/,
    );
  });

  it('every receiver sample carries an account label, but for connections refused before any request', async () => {
    const samples = (await get(`${receiver.metricsUrl}/metrics`)).text
      .split('\n')
      .filter(
        (line) => line.startsWith('omise_webhook_') && !line.startsWith('omise_webhook_refused_'),
      );
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.filter((line) => !line.includes('account="'))).toEqual([]);
  });
});

function testCard() {
  return {
    name: 'Somchai Prasert',
    number: '4242424242424242',
    expiration_month: 12,
    expiration_year: 2035,
  };
}
