import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Emulator } from '../src/index';

/** Helpers shared by the emulator's tests: plain fetch against the emulator on port 0. */

export type JsonObject = Record<string, unknown>;

/** Where requests go and with which keys: the emulator, or one of its accounts at its URL. */
export type ApiTarget = Pick<Emulator, 'url' | 'secretKey' | 'publicKey'>;

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: JsonObject;
  text: string;
}

export interface RequestOptions {
  /** Key for Basic auth; null sends no Authorization header. Defaults to the secret key. */
  key?: string | null;
  /** Form-encoded body (Omise's native encoding). */
  form?: Record<string, string>;
  json?: unknown;
  multipart?: FormData;
}

export function basicAuth(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
}

export async function api(
  emulator: ApiTarget,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? emulator.secretKey : options.key;
  if (key !== null) headers.authorization = basicAuth(key);
  let body: string | FormData | undefined;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.multipart !== undefined) {
    body = options.multipart;
  }
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let parsed: JsonObject;
  try {
    parsed = JSON.parse(text) as JsonObject;
  } catch {
    parsed = {};
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export async function createToken(
  emulator: ApiTarget,
  number = '4242424242424242',
): Promise<string> {
  const res = await api(emulator, 'POST', '/tokens', {
    key: emulator.publicKey,
    form: {
      'card[name]': 'Somchai Prasert',
      'card[number]': number,
      'card[expiration_month]': '12',
      'card[expiration_year]': '2035',
      'card[security_code]': '123',
    },
  });
  if (res.status !== 200) throw new Error(`token failed: ${res.text}`);
  return String(res.body.id);
}

export async function createCharge(
  emulator: ApiTarget,
  extra: Record<string, string> = {},
  number = '4242424242424242',
): Promise<JsonObject> {
  const card = await createToken(emulator, number);
  const res = await api(emulator, 'POST', '/charges', {
    form: { amount: '100000', currency: 'thb', card, ...extra },
  });
  if (res.status !== 200) throw new Error(`charge failed: ${res.text}`);
  return res.body;
}

export async function createDispute(emulator: ApiTarget): Promise<JsonObject> {
  const charge = await createCharge(emulator);
  const res = await api(emulator, 'POST', `/charges/${String(charge.id)}/disputes`);
  if (res.status !== 200) throw new Error(`dispute failed: ${res.text}`);
  return res.body;
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  event: JsonObject;
}

export interface WebhookSink {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * A local receiver on port 0. `respond(n)` picks the status for the n-th request (0-based),
 * 200 by default.
 */
export async function startWebhookSink(
  respond: (n: number) => number = () => 200,
): Promise<WebhookSink> {
  const received: ReceivedWebhook[] = [];
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const status = respond(count++);
      if (status >= 200 && status < 300) {
        received.push({
          headers: req.headers,
          rawBody,
          event: JSON.parse(rawBody.toString('utf8')) as JsonObject,
        });
      }
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/omise`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Verifies a delivery the way a receiver would, written from API-NOTES §2.1 and independent of
 * the emulator's signer: hex HMAC-SHA256 of `${timestamp}.${rawBody}` keyed by the
 * base64-decoded secret; any comma-separated signature may match.
 */
export function isValidOmiseSignature(
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
  secretBase64: string,
): boolean {
  const signatures = headers['omise-signature'];
  const timestamp = headers['omise-signature-timestamp'];
  if (typeof signatures !== 'string' || typeof timestamp !== 'string') return false;
  const mac = createHmac('sha256', Buffer.from(secretBase64, 'base64'));
  mac.update(Buffer.from(`${timestamp}.`, 'utf8'));
  mac.update(rawBody);
  const expected = mac.digest();
  return signatures.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim(), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Sorted keys of an object, for comparing shapes against recorded fixtures. */
export const keysOf = (value: unknown): string[] => Object.keys(value as JsonObject).sort();

export function fixture(name: 'charge' | 'refund' | 'dispute' | 'event' | 'list'): JsonObject {
  return JSON.parse(
    readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'),
  ) as JsonObject;
}
