import { createHmac, randomBytes } from 'node:crypto';

/**
 * Test helpers that produce Omise-style deliveries independently of the code under test:
 * signatures are computed here with node:crypto, following API-NOTES §2.1 directly.
 */

/** A fresh webhook secret as the Omise dashboard shows it (base64). */
export function newSecret(): string {
  return randomBytes(32).toString('base64');
}

/** Hex HMAC-SHA256 of `${timestamp}.${body}` keyed with the base64-decoded secret. */
export function sign(body: string | Buffer, secretBase64: string, timestamp: number): string {
  return createHmac('sha256', Buffer.from(secretBase64, 'base64'))
    .update(`${timestamp}.`)
    .update(body)
    .digest('hex');
}

/** The two signature headers for a body, signed with every given secret (rotation). */
export function signatureHeaders(
  body: string | Buffer,
  secrets: readonly string[],
  timestamp: number,
): Record<string, string> {
  return {
    'omise-signature': secrets.map((secret) => sign(body, secret, timestamp)).join(','),
    'omise-signature-timestamp': String(timestamp),
  };
}

let counter = 0;

/** A unique Omise-looking id with the given prefix. */
export function omiseId(prefix: string): string {
  counter += 1;
  return `${prefix}_test_${Date.now().toString(36)}${counter.toString(36)}${randomBytes(3).toString('hex')}`;
}

type Json = Record<string, unknown>;

/** A 2019-05-29 event envelope around `data`, shaped like the official fixtures. */
export function eventEnvelope(key: string, data: Json, overrides: Json = {}): Json {
  const id = omiseId('evnt');
  return {
    object: 'event',
    id,
    livemode: false,
    location: `/events/${id}`,
    webhook_deliveries: [],
    data,
    key,
    created_at: '2026-11-23T10:00:00Z',
    ...overrides,
  };
}

export function chargeData(overrides: Json = {}): Json {
  const id = omiseId('chrg');
  return {
    object: 'charge',
    id,
    livemode: false,
    location: `/charges/${id}`,
    amount: 100_000,
    currency: 'THB',
    status: 'successful',
    paid: true,
    metadata: {},
    created_at: '2026-11-23T09:59:58Z',
    ...overrides,
  };
}

export function refundData(chargeId: string, overrides: Json = {}): Json {
  const id = omiseId('rfnd');
  return {
    object: 'refund',
    id,
    livemode: false,
    location: `/charges/${chargeId}/refunds/${id}`,
    amount: 50_000,
    currency: 'THB',
    charge: chargeId,
    status: 'closed',
    created_at: '2026-11-23T09:59:59Z',
    ...overrides,
  };
}

export function disputeData(chargeId: string, overrides: Json = {}): Json {
  const id = omiseId('dspt');
  return {
    object: 'dispute',
    id,
    livemode: false,
    location: `/disputes/${id}`,
    amount: 100_000,
    currency: 'THB',
    status: 'open',
    reason_code: 'goods_or_services_not_provided',
    charge: chargeId,
    created_at: '2026-11-23T09:59:59Z',
    ...overrides,
  };
}
