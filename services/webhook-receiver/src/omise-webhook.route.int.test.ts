import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createLogger,
  eventHistoryPayload,
  jobCatalog,
  type OmiseEventJob,
} from '@omise-sync/core';
import { useTestRedis } from '@omise-sync/testing';
import { Queue } from 'bullmq';
import {
  chargeData,
  disputeData,
  eventEnvelope,
  newSecret,
  omiseId,
  refundData,
  sign,
  signatureHeaders,
} from '../test/deliveries';
import { LogCapture, get, post, type Answer } from '../test/receiver-client';
import { loadConfig } from './config';
import { startReceiver, type RunningReceiver } from './main';

const redis = useTestRedis();
const secret = newSecret();
const nextSecret = newSecret();
const BODY_LIMIT = 64 * 1024;

// The receiver's clock; tests move it instead of waiting.
let clockMs = Date.parse('2026-11-23T10:00:05Z');
const nowSeconds = () => Math.floor(clockMs / 1000);

let receiver: RunningReceiver;
let queue: Queue<OmiseEventJob>;
const logs = new LogCapture();

function webhookUrl(target: RunningReceiver = receiver): string {
  return `${target.url}/webhooks/omise`;
}

/** POSTs `event` signed with `secrets` at the receiver's current time. */
function deliver(
  event: unknown,
  options: { secrets?: string[]; timestamp?: number; target?: RunningReceiver } = {},
): Promise<Answer> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const headers = signatureHeaders(
    body,
    options.secrets ?? [secret],
    options.timestamp ?? nowSeconds(),
  );
  return post(webhookUrl(options.target), body, headers);
}

async function storedJob(eventId: string): Promise<OmiseEventJob | undefined> {
  return (await queue.getJob(eventId))?.data;
}

/**
 * Sends a signed delivery over a raw socket: the head, then the body in `pieces`, one per turn
 * of the server's event loop at least (a short pause between them), so the server sees the
 * body arrive in several reads. With `hangUp`, the socket is closed before the last piece.
 * Resolves with the status line, or undefined when the server answered nothing.
 */
