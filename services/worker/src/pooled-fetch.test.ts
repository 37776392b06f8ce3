import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OmiseConnectionError,
  OmiseNotFoundError,
  OmiseRateLimitError,
  createOmiseClient,
} from '@omise-sync/omise-client';
import { type PooledFetch, createPooledFetch } from './pooled-fetch';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('createPooledFetch', () => {
  let server: Server;
  let baseUrl: string;
  let transport: PooledFetch;
  const seen: Seen[] = [];
  let handler: (request: IncomingMessage, response: ServerResponse, body: string) => void;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        handler(request, response, body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    transport = createPooledFetch({ connections: 4 });
  });

  afterAll(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const client = (timeoutMs = 5_000) =>
    createOmiseClient({
      secretKey: 'skey_test_pooled',
      baseUrl,
      fetch: transport.fetch,
      maxRetries: 0,
      timeoutMs,
    });

  it('when Omise answers 200, the client gets the parsed resource and sent its headers', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          object: 'refund',
          id: 'rfnd_test_1',
          location: '/charges/chrg_test_1/refunds/rfnd_test_1',
          amount: 1_000,
          currency: 'thb',
          charge: 'chrg_test_1',
          transaction: 'trxn_test_1',
          voided: false,
          status: 'closed',
          created_at: '2026-01-01T00:00:00Z',
          livemode: false,
        }),
      );
    };
    const refund = await client().refunds.retrieve('chrg_test_1', 'rfnd_test_1');
    expect(refund.id).toBe('rfnd_test_1');
    expect(seen[0]).toMatchObject({
      method: 'GET',
      url: '/charges/chrg_test_1/refunds/rfnd_test_1',
      headers: {
        authorization: `Basic ${Buffer.from('skey_test_pooled:').toString('base64')}`,
        'omise-version': '2019-05-29',
      },
    });
  });

  it('when a request has a JSON body, it is sent with its method and content type', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'x-echo': 'yes' });
      response.end('ok');
    };
    const response = await transport.fetch(`${baseUrl}/charges/chrg_1?expand=true`, {
      method: 'PATCH',
      headers: [['Content-Type', 'application/json']],
      body: '{"description":"x"}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Echo')).toBe('yes');
    expect(response.headers.get('x-missing')).toBeNull();
    await expect(response.text()).resolves.toBe('ok');
    expect(seen[0]).toMatchObject({
      method: 'PATCH',
      url: '/charges/chrg_1?expand=true',
      headers: { 'content-type': 'application/json' },
      body: '{"description":"x"}',
    });
  });

  it('when Omise answers 404 or 429, the client maps the status and reads Retry-After', async () => {
    handler = (request, response) => {
      const notFound = request.url?.includes('gone') === true;
      response.writeHead(notFound ? 404 : 429, {
        'content-type': 'application/json',
        ...(notFound ? {} : { 'retry-after': '3' }),
      });
      response.end(
        JSON.stringify({
          object: 'error',
          location: 'https://www.omise.co/api-errors',
          code: notFound ? 'not_found' : 'too_many_requests',
          message: notFound ? 'charge was not found' : 'slow down',
        }),
      );
    };
    await expect(client().charges.retrieve('chrg_gone')).rejects.toBeInstanceOf(OmiseNotFoundError);
    const limited = await client()
      .charges.retrieve('chrg_busy')
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(OmiseRateLimitError);
    expect((limited as OmiseRateLimitError).retryAfterMs).toBe(3_000);
  });

  it('when the server stalls past the timeout, the client reports a timeout', async () => {
    handler = () => undefined; // never answers
    const error = await client(100)
      .charges.retrieve('chrg_slow')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OmiseConnectionError);
    expect((error as OmiseConnectionError).isTimeout).toBe(true);
  });

  it('when nothing listens, the client knows the request was never sent', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await createOmiseClient({
      secretKey: 'skey_test_pooled',
      baseUrl: `http://127.0.0.1:${port}`,
      fetch: transport.fetch,
      maxRetries: 0,
    })
      .charges.retrieve('chrg_1')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OmiseConnectionError);
    expect((error as OmiseConnectionError).requestSent).toBe(false);
  });
});
