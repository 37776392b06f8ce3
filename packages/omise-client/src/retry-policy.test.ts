import {
  type AttemptOutcome,
  type RequestKind,
  backoffMs,
  parseRetryAfterMs,
  retryDelayMs,
  shouldRetry,
} from './retry-policy';

const limits = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 10_000 };

const ok = (status: number, retryAfterMs?: number): AttemptOutcome => ({
  type: 'response',
  status,
  retryAfterMs,
});
const refused: AttemptOutcome = { type: 'network', requestSent: false };
const reset: AttemptOutcome = { type: 'network', requestSent: true };
const timeout: AttemptOutcome = { type: 'timeout' };

describe('shouldRetry', () => {
  const table: Array<[string, AttemptOutcome, number, RequestKind, boolean]> = [
    // reads repeat on every transient failure
    ['read, 500', ok(500), 1, 'read', true],
    ['read, 502', ok(502), 1, 'read', true],
    ['read, 503', ok(503), 2, 'read', true],
    ['read, 429 without Retry-After', ok(429), 1, 'read', true],
    ['read, 429 with Retry-After 2 s', ok(429, 2_000), 1, 'read', true],
    ['read, 429 with Retry-After beyond the cap', ok(429, 60_000), 1, 'read', false],
    ['read, connection refused', refused, 1, 'read', true],
    ['read, connection reset after sending', reset, 1, 'read', true],
    ['read, timeout', timeout, 1, 'read', true],
    ['read, 400', ok(400), 1, 'read', false],
    ['read, 401', ok(401), 1, 'read', false],
    ['read, 403', ok(403), 1, 'read', false],
    ['read, 404', ok(404), 1, 'read', false],
    ['read, 422', ok(422), 1, 'read', false],
    ['read, 503 with Retry-After 1 s', ok(503, 1_000), 1, 'read', true],
    ['read, 503 with Retry-After beyond the cap', ok(503, 60_000), 1, 'read', false],
    ['read, 500 after the last retry', ok(500), 3, 'read', false],
    ['read, timeout after the last retry', timeout, 3, 'read', false],
    // idempotent writes (PATCH updates, DELETE) behave like reads
    ['idempotent, 503', ok(503), 1, 'idempotent', true],
    ['idempotent, timeout', timeout, 2, 'idempotent', true],
    ['idempotent, reset', reset, 1, 'idempotent', true],
    ['idempotent, 409', ok(409), 1, 'idempotent', false],
    // actions repeat only when Omise provably did not process them
    ['action, 429 (rejected unprocessed)', ok(429), 1, 'action', true],
    ['action, connection refused before sending', refused, 1, 'action', true],
    ['action, connection reset after sending', reset, 1, 'action', false],
    ['action, timeout (may have been processed)', timeout, 1, 'action', false],
    ['action, 500 (may have been processed)', ok(500), 1, 'action', false],
    ['action, 503', ok(503), 1, 'action', false],
    ['action, 400', ok(400), 1, 'action', false],
    ['action, 429 after the last retry', ok(429), 3, 'action', false],
  ];

  it.each(table)('%s -> attempt %#', (_name, outcome, attempt, kind, expected) => {
    expect(shouldRetry(outcome, attempt, kind, limits)).toBe(expected);
  });

  it('with maxRetries 0, nothing is retried', () => {
    expect(shouldRetry(ok(503), 1, 'read', { ...limits, maxRetries: 0 })).toBe(false);
  });
});

describe('backoffMs', () => {
  it.each([
    [1, 0.5, 250],
    [2, 0.5, 500],
    [3, 0.5, 1_000],
    [3, 0.999, 1_998],
    [1, 0, 0],
    [10, 0.5, 5_000], // 500 * 2^9 is capped at 10 s
    [40, 0.999, 9_990],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffMs(attempt, () => random, limits)).toBe(expected);
  });

  it('never exceeds the cap whatever the attempt', () => {
    for (let attempt = 1; attempt < 60; attempt += 1) {
      expect(backoffMs(attempt, () => 0.9999999, limits)).toBeLessThan(limits.maxDelayMs);
    }
  });
});

describe('retryDelayMs', () => {
  it('when the server sent Retry-After, waits exactly that', () => {
    expect(retryDelayMs(ok(429, 3_000), 1, () => 0.1, limits)).toBe(3_000);
  });

  it('when Retry-After is beyond the cap, waits only the cap', () => {
    expect(retryDelayMs(ok(429, 90_000), 1, () => 0.1, limits)).toBe(10_000);
  });

  it('without Retry-After, uses jittered backoff', () => {
    expect(retryDelayMs(ok(503), 2, () => 0.5, limits)).toBe(500);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['2', 2_000],
    ['0', 0],
    ['1.5', 1_500],
    [' 7 ', 7_000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
  ])('reads %j as %i ms', (header, expected) => {
    expect(parseRetryAfterMs(header, now)).toBe(expected);
  });

  it.each([null, undefined, '', 'soon', '-3'])('ignores %j', (header) => {
    expect(parseRetryAfterMs(header, now)).toBeUndefined();
  });
});
