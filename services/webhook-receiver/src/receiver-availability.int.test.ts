import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, jobCatalog, type OmiseEventJob } from '@omise-sync/core';
import { startTcpProxy, type TcpProxy, useTestRedis } from '@omise-sync/testing';
import { Queue } from 'bullmq';
import { chargeData, eventEnvelope, newSecret, signatureHeaders } from '../test/deliveries';
import { get, post, type Answer } from '../test/receiver-client';
import { loadConfig } from './config';
import { startReceiver, type RunningReceiver } from './main';

const redis = useTestRedis();
const secret = newSecret();
const logger = createLogger({ name: 'webhook-receiver', level: 'silent' });
let clockMs = Date.parse('2026-11-23T10:00:05Z');
let queue: Queue<OmiseEventJob>;

function configFor(redisUrl: string, env: Record<string, string> = {}) {
  return loadConfig({
    REDIS_URL: redisUrl,
    BULLMQ_PREFIX: redis.prefix,
    OMISE_WEBHOOK_SECRETS: secret,
    REDIS_COMMAND_TIMEOUT_MS: '300',
    PORT: '0',
    METRICS_PORT: '0',
    ...env,
  });
}

function start(redisUrl: string, env: Record<string, string> = {}): Promise<RunningReceiver> {
  return startReceiver(configFor(redisUrl, env), {
    logger,
    now: () => clockMs,
    processMetrics: false,
    host: '127.0.0.1',
  });
}

function deliver(target: RunningReceiver, event: object): Promise<Answer> {
  const body = JSON.stringify(event);
  return post(
    `${target.url}/webhooks/omise`,
    body,
    signatureHeaders(body, [secret], Math.floor(clockMs / 1000)),
  );
}

function expectRetryLater(answer: Answer, code: string) {
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toBe('30');
  expect(answer.body).toEqual({ error: { code, message: expect.any(String) as unknown } });
}

/** Polls /readyz: the reconnect happens on ioredis' own timer, which no clock can move. */
async function waitUntilReady(target: RunningReceiver): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await get(`${target.url}/readyz`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('receiver did not become ready again');
}

beforeAll(() => {
  queue = new Queue(jobCatalog.omiseEvent.queue, {
    connection: redis.connect(),
    prefix: redis.prefix,
  });
});

afterAll(async () => {
  await queue.close();
});

describe('when Redis is unreachable', () => {
  it('with nothing listening on its port, answers 503 with Retry-After and never 2xx', async () => {
    const receiver = await start('redis://127.0.0.1:1');
    try {
      const event = eventEnvelope('charge.complete', chargeData());
      expectRetryLater(await deliver(receiver, event), 'queue_unavailable');
      expect((await get(`${receiver.url}/readyz`)).status).toBe(503);
      expect((await get(`${receiver.url}/healthz`)).status).toBe(200);
      expect(await queue.getJob(String(event.id))).toBeUndefined();
      const metrics = (await get(`${receiver.metricsUrl}/metrics`)).text;
      expect(metrics).toMatch(
        /omise_webhook_requests_total\{account="default",outcome="unavailable"\} 1/,
      );
    } finally {
      await receiver.close();
    }
  });

  it('answers 503 for genuine events it ignores too: they are queued to be recorded, so Omise retries', async () => {
    const receiver = await start('redis://127.0.0.1:1', { RECEIVER_MAX_BACKLOG: '1' });
    try {
      const answer = await deliver(
        receiver,
        eventEnvelope('source.chargeable', {
          object: 'source',
          id: 'src_test_1',
          livemode: false,
        }),
      );
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBeDefined();
    } finally {
      await receiver.close();
    }
  });

  describe('behind a proxy the test can break', () => {
    let proxy: TcpProxy;
    let receiver: RunningReceiver;

    beforeAll(async () => {
      proxy = await startTcpProxy(redis.url);
      receiver = await start(proxy.url);
    });

    afterAll(async () => {
      await receiver.close();
      await proxy.close();
    });

    it('when the connection drops mid-run, answers 503 until it is back, then 200 again', async () => {
      const before = eventEnvelope('charge.complete', chargeData());
      expect((await deliver(receiver, before)).status).toBe(200);

      proxy.cut();
      const during = eventEnvelope('charge.complete', chargeData());
      const answers = await Promise.all([deliver(receiver, during), deliver(receiver, during)]);
      for (const answer of answers) expectRetryLater(answer, 'queue_unavailable');
      expect((await get(`${receiver.url}/readyz`)).status).toBe(503);
      expect(await queue.getJob(String(during.id))).toBeUndefined();

      proxy.restore();
      await waitUntilReady(receiver);
      // Omise's retry of the refused delivery now succeeds.
      const retried = await deliver(receiver, during);
      expect(retried.status).toBe(200);
      expect(retried.body).toEqual({ received: true, eventId: during.id });
      expect(await queue.getJob(String(during.id))).toBeDefined();
    });

    it('when Redis hangs, answers 503 after the command timeout instead of waiting', async () => {
      await waitUntilReady(receiver);
      proxy.hold();
      const event = eventEnvelope('charge.complete', chargeData());
      try {
        expectRetryLater(await deliver(receiver, event), 'queue_unavailable');
      } finally {
        proxy.restore();
      }
      // The held add may still reach Redis; Omise's retry is acknowledged either way.
      await waitUntilReady(receiver);
      const retried = await deliver(receiver, event);
      expect(retried.status).toBe(200);
      expect(await queue.getJob(String(event.id))).toBeDefined();
    });
  });
});

