/**
 * When to send a request again, as pure functions (STYLE.md §6).
 *
 * Omise has no idempotency keys (API-NOTES §3.3), so a request that acts (create a charge,
 * capture, refund, ...) is repeated only when the failure proves Omise never processed it:
 * the connection was refused before anything was sent, or a 429 said "rejected, not done".
 */

/**
 * How safe a request is to repeat.
 * - `read`: GET; repeating changes nothing.
 * - `idempotent`: PATCH updates that set fields to given values, and DELETE; repeating leaves
 *   the same state (a repeated DELETE may answer 404).
 * - `action`: acts each time it is processed (create, capture, reverse, expire, mark_as_*,
 *   refund, accept, close, upload).
 */
export type RequestKind = 'read' | 'idempotent' | 'action';

/** What one attempt ended with. */
export type AttemptOutcome =
  | { type: 'response'; status: number; retryAfterMs?: number | undefined }
  /** The connection failed. `requestSent: false` only when nothing reached the server. */
  | { type: 'network'; requestSent: boolean }
  | { type: 'timeout' };

/** Limits for the retry loop. */
export interface RetryLimits {
  /**
   * Retries after the first attempt.
   * @defaultValue 2
   */
  maxRetries: number;
  /**
   * First backoff ceiling in milliseconds; doubles each retry.
   * @defaultValue 500
   */
  baseDelayMs: number;
  /**
   * Largest wait between attempts, in milliseconds. A `Retry-After` above it is not waited
   * for in-process: the error surfaces with `retryAfterMs` so the caller can reschedule.
   * @defaultValue 10_000
   */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_LIMITS: RetryLimits = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
};

/** True for statuses where the same request may succeed later. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Whether to send the request again after `attempt` attempts (1 after the first failure).
 */
export function shouldRetry(
  outcome: AttemptOutcome,
  attempt: number,
  requestKind: RequestKind,
  limits: RetryLimits = DEFAULT_RETRY_LIMITS,
): boolean {
  if (attempt > limits.maxRetries) return false;
  switch (outcome.type) {
    case 'response': {
      // A Retry-After beyond the cap is the caller's to honour (e.g. by rescheduling a job).
      const withinCap =
        outcome.retryAfterMs === undefined || outcome.retryAfterMs <= limits.maxDelayMs;
      // A 429 was rejected before processing, so even an action may be sent again.
      if (outcome.status === 429) return withinCap;
      // A 5xx after an action may come after the action happened (e.g. a proxy timeout).
      return outcome.status >= 500 && requestKind !== 'action' && withinCap;
    }
    case 'network':
      return requestKind !== 'action' || !outcome.requestSent;
    case 'timeout':
      return requestKind !== 'action';
  }
}

/**
 * "Full jitter" exponential backoff: a uniform wait in [0, min(max, base * 2^(attempt-1))).
 * `random` returns a number in [0, 1), like Math.random.
 */
export function backoffMs(
  attempt: number,
  random: () => number,
  limits: Pick<RetryLimits, 'baseDelayMs' | 'maxDelayMs'> = DEFAULT_RETRY_LIMITS,
): number {
  const ceiling = Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** The wait before the next attempt: the server's Retry-After when it sent one, else backoff. */
export function retryDelayMs(
  outcome: AttemptOutcome,
  attempt: number,
  random: () => number,
  limits: Pick<RetryLimits, 'baseDelayMs' | 'maxDelayMs'> = DEFAULT_RETRY_LIMITS,
): number {
  if (outcome.type === 'response' && outcome.retryAfterMs !== undefined) {
    return Math.min(outcome.retryAfterMs, limits.maxDelayMs);
  }
  return backoffMs(attempt, random, limits);
}

/**
 * Reads `Retry-After` (delay-seconds or an HTTP date) into milliseconds from `nowMs`.
 * Returns `undefined` when absent or unreadable; a date in the past means 0.
 */
export function parseRetryAfterMs(
  header: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (header == null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone would
  // also accept "-3" as a year.
  const dateMs = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}
