import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger, jobCatalog, type OmiseEventJob } from '@omise-sync/core';
import { createCardCharge, useTestRedis } from '@omise-sync/testing';
import { NO_FAULTS, startEmulator, type Emulator } from '@omise-sync/omise-emulator';
import { Queue } from 'bullmq';
import { newSecret } from '../test/deliveries';
import { post, type Answer } from '../test/receiver-client';
import { loadConfig } from './config';
import { startReceiver, type RunningReceiver } from './main';
import { OmiseEventEnvelope, toEventDisposition } from '@omise-sync/core';

const redis = useTestRedis();
const logger = createLogger({ name: 'webhook-receiver', level: 'silent' });
let emulator: Emulator;
let queue: Queue<OmiseEventJob>;

type Json = Record<string, unknown>;

function chargeFor(e: Emulator): Json {
  return createCardCharge(e, { amount: 100_000, currency: 'thb' });
}

function eventIds(e: Emulator): string[] {
  return e.listAll('events').map((event) => String(event.id));
}

async function jobsFor(ids: string[]): Promise<(OmiseEventJob | undefined)[]> {
  return Promise.all(ids.map(async (id) => (await queue.getJob(id))?.data));
}

beforeAll(async () => {
  // No retries: a refused delivery shows up as `failed` in the emulator's stats.
  emulator = await startEmulator({ seed: 'webhook-receiver', delivery: { retryDelaysMs: [] } });
  queue = new Queue(jobCatalog.omiseEvent.queue, {
    connection: redis.connect(),
    prefix: redis.prefix,
  });
});

afterAll(async () => {
  await emulator.close();
  await queue.close();
});

describe('OMISE_WEBHOOK_VERIFY=fetch against the emulator', () => {
  let receiver: RunningReceiver;

  function start(env: Record<string, string> = {}): Promise<RunningReceiver> {
    const config = loadConfig({
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: redis.prefix,
      OMISE_WEBHOOK_VERIFY: 'fetch',
      OMISE_SECRET_KEY: emulator.secretKey,
      OMISE_API_URL: emulator.url,
      PORT: '0',
      METRICS_PORT: '0',
      ...env,
    });
    return startReceiver(config, { logger, processMetrics: false, host: '127.0.0.1' });
  }

  function postTo(target: RunningReceiver, body: unknown): Promise<Answer> {
    return post(`${target.url}/webhooks/omise`, JSON.stringify(body));
  }

  beforeAll(async () => {
    receiver = await start();
  });

  afterAll(async () => {
    await receiver.close();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.setFaults(NO_FAULTS);
    // Unsigned deliveries, as Omise sends them to an account without a webhook secret.
    emulator.setWebhooks([{ url: `${receiver.url}/webhooks/omise`, secrets: [] }]);
  });

  it('enqueues every charge, refund and dispute event the emulator delivers, unsigned', async () => {
    const charge = chargeFor(emulator);
    emulator.actions.createRefund(String(charge.id), { amount: 10_000 });
    emulator.actions.createDispute(String(charge.id));
    await emulator.deliveries.idle();

    const stats = emulator.deliveries.stats();
    expect(stats.failed).toBe(0);
    const ids = eventIds(emulator);
    expect(stats.succeeded).toBe(ids.length);
    const jobs = await jobsFor(ids);
    expect(jobs.map((job) => job?.resourceType)).toEqual(['charge', 'refund', 'dispute']);
    expect(jobs[1]?.chargeId).toBe(charge.id);
    expect(jobs.every((job) => job?.origin === 'webhook')).toBe(true);
  });

  it('enqueues the event fetched from Omise, not the body that was posted', async () => {
    const real = emulator.withoutWebhooks(() => {
      chargeFor(emulator);
      return emulator.listAll('events')[0] as Json;
    });
    const forgedChargeId = 'chrg_test_forged';
    const answer = await postTo(receiver, {
      ...real,
      key: 'charge.complete',
      data: { ...(real.data as Json), id: forgedChargeId, status: 'successful' },
    });
    expect(answer.status).toBe(200);
    const job = (await jobsFor([String(real.id)]))[0];
    expect(job?.key).toBe(real.key);
    expect(job?.resourceId).toBe((real.data as Json).id);
    expect(job?.resourceId).not.toBe(forgedChargeId);
  });

  it('answers 401 to a delivery whose event id Omise does not know, and enqueues nothing', async () => {
    const answer = await postTo(receiver, {
      object: 'event',
      id: 'evnt_test_doesnotexist',
      key: 'charge.complete',
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: { code: 'unknown_event', message: 'no such event at Omise' },
    });
    expect(await queue.getJob('evnt_test_doesnotexist')).toBeUndefined();
  });

  it('answers 400 to a body without a usable event id (nothing to look up)', async () => {
    for (const body of [{ object: 'event' }, { id: '../charges/chrg_test_1' }, [1]]) {
      const answer = await postTo(receiver, body);
      expect(answer.status).toBe(400);
      expect((answer.body as { error: { code: string } }).error.code).toBe('invalid_event');
    }
  });

  it('when the Omise API fails, answers 503 with Retry-After so the delivery comes again', async () => {
    const event = emulator.withoutWebhooks(() => {
      chargeFor(emulator);
      return emulator.listAll('events')[0] as Json;
    });
    emulator.setFaults({ serverErrorShare: 1 });
    const answer = await postTo(receiver, event);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('30');
    expect((answer.body as { error: { code: string } }).error.code).toBe('omise_unavailable');
    expect(await queue.getJob(String(event.id))).toBeUndefined();

    emulator.setFaults(NO_FAULTS);
    expect((await postTo(receiver, event)).status).toBe(200);
  });

  it('with a secret key Omise rejects, answers 503 (not 2xx, not 401) and keeps the key out of the answer', async () => {
    const misconfigured = await start({ OMISE_SECRET_KEY: 'skey_test_revoked' });
    try {
      const event = emulator.withoutWebhooks(() => {
        chargeFor(emulator);
        return emulator.listAll('events')[0] as Json;
      });
      const answer = await postTo(misconfigured, event);
      expect(answer.status).toBe(503);
      expect(answer.text).not.toContain('skey_test_revoked');
    } finally {
      await misconfigured.close();
    }
  });
});