describe('with a backlog ceiling', () => {
  it('answers 503 backlog_full once the waiting jobs reach RECEIVER_MAX_BACKLOG', async () => {
    await queue.obliterate({ force: true });
    const receiver = await start(redis.url, { RECEIVER_MAX_BACKLOG: '2' });
    try {
      // The count is cached for 500 ms of the receiver's clock; move it past that each time.
      const answers: Answer[] = [];
      for (let i = 0; i < 3; i += 1) {
        clockMs += 1_000;
        answers.push(await deliver(receiver, eventEnvelope('charge.create', chargeData())));
      }
      expect(answers.slice(0, 2).map((a) => a.status)).toEqual([200, 200]);
      expectRetryLater(answers[2] as Answer, 'backlog_full');
      expect(await queue.getJobCountByTypes('wait')).toBe(2);

      // Within the cache window a drained queue is not seen yet; after it, deliveries flow.
      await queue.drain();
      clockMs += 100;
      expectRetryLater(
        await deliver(receiver, eventEnvelope('charge.create', chargeData())),
        'backlog_full',
      );
      clockMs += 1_000;
      const after = await deliver(receiver, eventEnvelope('charge.create', chargeData()));
      expect(after.status).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes a delivery in flight, then refuses new connections and closes Redis', async () => {
    const receiver = await start(redis.url);
    const event = eventEnvelope('charge.complete', chargeData());
    const body = JSON.stringify(event);
    const headers = signatureHeaders(body, [secret], Math.floor(clockMs / 1000));
    const half = Math.floor(body.length / 2);
    let closing: Promise<void> | undefined;

    // Send the headers and half of the body, then start the shutdown.
    const inFlight = new Promise<Answer>((resolve, reject) => {
      const req = request(
        `${receiver.url}/webhooks/omise`,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(body.length) },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: JSON.parse(text),
              text,
            });
          });
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, half), () => {
        closing = receiver.close();
        // Once the listener is closed, finish the body.
        setImmediate(() => req.end(body.slice(half)));
      });
    });

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers['connection']).toBe('close');
    await closing;
    expect(await queue.getJob(String(event.id))).toBeDefined();
    await expect(get(`${receiver.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });
  it('tells keep-alive clients to reconnect elsewhere once shutdown has begun', async () => {
    const receiver = await start(redis.url);
    // One socket, reused: the second delivery waits behind the first on the same connection.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    /** With `onInFlight`, the body is held back until the receiver has begun the request. */
    const send = (event: object, onInFlight?: () => void) => {
      const body = JSON.stringify(event);
      const headers: Record<string, string> = {
        ...signatureHeaders(body, [secret], Math.floor(clockMs / 1000)),
        'content-length': String(body.length),
      };
      // A 100 Continue proves the server has parsed the headers: the request is in flight.
      if (onInFlight !== undefined) headers['expect'] = '100-continue';
      return new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = request(
          `${receiver.url}/webhooks/omise`,
          { method: 'POST', headers, agent },
          (res) => {
            res.resume();
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
            );
          },
        );
        req.on('error', reject);
        if (onInFlight === undefined) {
          req.end(body);
        } else {
          req.on('continue', () => {
            onInFlight();
            req.end(body);
          });
        }
      });
    };
    try {
      expect((await send(eventEnvelope('charge.complete', chargeData()))).connection).toBe(
        'keep-alive',
      );
      let closing: Promise<void> | undefined;
      const first = send(eventEnvelope('charge.complete', chargeData()), () => {
        closing = receiver.close();
      });
      const second = send(eventEnvelope('charge.complete', chargeData()));
      expect((await first).status).toBe(200);
      expect(await second).toEqual({ status: 200, connection: 'close' });
      await closing;
    } finally {
      agent.destroy();
      await receiver.close();
    }
  });
});