function deliverInPieces(
  body: string,
  pieces: number,
  options: { hangUp?: boolean } = {},
): Promise<string | undefined> {
  const { port } = new URL(receiver.url);
  const headers = signatureHeaders(body, [secret], nowSeconds());
  const head =
    `POST /webhooks/omise HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  const size = Math.ceil(body.length / pieces);
  const parts = Array.from({ length: pieces }, (_, i) => body.slice(i * size, (i + 1) * size));
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(port), '127.0.0.1', () => {
      const send = (index: number) => {
        if (options.hangUp === true && index === parts.length - 1) {
          socket.destroy();
          setTimeout(() => resolve(undefined), 100);
          return;
        }
        if (index === parts.length) return;
        socket.write(parts[index] ?? '', () => setTimeout(() => send(index + 1), 20));
      };
      socket.write(head, () => send(0));
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  const config = loadConfig({
    REDIS_URL: redis.url,
    BULLMQ_PREFIX: redis.prefix,
    OMISE_WEBHOOK_SECRETS: `${secret},${nextSecret}`,
    OMISE_WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    PORT: '0',
    METRICS_PORT: '0',
  });
  receiver = await startReceiver(config, {
    logger: createLogger({ name: 'webhook-receiver', destination: logs }),
    now: () => clockMs,
    processMetrics: false,
    host: '127.0.0.1',
  });
  queue = new Queue(jobCatalog.omiseEvent.queue, {
    connection: redis.connect(),
    prefix: redis.prefix,
  });
});

afterAll(async () => {
  await receiver.close();
  await queue.close();
});

describe('POST /webhooks/omise with a genuine delivery', () => {
  it('enqueues a charge event under its event id and answers 200 once it is in Redis', async () => {
    const event = eventEnvelope('charge.complete', chargeData());
    const answer = await deliver(event);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ received: true, eventId: event.id });
    expect(answer.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(answer.text)),
      'x-request-id': expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f-]{27}$/),
    });
    const job = await queue.getJob(String(event.id));
    expect(job?.name).toBe(jobCatalog.omiseEvent.name);
    expect(job?.opts.attempts).toBe(jobCatalog.omiseEvent.options.attempts);
    expect(job?.data).toEqual({
      account: 'default',
      eventId: event.id,
      key: 'charge.complete',
      resourceType: 'charge',
      resourceId: (event.data as { id: string }).id,
      livemode: false,
      eventCreatedAt: '2026-11-23T10:00:00.000Z',
      receivedAt: new Date(clockMs).toISOString(),
      origin: 'webhook',
      // The object's content stays out of Redis: the worker fetches it again.
      event: eventHistoryPayload(event),
    });
    expect(JSON.stringify(job?.data)).not.toContain('"amount"');
  });

  it('enqueues a refund with its charge id, and a dispute', async () => {
    const chargeId = omiseId('chrg');
    const refund = eventEnvelope('refund.create', refundData(chargeId));
    const dispute = eventEnvelope('dispute.create', disputeData(chargeId));
    expect((await deliver(refund)).status).toBe(200);
    expect((await deliver(dispute)).status).toBe(200);
    expect(await storedJob(String(refund.id))).toMatchObject({
      resourceType: 'refund',
      resourceId: (refund.data as { id: string }).id,
      chargeId,
    });
    expect(await storedJob(String(dispute.id))).toMatchObject({
      resourceType: 'dispute',
      resourceId: (dispute.data as { id: string }).id,
    });
  });

  it('accepts a 2017-11-02 envelope with `created` and a +07:00 offset', async () => {
    const event = eventEnvelope('dispute.create', disputeData(omiseId('chrg')), {
      created_at: undefined,
      created: '2017-11-04T19:12:35+07:00',
    });
    expect((await deliver(event)).status).toBe(200);
    expect((await storedJob(String(event.id)))?.eventCreatedAt).toBe('2017-11-04T12:12:35.000Z');
  });

  it('validates the stub Omise sends for a deleted object', async () => {
    const chargeId = omiseId('chrg');
    const deleted = eventEnvelope('charge.update', {
      object: 'charge',
      id: chargeId,
      livemode: false,
      deleted: true,
    });
    expect((await deliver(deleted)).status).toBe(200);
    expect(await storedJob(String(deleted.id))).toMatchObject({
      resourceType: 'charge',
      resourceId: chargeId,
    });
    // A deleted customer is projected too: the worker's re-fetch (404) makes its row a tombstone.
    const customerId = omiseId('cust');
    const customer = eventEnvelope('customer.destroy', {
      object: 'customer',
      id: customerId,
      livemode: false,
      deleted: true,
    });
    expect((await deliver(customer)).status).toBe(200);
    expect(await storedJob(String(customer.id))).toMatchObject({
      resourceType: 'customer',
      resourceId: customerId,
    });
  });

  it('verifies the exact bytes: a body whose JSON re-serialisation differs still verifies', async () => {
    const id = omiseId('evnt');
    const chargeId = omiseId('chrg');
    // Whitespace, key order, a unicode escape, 1.0 and a duplicate key: JSON.parse followed by
    // JSON.stringify changes every one of them, so verifying a re-serialisation would fail.
    const raw = `{\n  "key" : "charge.create",\t"object":"event",\n  "id": "${id}",
  "livemode": false, "created_at": "2026-11-23T10:00:00Z", "amount": 1.0,
  "data": { "object": "charge", "id": "${chargeId}", "description": "caf\\u00e9", "metadata": {"a": 1, "a": 2} },
  "webhook_deliveries": [\n\n  ]\n}\n`;
    expect(JSON.stringify(JSON.parse(raw))).not.toBe(raw);
    const answer = await post(webhookUrl(), raw, signatureHeaders(raw, [secret], nowSeconds()));
    expect(answer.status).toBe(200);
    expect((await storedJob(id))?.event).toMatchObject({ amount: 1, data: { id: chargeId } });
  });

  it('does not depend on Content-Type: a text/plain delivery still verifies', async () => {
    const event = eventEnvelope('charge.capture', chargeData());
    const body = JSON.stringify(event);
    const answer = await post(webhookUrl(), body, {
      ...signatureHeaders(body, [secret], nowSeconds()),
      'content-type': 'text/plain',
    });
    expect(answer.status).toBe(200);
  });

  it('when Omise delivers the same event twice, both are acknowledged and the first job is kept', async () => {
    const event = eventEnvelope('charge.complete', chargeData());
    const first = await deliver(event);
    clockMs += 60_000;
    const second = await deliver(event);
    expect(first.body).toEqual({ received: true, eventId: event.id });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ received: true, eventId: event.id });
    // The job keeps the first delivery's receivedAt: nothing was overwritten.
    expect((await storedJob(String(event.id)))?.receivedAt).toBe(
      new Date(clockMs - 60_000).toISOString(),
    );
  });

  it('when the same event arrives on several connections at once, one job is stored', async () => {
    const event = eventEnvelope('refund.create', refundData(omiseId('chrg')));
    const answers = await Promise.all(Array.from({ length: 8 }, () => deliver(event)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const waiting = await queue.getJobs(['wait']);
    expect(waiting.filter((job) => job.id === event.id)).toHaveLength(1);
  });

  it('acknowledges a genuine event about another kind of object and queues it only to be recorded as ignored', async () => {
    const event = eventEnvelope('source.chargeable', {
      object: 'source',
      id: omiseId('src'),
      livemode: false,
    });
    const answer = await deliver(event);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ received: true, eventId: event.id, ignored: true });
    const job = await queue.getJob(String(event.id));
    expect(job?.name).toBe(jobCatalog.ignoredEvent.name);
    expect(job?.data).toMatchObject({ key: 'source.chargeable', objectType: 'source' });
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'when data.object is %j, the event is acknowledged and queued as ignored, never projected',
    async (object) => {
      const id = omiseId('evnt');
      const raw = `{"object":"event","id":"${id}","key":"charge.create","livemode":false,"created_at":"2026-11-23T10:00:00Z","data":{"object":${JSON.stringify(object)},"id":"x_1"}}`;
      const answer = await post(webhookUrl(), raw, signatureHeaders(raw, [secret], nowSeconds()));
      expect(answer.status).toBe(200);
      const job = await queue.getJob(id);
      expect(job?.name).toBe(jobCatalog.ignoredEvent.name);
      expect(job?.data).toMatchObject({ objectType: object });
    },
  );

  it.each(['.', '..', 'chrg_../x'])(
    'when a charge event names the id %j, it is refused with 400 and nothing is queued',
    async (chargeId) => {
      const event = eventEnvelope('charge.create', {
        object: 'charge',
        id: chargeId,
        livemode: false,
      });
      const answer = await deliver(event);
      expect(answer.status).toBe(400);
      expect(await queue.getJob(String(event.id))).toBeUndefined();
    },
  );

  it('decides by data.object, so an unknown key about a charge is still enqueued with its key', async () => {
    const event = eventEnvelope('charge.teleport', chargeData());
    expect((await deliver(event)).status).toBe(200);
    expect((await storedJob(String(event.id)))?.key).toBe('charge.teleport');
  });

  it('during a rotation, accepts deliveries signed with either configured secret', async () => {
    const withNext = eventEnvelope('charge.create', chargeData());
    expect((await deliver(withNext, { secrets: [nextSecret] })).status).toBe(200);
    // Omise's side of a rotation: two signatures, the first from a secret we do not have.
    const withBoth = eventEnvelope('charge.create', chargeData());
    expect((await deliver(withBoth, { secrets: [newSecret(), secret] })).status).toBe(200);
  });

  it('reads a body that arrives in several pieces, and stores it exactly', async () => {
    // A long multi-byte envelope field, so that pieces end inside characters.
    const event = eventEnvelope('charge.create', chargeData(), { note: 'é'.repeat(3_000) });
    const body = JSON.stringify(event);
    expect(await deliverInPieces(body, 4)).toBe('HTTP/1.1 200 OK');
    expect((await storedJob(String(event.id)))?.event).toEqual(eventHistoryPayload(event));
  });

  it('when the client goes away halfway through the body, enqueues nothing and counts it as aborted', async () => {
    const event = eventEnvelope('charge.create', chargeData());
    expect(await deliverInPieces(JSON.stringify(event), 2, { hangUp: true })).toBeUndefined();
    expect(await storedJob(String(event.id))).toBeUndefined();
    const aborted = logs.lines.filter((line) => line['outcome'] === 'aborted');
    expect(aborted.at(-1)).toMatchObject({
      level: 'info',
      msg: 'client went away before sending the whole body',
    });
    // Read from the registry, not /metrics: a scrape would cache the queue depth for later tests.
    const requests = await receiver.metrics.registry.getSingleMetricAsString(
      'omise_webhook_requests_total',
    );
    expect(requests).toMatch(
      /omise_webhook_requests_total\{account="default",outcome="aborted"\} [1-9]/,
    );
  });

  it('uses the X-Request-Id it is given and echoes it', async () => {
    const event = eventEnvelope('charge.create', chargeData());
    const body = JSON.stringify(event);
    const answer = await post(webhookUrl(), body, {
      ...signatureHeaders(body, [secret], nowSeconds()),
      'x-request-id': 'omise-delivery-42',
    });
    expect(answer.headers['x-request-id']).toBe('omise-delivery-42');
    const line = logs.lines.find((l) => l['eventId'] === event.id);
    expect(line).toMatchObject({ requestId: 'omise-delivery-42', outcome: 'enqueued' });
  });
});

describe('POST /webhooks/omise refusing deliveries', () => {
  function expectNoSecrets(answer: Answer) {
    expect(Object.keys(answer.body as object)).toEqual(['error']);
    expect(Object.keys((answer.body as { error: object }).error).sort()).toEqual([
      'code',
      'message',
    ]);
    for (const value of [secret, nextSecret, Buffer.from(secret, 'base64').toString('hex')]) {
      expect(answer.text).not.toContain(value);
    }
  }

  it.each([
    { situation: 'older than the tolerance', offset: -301 },
    { situation: 'further in the future than the tolerance', offset: 301 },
  ])('answers 401 to a genuine signature $situation, and enqueues nothing', async ({ offset }) => {
    const event = eventEnvelope('charge.complete', chargeData());
    const answer = await deliver(event, { timestamp: nowSeconds() + offset });
    expect(answer.status).toBe(401);
    expect((answer.body as { error: { code: string } }).error.code).toBe(
      'timestamp_out_of_tolerance',
    );
    expectNoSecrets(answer);
    expect(await queue.getJob(String(event.id))).toBeUndefined();
  });

  it('answers 401 to a body changed after signing', async () => {
    const event = eventEnvelope('charge.complete', chargeData({ amount: 100 }));
    const body = JSON.stringify(event);
    const headers = signatureHeaders(body, [secret], nowSeconds());
    const tampered = body.replace('"amount":100', '"amount":900');
    expect(tampered).not.toBe(body);
    const answer = await post(webhookUrl(), tampered, headers);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: { code: 'invalid_signature', message: 'signature does not match' },
    });
    expectNoSecrets(answer);
    expect(await queue.getJob(String(event.id))).toBeUndefined();
  });

  it('answers 401 to a delivery without signature headers, or signed with an unknown secret', async () => {
    const event = eventEnvelope('charge.complete', chargeData());
    const missing = await post(webhookUrl(), JSON.stringify(event));
    expect(missing.status).toBe(401);
    expect((missing.body as { error: { code: string } }).error.code).toBe('missing_signature');
    const forged = await deliver(event, { secrets: [newSecret()] });
    expect(forged.status).toBe(401);
    expectNoSecrets(forged);
    expect(await queue.getJob(String(event.id))).toBeUndefined();
  });

  it('answers 400 to a genuine body that is not JSON', async () => {
    const answer = await deliver('{"object":"event",');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: { code: 'invalid_json', message: 'request body is not valid JSON' },
    });
  });

  it.each([
    { situation: 'no data.id', event: eventEnvelope('charge.create', { object: 'charge' }) },
    { situation: 'an array', event: [1, 2] },
    {
      situation: 'another object type',
      event: { ...eventEnvelope('x', chargeData()), object: 'charge' },
    },
    {
      situation: 'no creation time',
      event: eventEnvelope('charge.create', chargeData(), { created_at: undefined }),
    },
    {
      situation: 'an id with a colon',
      event: eventEnvelope('charge.create', chargeData(), { id: 'evnt_test:1' }),
    },
    {
      situation: 'a refund without its charge',
      event: eventEnvelope('refund.create', refundData('x', { charge: undefined })),
    },
  ])('answers 400 invalid_event to a genuine body with $situation', async ({ event }) => {
    const answer = await deliver(event);
    expect(answer.status).toBe(400);
    expect((answer.body as { error: { code: string } }).error.code).toBe('invalid_event');
    expectNoSecrets(answer);
  });

  it('answers 413 to a body above the limit, declared or streamed, before verifying it', async () => {
    const big = JSON.stringify(
      eventEnvelope('charge.create', chargeData({ description: 'x'.repeat(BODY_LIMIT) })),
    );
    const declared = await deliver(big);
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({
      error: { code: 'payload_too_large', message: `request body exceeds ${BODY_LIMIT} bytes` },
    });
    // Chunked: no Content-Length, the limit is enforced while reading.
    const streamed = await post(webhookUrl(), big, {
      ...signatureHeaders(big, [secret], nowSeconds()),
      'transfer-encoding': 'chunked',
    });
    expect(streamed.status).toBe(413);
  });

  it('accepts a body of exactly the limit', async () => {
    const event = eventEnvelope('charge.create', chargeData({ description: '' }));
    const base = JSON.stringify(event);
    const padded = JSON.stringify({
      ...event,
      data: { ...(event.data as object), description: 'x'.repeat(BODY_LIMIT - base.length) },
    });
    expect(Buffer.byteLength(padded)).toBe(BODY_LIMIT);
    expect((await deliver(padded)).status).toBe(200);
  });

  it('answers 404 with a JSON body to other paths', async () => {
    const answer = await get(`${receiver.url}/webhooks/stripe`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: { code: 'not_found', message: 'no such route' } });
  });
});

describe('health, readiness, metrics and logs', () => {
  it('answers /healthz and /readyz with 200 while Redis is reachable', async () => {
    expect((await get(`${receiver.url}/healthz`)).body).toEqual({ status: 'ok' });
    const ready = await get(`${receiver.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('exports requests by outcome, failures by reason, enqueue latency and queue depth', async () => {
    const answer = await get(`${receiver.metricsUrl}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    const text = answer.text;
    expect(text).toMatch(
      /omise_webhook_requests_total\{account="default",outcome="enqueued"\} [1-9]/,
    );
    expect(text).toMatch(
      /omise_webhook_requests_total\{account="default",outcome="ignored"\} [1-9]/,
    );
    expect(text).toMatch(
      /omise_webhook_requests_total\{account="default",outcome="unauthenticated"\} [1-9]/,
    );
    expect(text).toMatch(
      /omise_webhook_requests_total\{account="default",outcome="invalid"\} [1-9]/,
    );
    expect(text).toMatch(
      /omise_webhook_requests_total\{account="default",outcome="too_large"\} [1-9]/,
    );
    expect(text).toMatch(
      /omise_webhook_verification_failures_total\{account="default",reason="timestamp_too_old"\} 1/,
    );
    expect(text).toMatch(
      /omise_webhook_verification_failures_total\{account="default",reason="timestamp_in_future"\} 1/,
    );
    expect(text).toMatch(
      /omise_webhook_verification_failures_total\{account="default",reason="signature_mismatch"\} [1-9]/,
    );
    expect(text).toMatch(
      /omise_webhook_verification_failures_total\{account="default",reason="missing_signature"\} 1/,
    );
    expect(text).toMatch(/omise_webhook_ignored_total\{account="default",object="source"\} 1/);
    expect(text).toMatch(/omise_webhook_enqueue_duration_seconds_count\{account="default"\} [1-9]/);
    const depth = /omise_webhook_queue_depth\{account="default"\} (\d+)/.exec(text);
    expect(Number(depth?.[1])).toBe(await queue.getJobCountByTypes('wait', 'prioritized'));
  });

  it('logs one JSON line per delivery with a request id, and never a secret or signature', async () => {
    const event = eventEnvelope('charge.create', chargeData());
    const body = JSON.stringify(event);
    const signature = sign(body, secret, nowSeconds());
    await deliver(event);
    const lines = logs.lines.filter((l) => l['eventId'] === event.id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'webhook-receiver',
      outcome: 'enqueued',
      key: 'charge.create',
      resourceType: 'charge',
    });
    expect(typeof lines[0]?.['requestId']).toBe('string');
    const all = logs.raw.join('\n');
    for (const value of [secret, nextSecret, signature]) expect(all).not.toContain(value);
    const rejected = logs.lines.filter((l) => l['outcome'] === 'unauthenticated');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((l) => l['level'] === 'warn' && typeof l['reason'] === 'string')).toBe(
      true,
    );
  });
});
