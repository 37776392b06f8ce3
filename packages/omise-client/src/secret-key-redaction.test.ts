import { chargeObject, errorObject } from '@omise-sync/testing';
import { type Handler, reply, startOmiseTestServer } from '../test/omise-test-server';
import { type OmiseClientOptions, createOmiseClient } from './omise-client';
import { OmiseError } from './omise-error';

const SECRET_KEY = 'skey_test_5leakcanary9q7';
const PUBLIC_KEY = 'pkey_test_5leakcanary9q7';
const BASIC = Buffer.from(`${SECRET_KEY}:`).toString('base64');

/** Every string reachable from the error: own properties (enumerable or not), causes, issues. */
function everyText(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  return Object.getOwnPropertyNames(value).flatMap((name) => [
    name,
    ...everyText((value as Record<string, unknown>)[name], seen),
  ]);
}

function expectNoKey(error: unknown): void {
  expect(error).toBeInstanceOf(OmiseError);
  const texts = [
    String(error),
    (error as Error).stack ?? '',
    JSON.stringify(error),
    ...everyText(error),
  ];
  for (const text of texts) {
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(BASIC);
    expect(text).not.toContain(PUBLIC_KEY);
  }
}

describe('the secret key never appears in an error', () => {
  const echo = (status: number): Handler =>
    // A hostile or buggy server that echoes the credentials back in every field.
    reply(status, {
      object: 'error',
      code: `bad_${SECRET_KEY}`,
      message: `key ${SECRET_KEY} / ${BASIC} / ${PUBLIC_KEY} rejected`,
      location: `https://docs.omise.co/${SECRET_KEY}`,
    });

  const failures: Array<
    [string, Handler | 'refused' | 'throwing-fetch', Partial<OmiseClientOptions>]
  > = [
    ['401 echoing the key', echo(401), {}],
    ['404 echoing the key', echo(404), {}],
    ['429 echoing the key', echo(429), {}],
    ['400 echoing the key', echo(400), {}],
    ['500 echoing the key', echo(500), {}],
    ['a non-JSON 502', reply(502, `<html>${SECRET_KEY}</html>`), {}],
    ['a schema failure echoing the key', reply(200, { object: 'charge', id: SECRET_KEY }), {}],
    [
      'an unparseable timestamp echoing the key',
      reply(200, chargeObject({ created_at: SECRET_KEY })),
      {},
    ],
    ['a timeout', () => undefined, { timeoutMs: 30 }],
    [
      'a reset connection',
      (_request, response) => {
        response.socket?.destroy();
      },
      {},
    ],
    ['a refused connection', 'refused', {}],
    ['a transport whose error quotes the Authorization header', 'throwing-fetch', {}],
    ['a plain 404', reply(404, errorObject('not_found', 'charge was not found')), {}],
  ];

  it.each(failures)('when the request fails with %s', async (_name, handler, overrides) => {
    const server = await startOmiseTestServer();
    try {
      const baseUrl = server.url;
      if (handler === 'refused') {
        await server.close();
      } else if (handler !== 'throwing-fetch') {
        server.handle(handler);
      }
      const client = createOmiseClient({
        secretKey: SECRET_KEY,
        publicKey: PUBLIC_KEY,
        baseUrl,
        vaultUrl: baseUrl,
        maxRetries: 1,
        sleep: () => Promise.resolve(),
        ...(handler === 'throwing-fetch'
          ? {
              fetch: (_input: string, init: RequestInit) => {
                const headers = init.headers as Record<string, string>;
                const error = new TypeError(`fetch failed with ${headers['Authorization']}`);
                return Promise.reject(
                  Object.assign(error, { cause: { code: 'ECONNRESET', key: SECRET_KEY } }),
                );
              },
            }
          : {}),
        ...overrides,
      });
      const calls: Array<() => Promise<unknown>> = [
        () => client.charges.retrieve('chrg_test_1'),
        () => client.charges.create({ amount: 1, currency: 'THB' }),
        () =>
          client.tokens.create({
            name: 'n',
            number: '4242',
            expiration_month: 1,
            expiration_year: 2030,
          }),
      ];
      for (const call of calls) {
        const error: unknown = await call().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expectNoKey(error);
      }
    } finally {
      if (handler !== 'refused') await server.close();
    }
  });

  it('the client object itself does not expose the key', () => {
    const client = createOmiseClient({ secretKey: SECRET_KEY, publicKey: PUBLIC_KEY });
    expect(JSON.stringify(client)).not.toContain(SECRET_KEY);
    expect(everyText(client).join(' ')).not.toContain(SECRET_KEY);
  });
});
