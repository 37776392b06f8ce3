import {
  chargeObject,
  disputeObject,
  documentObject,
  eventObject,
  listObject,
  refundObject,
} from '@omise-sync/testing';
import { type OmiseTestServer, reply, startOmiseTestServer } from '../test/omise-test-server';
import { type OmiseClient, createOmiseClient } from './omise-client';
import { isChargeData } from './schemas/event.schema';

const SECRET_KEY = 'skey_test_5endpointsecret';
const PUBLIC_KEY = 'pkey_test_5endpointpublic';

describe('createOmiseClient endpoints against a local HTTP server', () => {
  let server: OmiseTestServer;
  let client: OmiseClient;

  beforeAll(async () => {
    server = await startOmiseTestServer();
    client = createOmiseClient({
      secretKey: SECRET_KEY,
      publicKey: PUBLIC_KEY,
      baseUrl: server.url,
      vaultUrl: `${server.url}/vault`,
      sleep: () => Promise.resolve(),
    });
  });
  afterAll(() => server.close());

  const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const lastRequest = () => {
    const request = server.requests.at(-1);
    if (request === undefined) throw new Error('no request reached the server');
    return request;
  };
  const jsonBody = () => JSON.parse(lastRequest().body.toString('utf8')) as unknown;

  type Case = [
    name: string,
    method: string,
    path: string,
    call: (c: OmiseClient) => Promise<unknown>,
    body: unknown,
    response: unknown,
  ];

  const single: Case[] = [
    [
      'charges.create',
      'POST',
      '/charges',
      (c) => c.charges.create({ amount: 100_000, currency: 'THB', card: 'tokn_test_1' }),
      { amount: 100_000, currency: 'THB', card: 'tokn_test_1' },
      chargeObject(),
    ],
    [
      'charges.retrieve',
      'GET',
      '/charges/chrg_test_5x1',
      (c) => c.charges.retrieve('chrg_test_5x1'),
      undefined,
      chargeObject(),
    ],
    [
      'charges.update',
      'PATCH',
      '/charges/chrg_test_5x1',
      (c) => c.charges.update('chrg_test_5x1', { description: 'd', metadata: { order: 'o-1' } }),
      { description: 'd', metadata: { order: 'o-1' } },
      chargeObject({ description: 'd' }),
    ],
    [
      'charges.capture with capture_amount',
      'POST',
      '/charges/chrg_test_5x1/capture',
      (c) => c.charges.capture('chrg_test_5x1', { capture_amount: 5_000 }),
      { capture_amount: 5_000 },
      chargeObject(),
    ],
    [
      'charges.capture in full',
      'POST',
      '/charges/chrg_test_5x1/capture',
      (c) => c.charges.capture('chrg_test_5x1'),
      undefined,
      chargeObject(),
    ],
    [
      'charges.reverse',
      'POST',
      '/charges/chrg_test_5x1/reverse',
      (c) => c.charges.reverse('chrg_test_5x1'),
      undefined,
      chargeObject({ status: 'reversed', reversed: true }),
    ],
    [
      'charges.expire',
      'POST',
      '/charges/chrg_test_5x1/expire',
      (c) => c.charges.expire('chrg_test_5x1'),
      undefined,
      chargeObject({ status: 'expired' }),
    ],
    [
      'charges.markAsPaid',
      'POST',
      '/charges/chrg_test_5x1/mark_as_paid',
      (c) => c.charges.markAsPaid('chrg_test_5x1'),
      undefined,
      chargeObject(),
    ],
    [
      'charges.markAsFailed',
      'POST',
      '/charges/chrg_test_5x1/mark_as_failed',
      (c) => c.charges.markAsFailed('chrg_test_5x1'),
      undefined,
      chargeObject({ status: 'failed', failure_code: 'payment_rejected' }),
    ],
    [
      'refunds.create',
      'POST',
      '/charges/chrg_test_5x1/refunds',
      (c) => c.refunds.create('chrg_test_5x1', { amount: 5_000, metadata: { why: 'late' } }),
      { amount: 5_000, metadata: { why: 'late' } },
      refundObject(),
    ],
    [
      'refunds.retrieve',
      'GET',
      '/charges/chrg_test_5x1/refunds/rfnd_test_5x1',
      (c) => c.refunds.retrieve('chrg_test_5x1', 'rfnd_test_5x1'),
      undefined,
      refundObject(),
    ],
    [
      'disputes.retrieve',
      'GET',
      '/disputes/dspt_test_5x1',
      (c) => c.disputes.retrieve('dspt_test_5x1'),
      undefined,
      disputeObject(),
    ],
    [
      'disputes.update',
      'PATCH',
      '/disputes/dspt_test_5x1',
      (c) => c.disputes.update('dspt_test_5x1', { message: 'proof attached', metadata: { a: 1 } }),
      { message: 'proof attached', metadata: { a: 1 } },
      disputeObject({ message: 'proof attached' }),
    ],
    [
      'disputes.accept',
      'PATCH',
      '/disputes/dspt_test_5x1/accept',
      (c) => c.disputes.accept('dspt_test_5x1'),
      undefined,
      disputeObject({ status: 'lost' }),
    ],
    [
      'disputes.close',
      'PATCH',
      '/disputes/dspt_test_5x1/close',
      (c) => c.disputes.close('dspt_test_5x1', 'won'),
      { status: 'won' },
      disputeObject({ status: 'won', closed_at: '2026-01-02T00:00:00Z' }),
    ],
    [
      'disputes.create',
      'POST',
      '/charges/chrg_test_5x1/disputes',
      (c) => c.disputes.create('chrg_test_5x1'),
      undefined,
      disputeObject(),
    ],
    [
      'documents.retrieve',
      'GET',
      '/disputes/dspt_test_5x1/documents/docu_test_5x1',
      (c) => c.documents.retrieve('dspt_test_5x1', 'docu_test_5x1'),
      undefined,
      documentObject(),
    ],
    [
      'documents.delete',
      'DELETE',
      '/disputes/dspt_test_5x1/documents/docu_test_5x1',
      (c) => c.documents.delete('dspt_test_5x1', 'docu_test_5x1'),
      undefined,
      { object: 'document', id: 'docu_test_5x1', livemode: false, deleted: true },
    ],
    [
      'events.retrieve',
      'GET',
      '/events/evnt_test_5x1',
      (c) => c.events.retrieve('evnt_test_5x1'),
      undefined,
      eventObject(),
    ],
  ];

  it.each(single)(
    '%s sends %s %s with the body and returns the parsed object',
    async (_name, method, path, call, body, response) => {
      server.handle(reply(200, response));
      const result = await call(client);
      const request = lastRequest();
      expect(request.method).toBe(method);
      expect(request.path).toBe(path);
      expect(request.headers.authorization).toBe(basic(SECRET_KEY));
      expect(request.headers['omise-version']).toBe('2019-05-29');
      if (body === undefined) {
        expect(request.body.length).toBe(0);
      } else {
        expect(request.headers['content-type']).toBe('application/json');
        expect(jsonBody()).toEqual(body);
      }
      expect(result).toMatchObject({ id: (response as { id: string }).id });
      expect(server.requests).toHaveLength(1);
    },
  );

  it('charges.retrieve with expand sends expand=true', async () => {
    server.handle(reply(200, chargeObject()));
    await client.charges.retrieve('chrg_test_5x1', { expand: true });
    expect(lastRequest().query.get('expand')).toBe('true');
  });

  it('ids are escaped in the path', async () => {
    server.handle(reply(200, chargeObject()));
    await client.charges.retrieve('chrg/../x?y');
    expect(lastRequest().path).toBe('/charges/chrg%2F..%2Fx%3Fy');
  });

  type ListCase = [
    name: string,
    path: string,
    list: (c: OmiseClient) => AsyncIterable<unknown>,
    item: Record<string, unknown>,
  ];
  const lists: ListCase[] = [
    ['charges.list', '/charges', (c) => c.charges.list(), chargeObject()],
    [
      'charges.listEvents',
      '/charges/chrg_test_5x1/events',
      (c) => c.charges.listEvents('chrg_test_5x1'),
      { ...eventObject(), data: undefined },
    ],
    [
      'refunds.list',
      '/charges/chrg_test_5x1/refunds',
      (c) => c.refunds.list('chrg_test_5x1'),
      refundObject(),
    ],
    ['disputes.list', '/disputes', (c) => c.disputes.list(), disputeObject()],
    [
      'disputes.list open',
      '/disputes/open',
      (c) => c.disputes.list({ status: 'open' }),
      disputeObject(),
    ],
    [
      'disputes.list pending',
      '/disputes/pending',
      (c) => c.disputes.list({ status: 'pending' }),
      disputeObject({ status: 'pending' }),
    ],
    [
      'disputes.list closed',
      '/disputes/closed',
      (c) => c.disputes.list({ status: 'closed' }),
      disputeObject({ status: 'won' }),
    ],
    [
      'documents.list',
      '/disputes/dspt_test_5x1/documents',
      (c) => c.documents.list('dspt_test_5x1'),
      documentObject(),
    ],
    ['events.list', '/events', (c) => c.events.list(), eventObject()],
  ];

  it.each(lists)('%s GETs %s and yields the parsed items', async (_name, path, list, item) => {
    server.handle(reply(200, listObject([item])));
    const items: unknown[] = [];
    for await (const value of list(client)) items.push(value);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: item['id'] });
    const request = lastRequest();
    expect(request.method).toBe('GET');
    expect(request.path).toBe(path);
    expect(request.query.get('limit')).toBe('100');
    expect(request.query.get('order')).toBe('chronological');
    expect(request.query.get('offset')).toBe('0');
  });

  it('events.retrieve parses data by its object', async () => {
    server.handle(reply(200, eventObject()));
    const event = await client.events.retrieve('evnt_test_5x1');
    expect(isChargeData(event.data)).toBe(true);
  });

  it('tokens.create posts the card to the vault with the public key', async () => {
    server.handle(
      reply(200, {
        object: 'token',
        id: 'tokn_test_5x1',
        livemode: false,
        used: false,
        card: { object: 'card', id: 'card_test_5x1', last_digits: '4242' },
        created_at: '2026-01-01T00:00:00Z',
      }),
    );
    const card = {
      name: 'Somchai Prasert',
      number: '4242424242424242',
      expiration_month: 12,
      expiration_year: 2030,
      security_code: '123',
    };
    const token = await client.tokens.create(card);
    expect(token.id).toBe('tokn_test_5x1');
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/vault/tokens');
    expect(request.headers.authorization).toBe(basic(PUBLIC_KEY));
    expect(jsonBody()).toEqual({ card });
  });

  it('tokens.create without a public key fails before sending anything', async () => {
    const noPublic = createOmiseClient({ secretKey: SECRET_KEY, baseUrl: server.url });
    server.handle(reply(200, {}));
    await expect(
      noPublic.tokens.create({
        name: 'x',
        number: '4242424242424242',
        expiration_month: 1,
        expiration_year: 2030,
      }),
    ).rejects.toThrow(/publicKey/);
    expect(server.requests).toHaveLength(0);
  });

  it('documents.upload sends a multipart body with the file and kind', async () => {
    server.handle(reply(200, documentObject({ filename: 'proof.png' })));
    const content = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
    const document = await client.documents.upload('dspt_test_5x1', {
      filename: 'proof.png',
      content,
      kind: 'proof_of_receipt',
    });
    expect(document.filename).toBe('proof.png');
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/disputes/dspt_test_5x1/documents');
    const contentType = request.headers['content-type'] ?? '';
    const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const parts = request.body.toString('latin1').split(`--${boundary}`);
    const filePart = parts.find((part) => part.includes('name="file"')) ?? '';
    expect(filePart).toContain('filename="proof.png"');
    expect(filePart).toContain('Content-Type: image/png');
    const fileBytes = Buffer.from(filePart.split('\r\n\r\n')[1]?.slice(0, -2) ?? '', 'latin1');
    expect([...fileBytes]).toEqual([...content]);
    expect(parts.find((part) => part.includes('name="kind"'))).toContain('proof_of_receipt');
  });

  it('documents.upload refuses files over 10 MB or of unknown type without sending', async () => {
    server.handle(reply(200, documentObject()));
    await expect(
      client.documents.upload('dspt_test_5x1', {
        filename: 'big.pdf',
        content: new Uint8Array(10 * 1024 * 1024 + 1),
      }),
    ).rejects.toThrow(RangeError);
    await expect(
      client.documents.upload('dspt_test_5x1', {
        filename: 'notes.docx',
        content: new Uint8Array([1]),
      }),
    ).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it('a configured Omise-Version is sent instead of the default', async () => {
    const pinned = createOmiseClient({
      secretKey: SECRET_KEY,
      baseUrl: server.url,
      omiseVersion: '2017-11-02',
    });
    server.handle(reply(200, chargeObject()));
    await pinned.charges.retrieve('chrg_test_5x1');
    expect(lastRequest().headers['omise-version']).toBe('2017-11-02');
  });

  it('sequential requests reuse kept-alive connections instead of one each', async () => {
    const fresh = await startOmiseTestServer();
    try {
      const keepAlive = createOmiseClient({ secretKey: SECRET_KEY, baseUrl: fresh.url });
      fresh.handle(reply(200, chargeObject()));
      for (let i = 0; i < 6; i += 1) await keepAlive.charges.retrieve('chrg_test_5x1');
      expect(fresh.requests).toHaveLength(6);
      // undici hands a socket back to its pool a tick after the body ends, so the second
      // request may open one more; after that every request reuses a kept-alive socket.
      expect(fresh.connections).toBeLessThanOrEqual(2);
    } finally {
      await fresh.close();
    }
  });

  it('requires a secret key', () => {
    expect(() => createOmiseClient({ secretKey: '' })).toThrow(TypeError);
  });

  it.each([
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['maxRetries', { maxRetries: -1 }],
    ['maxRetries', { maxRetries: 1.5 }],
    ['retryMaxDelayMs', { retryMaxDelayMs: -5 }],
  ])('rejects a bad %s at creation', (_name, bad) => {
    expect(() => createOmiseClient({ secretKey: SECRET_KEY, ...bad })).toThrow(RangeError);
  });
});
