import { createHmac, randomBytes } from 'node:crypto';
import { chargeObject, disputeObject, eventObject, refundObject } from '@omise-sync/testing';

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
  return eventObject({
    id: omiseId('evnt'),
    key,
    data,
    created_at: '2026-11-23T10:00:00Z',
    ...overrides,
  });
}

export function chargeData(overrides: Json = {}): Json {
  return chargeObject({ id: omiseId('chrg'), created_at: '2026-11-23T09:59:58Z', ...overrides });
}

export function refundData(chargeId: string, overrides: Json = {}): Json {
  return refundObject({
    id: omiseId('rfnd'),
    charge: chargeId,
    amount: 50_000,
    created_at: '2026-11-23T09:59:59Z',
    ...overrides,
  });
}

export function disputeData(chargeId: string, overrides: Json = {}): Json {
  return disputeObject({
    id: omiseId('dspt'),
    charge: chargeId,
    created_at: '2026-11-23T09:59:59Z',
    ...overrides,
  });
}
