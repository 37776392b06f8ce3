import { chargeObject, errorObject } from '@omise-sync/testing';
import {
  type Handler,
  type OmiseTestServer,
  reply,
  startOmiseTestServer,
} from '../test/omise-test-server';
import { type OmiseClientOptions, createOmiseClient } from './omise-client';
import {
  OmiseAuthenticationError,
  OmiseConnectionError,
  OmiseError,
  OmiseInvalidRequestError,
  OmiseNotFoundError,
  OmiseRateLimitError,
  OmiseResponseValidationError,
  OmiseServerError,
} from './omise-error';
import type { OmiseResponseInfo } from './omise-request';

const SECRET_KEY = 'skey_test_5requestsecret';

const resetConnection: Handler = (_request, response) => {
  response.socket?.destroy();
};
const neverAnswer: Handler = () => undefined;

describe('the request loop: typed errors, retries and timeouts over real HTTP', () => {
  let server: OmiseTestServer;
  let sleeps: number[];
  let responses: OmiseResponseInfo[];

  beforeAll(async () => {
    server = await startOmiseTestServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    sleeps = [];
    responses = [];
  });

  const clientFor = (overrides: Partial<OmiseClientOptions> = {}) =>
    createOmiseClient({
      secretKey: SECRET_KEY,
      baseUrl: server.url,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      onResponse: (info) => responses.push(info),
      ...overrides,
    });

  async function failure(promise: Promise<unknown>): Promise<OmiseError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof OmiseError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  describe('error classes', () => {
    it.each([
      [401, 'authentication_failure', OmiseAuthenticationError, false],
      [403, 'forbidden', OmiseAuthenticationError, false],
      [404, 'not_found', OmiseNotFoundError, false],
      [400, 'invalid_charge', OmiseInvalidRequestError, false],
      [422, 'documents_locked', OmiseInvalidRequestError, false],
      [429, 'too_many_requests', OmiseRateLimitError, true],
      [500, 'internal_error', OmiseServerError, true],
      [503, 'service_unavailable', OmiseServerError, true],
    ] as const)(
      'HTTP %i %s becomes its typed error with status, code, message, location and request id',
      async (status, code, ErrorClass, retryable) => {
        server.handle(reply(status, errorObject(code, `${code} happened`)));
        const error = await failure(
          clientFor({ maxRetries: 0 }).charges.retrieve('chrg_test_missing'),
        );
        expect(error).toBeInstanceOf(ErrorClass);
        expect(error).toBeInstanceOf(Error);
        expect(error.status).toBe(status);
        expect(error.code).toBe(code);
        expect(error.message).toContain(`${code} happened`);
        expect(error.message).toContain('GET /charges/:id');
        expect(error.location).toBe(`https://www.omise.co/api-errors#${code.replace(/_/g, '-')}`);
        expect(error.requestId).toBe('req-test-123');
        expect(error.retryable).toBe(retryable);
        expect(error.path).toBe('/charges/:id');
        expect(error.method).toBe('GET');
      },
    );

    it('a 502 with an HTML body from a proxy is a server error without an Omise code', async () => {
      server.handle((_request, response) => {
        response.writeHead(502, { 'Content-Type': 'text/html' });
        response.end('<html>Bad Gateway</html>');
      });
      const error = await failure(clientFor({ maxRetries: 0 }).charges.retrieve('chrg_test_1'));
      expect(error).toBeInstanceOf(OmiseServerError);
      expect(error.code).toBeUndefined();
      expect(error.status).toBe(502);
    });

    it('a 2xx body that does not match the schema is a validation error with the issues', async () => {
      server.handle(reply(200, { object: 'charge', id: 'chrg_test_1', amount: 'a lot' }));
      const error = await failure(clientFor().charges.retrieve('chrg_test_1'));
      expect(error).toBeInstanceOf(OmiseResponseValidationError);
      const validation = error as OmiseResponseValidationError;
      expect(validation.status).toBe(200);
      expect(validation.retryable).toBe(false);
      expect(validation.issues.map((issue) => issue.path.join('.'))).toContain('amount');
      expect(server.requests).toHaveLength(1);
    });

    it('a 2xx body that is not JSON is a validation error', async () => {
      server.handle((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.end('OK');
      });
      const error = await failure(clientFor().charges.retrieve('chrg_test_1'));
      expect(error).toBeInstanceOf(OmiseResponseValidationError);
    });

    it('a refused connection is a connection error that proves nothing was sent', async () => {
      const closed = await startOmiseTestServer();
      await closed.close();
      const error = await failure(
        clientFor({ baseUrl: closed.url, maxRetries: 0 }).charges.retrieve('chrg_test_1'),
      );
      expect(error).toBeInstanceOf(OmiseConnectionError);
      expect((error as OmiseConnectionError).requestSent).toBe(false);
      expect((error as OmiseConnectionError).isTimeout).toBe(false);
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.status).toBeUndefined();
    });

    it('a connection reset after the request was sent is a connection error, sent', async () => {
      server.handle(resetConnection);
      const error = await failure(clientFor({ maxRetries: 0 }).charges.retrieve('chrg_test_1'));
      expect(error).toBeInstanceOf(OmiseConnectionError);
      expect((error as OmiseConnectionError).requestSent).toBe(true);
    });
  });

  describe('timeouts', () => {
    it('when the server never answers, the request times out with isTimeout', async () => {
      server.handle(neverAnswer);
      const error = await failure(
        clientFor({ timeoutMs: 50, maxRetries: 0 }).charges.retrieve('chrg_test_1'),
      );
      expect(error).toBeInstanceOf(OmiseConnectionError);
      expect((error as OmiseConnectionError).isTimeout).toBe(true);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('timed out after 50 ms');
      expect(responses.map((r) => r.outcome)).toEqual(['timeout']);
    });

    it('when the server stalls in the middle of the body, the timeout still fires', async () => {
      server.handle((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
        response.write('{"object":"charge",');
      });
      const error = await failure(
        clientFor({ timeoutMs: 50, maxRetries: 0 }).charges.retrieve('chrg_test_1'),
      );
      expect((error as OmiseConnectionError).isTimeout).toBe(true);
    });

    it('a read that times out is retried, and succeeds when the server recovers', async () => {
      server.handle(neverAnswer, reply(200, chargeObject()));
      // Long enough that the recovered answer arrives in time on a loaded machine.
      const charge = await clientFor({ timeoutMs: 1_000 }).charges.retrieve('chrg_test_5x1');
      expect(charge.id).toBe('chrg_test_5x1');
      expect(server.requests).toHaveLength(2);
    });

    it('a capture that times out is not retried: it may have happened', async () => {
      server.handle(neverAnswer, reply(200, chargeObject()));
      const error = await failure(clientFor({ timeoutMs: 1_000 }).charges.capture('chrg_test_5x1'));
      expect((error as OmiseConnectionError).isTimeout).toBe(true);
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('retries', () => {
    it('a read retried after 503 succeeds, waiting jittered backoff between attempts', async () => {
      server.handle(
        reply(503, errorObject('service_unavailable', 'busy')),
        reply(503, errorObject('service_unavailable', 'busy')),
        reply(200, chargeObject()),
      );
      const charge = await clientFor().charges.retrieve('chrg_test_5x1');
      expect(charge.id).toBe('chrg_test_5x1');
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toEqual([250, 500]);
      expect(responses.map((r) => [r.status, r.attempt, r.path])).toEqual([
        [503, 1, '/charges/:id'],
        [503, 2, '/charges/:id'],
        [200, 3, '/charges/:id'],
      ]);
    });

    it('a read that keeps failing gives up after maxRetries and reports the attempts', async () => {
      server.handle(reply(500, errorObject('internal_error', 'boom')));
      const error = await failure(clientFor({ maxRetries: 3 }).charges.retrieve('chrg_test_1'));
      expect(error).toBeInstanceOf(OmiseServerError);
      expect(error.attempts).toBe(4);
      expect(server.requests).toHaveLength(4);
    });

    it('a 429 with Retry-After in seconds waits exactly that long, then retries', async () => {
      server.handle(
        reply(429, errorObject('too_many_requests', 'slow down'), { 'Retry-After': '2' }),
        reply(200, chargeObject()),
      );
      await clientFor().charges.retrieve('chrg_test_5x1');
      expect(sleeps).toEqual([2_000]);
    });

    it('a 429 with Retry-After as an HTTP date waits until that date', async () => {
      const now = Date.parse('2026-03-01T10:00:00Z');
      server.handle(
        reply(429, errorObject('too_many_requests', 'slow down'), {
          'Retry-After': 'Sun, 01 Mar 2026 10:00:03 GMT',
        }),
        reply(200, chargeObject()),
      );
      await clientFor({ now: () => now }).charges.retrieve('chrg_test_5x1');
      expect(sleeps).toEqual([3_000]);
    });

    it('a 503 with Retry-After is retried after that wait', async () => {
      server.handle(
        reply(503, errorObject('service_unavailable', 'maintenance'), { 'Retry-After': '4' }),
        reply(200, chargeObject()),
      );
      await clientFor().charges.retrieve('chrg_test_5x1');
      expect(sleeps).toEqual([4_000]);
    });

    it('a 429 whose Retry-After exceeds the cap surfaces at once with retryAfterMs', async () => {
      server.handle(
        reply(429, errorObject('too_many_requests', 'slow down'), { 'Retry-After': '120' }),
      );
      const error = await failure(clientFor().charges.retrieve('chrg_test_5x1'));
      expect(error).toBeInstanceOf(OmiseRateLimitError);
      expect((error as OmiseRateLimitError).retryAfterMs).toBe(120_000);
      expect(server.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('a charge creation answered 429 is retried: Omise rejected it unprocessed', async () => {
      server.handle(reply(429, errorObject('too_many_requests', 'x')), reply(200, chargeObject()));
      await clientFor().charges.create({ amount: 100_000, currency: 'THB', card: 'tokn_1' });
      expect(server.requests).toHaveLength(2);
    });

    it.each([
      ['500', reply(500, errorObject('internal_error', 'boom'))],
      ['503', reply(503, errorObject('service_unavailable', 'busy'))],
      ['a reset connection', resetConnection],
    ])('a charge creation that failed with %s is not sent again', async (_name, handler) => {
      server.handle(handler, reply(200, chargeObject()));
      await failure(clientFor().charges.create({ amount: 100_000, currency: 'THB' }));
      expect(server.requests).toHaveLength(1);
    });

    it('a charge creation whose connection was refused is retried: nothing was sent', async () => {
      const closed = await startOmiseTestServer();
      await closed.close();
      let calls = 0;
      const client = clientFor({
        baseUrl: closed.url,
        fetch: (input, init) => {
          calls += 1;
          // The first attempt hits the closed port; the retry goes to the live server.
          const target = calls === 1 ? input : input.replace(closed.url, server.url);
          return fetch(target, init);
        },
      });
      server.handle(reply(200, chargeObject()));
      const charge = await client.charges.create({ amount: 100_000, currency: 'THB' });
      expect(charge.id).toBe('chrg_test_5x1');
      expect(calls).toBe(2);
    });

    it('a read whose connection was reset is retried', async () => {
      server.handle(resetConnection, reply(200, chargeObject()));
      await clientFor().charges.retrieve('chrg_test_5x1');
      expect(server.requests).toHaveLength(2);
    });

    it('an idempotent update is retried on 502 and a document delete on 503', async () => {
      server.handle(reply(502, {}), reply(200, chargeObject()));
      await clientFor().charges.update('chrg_test_5x1', { description: 'x' });
      expect(server.requests).toHaveLength(2);
      server.handle(reply(503, {}), reply(200, { object: 'document', id: 'd', deleted: true }));
      await clientFor().documents.delete('dspt_1', 'd');
      expect(server.requests).toHaveLength(2);
    });

    it('dispute accept and close are actions: a 500 is not retried', async () => {
      server.handle(reply(500, {}));
      await failure(clientFor().disputes.accept('dspt_1'));
      expect(server.requests).toHaveLength(1);
      server.handle(reply(500, {}));
      await failure(clientFor().disputes.close('dspt_1', 'lost'));
      expect(server.requests).toHaveLength(1);
    });

    it('4xx errors are never retried', async () => {
      server.handle(reply(404, errorObject('not_found', 'charge x was not found')));
      await failure(clientFor().charges.retrieve('x'));
      expect(server.requests).toHaveLength(1);
    });

    it('the rate limiter is asked before every attempt, retries included', async () => {
      let acquired = 0;
      server.handle(reply(503, {}), reply(200, chargeObject()));
      await clientFor({
        rateLimiter: {
          acquire: () => {
            acquired += 1;
            return Promise.resolve();
          },
        },
      }).charges.retrieve('chrg_test_5x1');
      expect(acquired).toBe(2);
    });

    it('withSignal: aborting cancels the request in flight with the signal reason, unretried', async () => {
      server.handle(neverAnswer);
      const controller = new AbortController();
      const call = clientFor().withSignal(controller.signal).charges.retrieve('chrg_test_5x1');
      while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
      controller.abort(new Error('shutting down'));
      await expect(call).rejects.toThrow('shutting down');
      expect(server.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('withSignal: an already aborted signal sends nothing', async () => {
      server.handle(reply(200, chargeObject()));
      const signal = AbortSignal.abort(new Error('too late'));
      await expect(clientFor().withSignal(signal).charges.retrieve('x')).rejects.toThrow(
        'too late',
      );
      expect(server.requests).toHaveLength(0);
    });

    it('withSignal: an aborted signal stops further retries', async () => {
      const controller = new AbortController();
      server.handle(reply(503, {}), reply(200, chargeObject()));
      const client = clientFor({
        sleep: () => {
          controller.abort(new Error('deadline'));
          return Promise.resolve();
        },
      }).withSignal(controller.signal);
      await expect(client.charges.retrieve('chrg_test_5x1')).rejects.toThrow('deadline');
      expect(server.requests).toHaveLength(1);
    });

    it('a throwing onResponse hook does not break the call', async () => {
      server.handle(reply(200, chargeObject()));
      const charge = await clientFor({
        onResponse: () => {
          throw new Error('metrics are down');
        },
      }).charges.retrieve('chrg_test_5x1');
      expect(charge.id).toBe('chrg_test_5x1');
    });
  });
});