describe('OMISE_WEBHOOK_VERIFY=signature against the emulator', () => {
  it('stores for each delivered event the job that JSON.stringify of the validated envelope gives', async () => {
    const secret = newSecret();
    const receiver = await startReceiver(
      loadConfig({
        REDIS_URL: redis.url,
        BULLMQ_PREFIX: redis.prefix,
        OMISE_WEBHOOK_SECRETS: secret,
        PORT: '0',
        METRICS_PORT: '0',
      }),
      { logger, processMetrics: false, host: '127.0.0.1' },
    );
    try {
      emulator.reset();
      emulator.setWebhooks([{ url: `${receiver.url}/webhooks/omise`, secrets: [secret] }]);
      const charge = chargeFor(emulator);
      emulator.actions.createRefund(String(charge.id), { amount: 10_000 });
      emulator.actions.createDispute(String(charge.id));
      await emulator.deliveries.idle();
      expect(emulator.deliveries.stats().failed).toBe(0);

      const events = emulator.listAll('events');
      const jobs = await jobsFor(events.map((event) => String(event.id)));
      expect(jobs.map((job) => job?.resourceType)).toEqual(['charge', 'refund', 'dispute']);
      events.forEach((event, index) => {
        // The emulator records each delivery with the body it POSTed, byte for byte.
        const [delivery] = event.webhook_deliveries as { payload: string }[];
        const delivered: unknown = JSON.parse(delivery?.payload ?? 'null');
        const stored = jobs[index];
        const disposition = toEventDisposition(
          OmiseEventEnvelope.parse(delivered),
          new Date(stored?.receivedAt ?? 0),
          'webhook',
        );
        expect(disposition.kind).toBe('project');
        if (disposition.kind === 'project') {
          expect(stored).toEqual(JSON.parse(JSON.stringify(disposition.job)));
        }
      });
    } finally {
      await receiver.close();
    }
  });

  it('verifies the signed deliveries of the emulator, across a secret rotation', async () => {
    const oldSecret = newSecret();
    const newerSecret = newSecret();
    const receiver = await startReceiver(
      loadConfig({
        REDIS_URL: redis.url,
        BULLMQ_PREFIX: redis.prefix,
        OMISE_WEBHOOK_SECRETS: `${oldSecret},${newerSecret}`,
        PORT: '0',
        METRICS_PORT: '0',
      }),
      { logger, processMetrics: false, host: '127.0.0.1' },
    );
    try {
      emulator.reset();
      const url = `${receiver.url}/webhooks/omise`;
      emulator.setWebhooks([{ url, secrets: [oldSecret] }]);
      chargeFor(emulator);
      await emulator.deliveries.idle();
      // Omise signs with both while rotating, then only with the new one.
      emulator.setWebhooks([{ url, secrets: [oldSecret, newerSecret] }]);
      chargeFor(emulator);
      await emulator.deliveries.idle();
      emulator.setWebhooks([{ url, secrets: [newerSecret] }]);
      chargeFor(emulator);
      await emulator.deliveries.idle();
      // A secret the receiver was never given.
      emulator.setWebhooks([{ url, secrets: [newSecret()] }]);
      chargeFor(emulator);
      await emulator.deliveries.idle();

      const ids = eventIds(emulator);
      const jobs = await jobsFor(ids);
      expect(jobs.map((job) => job !== undefined)).toEqual([true, true, true, false]);
      expect(emulator.deliveries.stats()).toMatchObject({ succeeded: 3, failed: 1 });
    } finally {
      await receiver.close();
    }
  });
});
