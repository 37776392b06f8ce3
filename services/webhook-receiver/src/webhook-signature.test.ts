import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { newSecret, sign } from '../test/deliveries';
import { verifyWebhookSignature, type VerifySignatureInput } from './webhook-signature';

const secret = newSecret();
const nextSecret = newSecret();
const body = Buffer.from('{"object":"event","id":"evnt_test_1","key":"charge.create"}');
const nowMs = 1_763_900_000_000;
const now = nowMs / 1000;

function verify(
  overrides: Partial<VerifySignatureInput> & { headers: VerifySignatureInput['headers'] },
) {
  return verifyWebhookSignature({
    rawBody: body,
    secrets: [Buffer.from(secret, 'base64')],
    toleranceSeconds: 300,
    nowMs,
    ...overrides,
  });
}

function headers(signature: string, timestamp: number | string = now) {
  return { 'omise-signature': signature, 'omise-signature-timestamp': String(timestamp) };
}

describe('verifyWebhookSignature', () => {
  it('accepts a body signed with the secret and a current timestamp', () => {
    expect(verify({ headers: headers(sign(body, secret, now)) })).toEqual({ ok: true });
  });

  it.each([
    {
      situation: 'no signature header',
      given: { 'omise-signature-timestamp': String(now) },
      reason: 'missing_signature',
    },
    {
      situation: 'a blank signature header',
      given: { 'omise-signature': ' ', 'omise-signature-timestamp': String(now) },
      reason: 'missing_signature',
    },
    {
      situation: 'no timestamp header',
      given: { 'omise-signature': 'ab' },
      reason: 'missing_timestamp',
    },
    {
      situation: 'a timestamp in milliseconds',
      given: headers('ab', nowMs),
      reason: 'malformed_timestamp',
    },
    {
      situation: 'a non-numeric timestamp',
      given: headers('ab', '17639e5'),
      reason: 'malformed_timestamp',
    },
  ] as const)('with $situation, fails as $reason', ({ given, reason }) => {
    expect(verify({ headers: given })).toEqual({ ok: false, reason });
  });

  it('rejects a body changed by one byte after signing', () => {
    const signature = sign(body, secret, now);
    const tampered = Buffer.from(body.toString().replace('charge.create', 'charge.crEate'));
    expect(verify({ rawBody: tampered, headers: headers(signature) })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a signature made with another secret, or over another timestamp', () => {
    expect(verify({ headers: headers(sign(body, newSecret(), now)) }).ok).toBe(false);
    expect(verify({ headers: headers(sign(body, secret, now - 1), now) }).ok).toBe(false);
  });

  it('rejects a signature keyed with the base64 text instead of the decoded secret', () => {
    const wrongKey = createHmac('sha256', secret).update(`${now}.`).update(body).digest('hex');
    expect(verify({ headers: headers(wrongKey) })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('during Omise-side rotation, accepts a header whose second signature matches', () => {
    const signature = `${sign(body, newSecret(), now)}, ${sign(body, secret, now)}`;
    expect(verify({ headers: headers(signature) })).toEqual({ ok: true });
  });

  it('during our rotation, accepts a signature made with any configured secret', () => {
    const secrets = [Buffer.from(secret, 'base64'), Buffer.from(nextSecret, 'base64')];
    expect(verify({ secrets, headers: headers(sign(body, nextSecret, now)) })).toEqual({
      ok: true,
    });
    expect(verify({ secrets, headers: headers(sign(body, secret, now)) })).toEqual({ ok: true });
  });

  it('ignores candidates that are not 64 hex characters instead of throwing', () => {
    const good = sign(body, secret, now);
    expect(verify({ headers: headers(`zz,${good.slice(0, 10)},${good}`) })).toEqual({ ok: true });
    expect(verify({ headers: headers(`v1=${good}`) })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('accepts a signature in upper-case hex', () => {
    expect(verify({ headers: headers(sign(body, secret, now).toUpperCase()) })).toEqual({
      ok: true,
    });
  });

  it.each([
    { situation: 'exactly at the old edge', timestamp: now - 300, expected: { ok: true } },
    {
      situation: 'one second too old',
      timestamp: now - 301,
      expected: { ok: false, reason: 'timestamp_too_old' },
    },
    { situation: 'exactly at the future edge', timestamp: now + 300, expected: { ok: true } },
    {
      situation: 'one second too far ahead',
      timestamp: now + 301,
      expected: { ok: false, reason: 'timestamp_in_future' },
    },
  ] as const)(
    'with a genuine signature $situation of a 300 s window, answers $expected',
    ({ timestamp, expected }) => {
      expect(verify({ headers: headers(sign(body, secret, timestamp), timestamp) })).toEqual(
        expected,
      );
    },
  );

  it('with tolerance 0, accepts a genuine signature whatever its age', () => {
    const old = now - 7 * 24 * 3600;
    expect(verify({ toleranceSeconds: 0, headers: headers(sign(body, secret, old), old) })).toEqual(
      { ok: true },
    );
  });

  it('checks the signature before the window, so a forged stale delivery is a mismatch', () => {
    const old = now - 3600;
    expect(verify({ headers: headers(sign(body, newSecret(), old), old) })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('with no secrets configured, accepts nothing', () => {
    expect(verify({ secrets: [], headers: headers(sign(body, secret, now)) }).ok).toBe(false);
  });
});
