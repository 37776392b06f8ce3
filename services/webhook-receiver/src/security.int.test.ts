import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@omise-sync/core';
import { useTestRedis } from '@omise-sync/testing';
import { chargeData, eventEnvelope, newSecret, signatureHeaders } from '../test/deliveries';
import { get, post, type Answer } from '../test/receiver-client';
import { loadConfig } from './config';
import { startReceiver, type RunningReceiver } from './main';

// Issue 23: the receiver's defences, each shown from the outside (HTTP and raw TCP), against a
// real Redis. Omise is faked at the socket where fetch mode needs it.
const redis = useTestRedis();
const logger = createLogger({ name: 'webhook-receiver', level: 'silent' });
const BODY_LIMIT = 4_096;
const nowMs = Date.parse('2026-11-23T10:00:05Z');
const nowSeconds = Math.floor(nowMs / 1000);

function start(env: Record<string, string>): Promise<RunningReceiver> {
  return startReceiver(
    loadConfig({
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: redis.prefix,
      PORT: '0',
      METRICS_PORT: '0',
      ...env,
    }),
    { logger, processMetrics: false, host: '127.0.0.1', now: () => nowMs },
  );
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A raw TCP connection to the receiver, for clients no HTTP library would imitate. */
async function openSocket(url: string): Promise<Socket> {
  const socket = connect(portOf(url), '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Everything the server sends until it closes the connection. */
async function untilClosed(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

/** Sends one keep-alive request on the socket and waits for the answer's first bytes. */
async function keepAliveRequest(socket: Socket): Promise<void> {
  socket.write('GET /healthz HTTP/1.1\r\nHost: receiver\r\nConnection: keep-alive\r\n\r\n');
  await once(socket, 'data');
}

async function refusals(receiver: RunningReceiver, reason: string): Promise<number> {
  const counter = await receiver.metrics.refusedConnections.get();
  return counter.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('signature mode: the checks that hold', () => {
  const secret = newSecret();
  const nextSecret = newSecret();
  let receiver: RunningReceiver;

  beforeAll(async () => {
    receiver = await start({
      OMISE_WEBHOOK_SECRETS: `${secret},${nextSecret}`,
      OMISE_WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    });
  });
  afterAll(async () => {
    await receiver.close();
  });

  const deliver = (body: string, headers: Record<string, string>): Promise<Answer> =>
    post(`${receiver.url}/webhooks/omise`, body, headers);
  const codeOf = (answer: Answer) => (answer.body as { error: { code: string } }).error.code;

  it('when the signature headers are missing, answers 401 missing_signature', async () => {
    const answer = await deliver(JSON.stringify(eventEnvelope('charge.create', chargeData())), {});
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('missing_signature');
  });

  it('when the body was signed with a secret the receiver does not hold, answers 401', async () => {
    const body = JSON.stringify(eventEnvelope('charge.create', chargeData()));
    const answer = await deliver(body, signatureHeaders(body, [newSecret()], nowSeconds));
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('invalid_signature');
  });

  it('when a signed body is changed by one byte, answers 401', async () => {
    const body = JSON.stringify(eventEnvelope('charge.create', chargeData()));
    const headers = signatureHeaders(body, [secret], nowSeconds);
    const answer = await deliver(body.replace('"charge.create"', '"charge.cReate"'), headers);
    expect(answer.status).toBe(401);
  });

  it.each([
    ['too old', -301],
    ['too far in the future', 301],
  ])('when the signed timestamp is %s, answers 401 timestamp_out_of_tolerance', async (_, skew) => {
    const body = JSON.stringify(eventEnvelope('charge.create', chargeData()));
    const answer = await deliver(body, signatureHeaders(body, [secret], nowSeconds + skew));
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('timestamp_out_of_tolerance');
  });

  it('during a rotation, a body signed with either the old or the new secret is accepted', async () => {
    for (const key of [secret, nextSecret]) {
      const body = JSON.stringify(eventEnvelope('charge.create', chargeData()));
      expect((await deliver(body, signatureHeaders(body, [key], nowSeconds))).status).toBe(200);
    }
  });

  it('when the body is above the limit, answers 413 and closes the connection', async () => {
    const body = 'x'.repeat(BODY_LIMIT + 1);
    const answer = await deliver(body, signatureHeaders(body, [secret], nowSeconds));
    expect(answer.status).toBe(413);
    expect(answer.headers['connection']).toBe('close');
  });

  it('error answers carry neither the secret, the signature nor the body', async () => {
    const body = JSON.stringify(eventEnvelope('charge.create', chargeData({ description: 'x' })));
    const headers = signatureHeaders(body, [newSecret()], nowSeconds);
    const answer = await deliver(body, headers);
    expect(answer.text).not.toContain(headers['omise-signature']);
    expect(answer.text).not.toContain(secret);
    expect(answer.text).not.toContain('charge.create');
    expect(answer.headers['x-powered-by']).toBeUndefined();
  });

  it('serves /metrics on its own port only, never on the webhook port', async () => {
    expect((await get(`${receiver.url}/metrics`)).status).toBe(404);
    const scrape = await get(`${receiver.metricsUrl}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('omise_webhook_requests_total');
    expect(receiver.metricsUrl).not.toBe(receiver.url);
    expect((await get(`${receiver.metricsUrl}/webhooks/omise`)).status).toBe(404);
  });
});

describe('slow and numerous clients', () => {
  const secret = newSecret();
  let receiver: RunningReceiver;

  beforeAll(async () => {
    receiver = await start({
      OMISE_WEBHOOK_SECRETS: secret,
      RECEIVER_HEADERS_TIMEOUT_MS: '200',
      RECEIVER_REQUEST_TIMEOUT_MS: '400',
      RECEIVER_MAX_CONNECTIONS: '3',
    });
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('when a client never finishes its headers, it is answered 408 and disconnected, and counted', async () => {
    const before = await refusals(receiver, 'timeout');
    const socket = await openSocket(receiver.url);
    socket.write('POST /webhooks/omise HTTP/1.1\r\nHost: receiver\r\n');
    expect(await untilClosed(socket)).toMatch(/^HTTP\/1\.1 408 /);
    expect(await refusals(receiver, 'timeout')).toBe(before + 1);
  });

  it('when a client trickles its body past the request timeout, it is answered 408 and disconnected', async () => {
    const before = await refusals(receiver, 'timeout');
    const socket = await openSocket(receiver.url);
    socket.write(
      'POST /webhooks/omise HTTP/1.1\r\nHost: receiver\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\n\r\n{"object":',
    );
    const trickle = setInterval(() => socket.write(' '), 50);
    try {
      expect(await untilClosed(socket)).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(trickle);
    }
    expect(await refusals(receiver, 'timeout')).toBe(before + 1);
  });

  it('when the connection cap is reached, more connections are closed and counted, and deliveries work again once idle ones go', async () => {
    const before = await refusals(receiver, 'connection_limit');
    const held = await Promise.all([1, 2, 3].map(() => openSocket(receiver.url)));
    // Each has been accepted and served once, so the server counts all three.
    await Promise.all(held.map(keepAliveRequest));
    const extra = await openSocket(receiver.url);
    expect(await untilClosed(extra)).toBe('');
    expect(await refusals(receiver, 'connection_limit')).toBe(before + 1);

    await Promise.all(
      held.map(async (socket) => {
        socket.destroy();
        await once(socket, 'close');
      }),
    );
    const body = JSON.stringify(eventEnvelope('charge.create', chargeData()));
    const answer = await post(
      `${receiver.url}/webhooks/omise`,
      body,
      signatureHeaders(body, [secret], nowSeconds),
    );
    expect(answer.status).toBe(200);
  });

  it('when a client sends something that is not HTTP, it is answered 400 and counted', async () => {
    const before = await refusals(receiver, 'malformed');
    const socket = await openSocket(receiver.url);
    socket.write('HELLO\r\n\r\n');
    expect(await untilClosed(socket)).toMatch(/^HTTP\/1\.1 400 /);
    expect(await refusals(receiver, 'malformed')).toBe(before + 1);
  });
});

describe('fetch mode: unsigned POSTs do not turn into API calls', () => {
  let omise: Server;
  let omiseUrl: string;
  const lookups: string[] = [];

  beforeAll(async () => {
    // Omise at the socket: knows no event at all, and counts what it is asked.
    omise = createServer((req, res) => {
      lookups.push(req.url ?? '');
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'error',
          location: 'https://www.omise.co/api-errors#not-found',
          code: 'not_found',
          message: 'event was not found',
        }),
      );
    });
    omise.listen(0, '127.0.0.1');
    await once(omise, 'listening');
    omiseUrl = `http://127.0.0.1:${(omise.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    omise.close();
    await once(omise, 'close');
  });

  const fetchMode = (env: Record<string, string> = {}) =>
    start({
      OMISE_WEBHOOK_VERIFY: 'fetch',
      OMISE_SECRET_KEY: 'skey_test_security',
      OMISE_API_URL: omiseUrl,
      ...env,
    });

  it('when 200 POSTs carry the same unknown id, every one is refused 401 and Omise is asked once', async () => {
    const receiver = await fetchMode();
    try {
      lookups.length = 0;
      const body = JSON.stringify({ object: 'event', id: 'evnt_test_unknown1' });
      const answers: Answer[] = [];
      for (let wave = 0; wave < 4; wave += 1) {
        answers.push(
          ...(await Promise.all(
            Array.from({ length: 50 }, () => post(`${receiver.url}/webhooks/omise`, body)),
          )),
        );
      }
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 200 }, () => 401));
      expect(lookups).toEqual(['/events/evnt_test_unknown1']);
    } finally {
      await receiver.close();
    }
  });

  it('when POSTs carry many different ids, look-ups stop at the per-second budget and the rest get 503', async () => {
    // The clock stands still, so the whole run falls in one second.
    const receiver = await fetchMode({ OMISE_FETCH_LOOKUPS_PER_SECOND: '5' });
    try {
      lookups.length = 0;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          post(
            `${receiver.url}/webhooks/omise`,
            JSON.stringify({ object: 'event', id: `evnt_test_many${i}` }),
          ),
        ),
      );
      expect(lookups).toHaveLength(5);
      expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
      const limited = answers.filter((a) => a.status === 503);
      expect(limited).toHaveLength(25);
      expect((limited[0]?.body as { error: { code: string } }).error.code).toBe(
        'lookups_rate_limited',
      );
      expect(limited[0]?.headers['retry-after']).toBe('30');
    } finally {
      await receiver.close();
    }
  });
});
