import { createSecretKey } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import {
  OmiseNotFoundError,
  OmiseRateLimitError,
  type OmiseClient,
} from '@omise-sync/omise-client';
import { OmiseEventId } from '@omise-sync/core';
import {
  InvalidEventError,
  ServiceUnavailableError,
  UnauthenticatedDeliveryError,
} from './receiver-errors';
import { verifyWebhookSignature, type SignatureFailureReason } from './webhook-signature';

/** A delivery as it came off the wire. */
export interface Delivery {
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
}

/** The event to process: parsed JSON, not yet validated. */
export interface VerifiedDelivery {
  event: unknown;
  /** True when the event came from the Omise API rather than from the request body. */
  fetched: boolean;
}

/**
 * Proves a delivery genuine and returns the event to process, or rejects with a ReceiverError
 * (401, 400, 503) when it cannot.
 */
export type DeliveryVerifier = (delivery: Delivery) => Promise<VerifiedDelivery>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidEventError('invalid_json', 'request body is not valid JSON');
  }
}

const OUT_OF_WINDOW = 'signature timestamp is outside the accepted window';

const SIGNATURE_FAILURES: Record<
  SignatureFailureReason,
  { code: UnauthenticatedDeliveryError['code']; message: string }
> = {
  missing_signature: { code: 'missing_signature', message: 'Omise-Signature header is missing' },
  missing_timestamp: {
    code: 'missing_signature',
    message: 'Omise-Signature-Timestamp header is missing',
  },
  malformed_timestamp: {
    code: 'invalid_signature',
    message: 'Omise-Signature-Timestamp is not a Unix time in seconds',
  },
  signature_mismatch: { code: 'invalid_signature', message: 'signature does not match' },
  timestamp_too_old: { code: 'timestamp_out_of_tolerance', message: OUT_OF_WINDOW },
  timestamp_in_future: { code: 'timestamp_out_of_tolerance', message: OUT_OF_WINDOW },
};

export interface SignatureVerifierOptions {
  /** Decoded webhook secrets; a signature made with any of them is accepted. */
  secrets: readonly Buffer[];
  /** Seconds either way; 0 disables the timestamp check. */
  toleranceSeconds: number;
  /** Clock in milliseconds since the epoch. */
  now: () => number;
}

/**
 * Signature mode: the HMAC is checked over the raw bytes first, and only a genuine body is
 * parsed as JSON (a parser running first could change the bytes the signature covers).
 */
export function createSignatureVerifier(options: SignatureVerifierOptions): DeliveryVerifier {
  const secrets = options.secrets.map((secret) => createSecretKey(secret));
  const verify = (delivery: Delivery): VerifiedDelivery => {
    const result = verifyWebhookSignature({
      rawBody: delivery.rawBody,
      headers: delivery.headers,
      secrets,
      toleranceSeconds: options.toleranceSeconds,
      nowMs: options.now(),
    });
    if (!result.ok) {
      const failure = SIGNATURE_FAILURES[result.reason];
      throw new UnauthenticatedDeliveryError(failure.code, result.reason, failure.message);
    }
    return { event: parseJson(delivery.rawBody.toString('utf8')), fetched: false };
  };
  // The check itself is synchronous; a throw inside the executor rejects the promise.
  return (delivery) => new Promise((resolve) => resolve(verify(delivery)));
}

export interface FetchVerifierOptions {
  /** Retrieves an event from the Omise API (`createOmiseClient(...).events.retrieve`). */
  retrieveEvent: OmiseClient['events']['retrieve'];
  /** Seconds for `Retry-After` when Omise cannot be reached. */
  retryAfterSeconds: number;
  /** Clock in milliseconds since the epoch. */
  now: () => number;
  /** Milliseconds Omise's answer for an id (found or not found) is reused; 0 turns it off. */
  cacheTtlMs: number;
  /** Most ids whose answer is remembered; the oldest are forgotten first. */
  cacheMaxEntries: number;
  /** Most look-ups sent to Omise per second (bursts of as many); more are answered 503. */
  lookupsPerSecond: number;
}

type Lookup = { found: true; event: unknown } | { found: false };

/**
 * A non-blocking token bucket (GCRA): `tryTake()` says at once whether a look-up may go now. It
 * refuses instead of waiting, because a waiting delivery holds a connection the attacker opened.
 */
function createLookupBudget(perSecond: number, now: () => number): { tryTake(): boolean } {
  const intervalMs = 1000 / perSecond;
  const toleranceMs = (Math.max(1, Math.floor(perSecond)) - 1) * intervalMs;
  let theoreticalArrivalMs = Number.NEGATIVE_INFINITY;
  return {
    tryTake() {
      const nowMs = now();
      const arrival = Math.max(theoreticalArrivalMs, nowMs);
      if (arrival - toleranceMs > nowMs) return false;
      theoreticalArrivalMs = arrival + intervalMs;
      return true;
    },
  };
}

/**
 * Fetch mode, for accounts without a webhook secret: only the posted event id is used; the
 * event is fetched from Omise with our secret key, and the fetched event (not the posted
 * body) is what gets enqueued. An id Omise does not know means the delivery was not genuine.
 *
 * Anyone can POST an id, so each POST must not cost an authenticated API call: concurrent
 * deliveries of one id share one look-up, Omise's answer (found or not) is reused for
 * `cacheTtlMs` (events never change once created), and look-ups beyond `lookupsPerSecond` are
 * answered 503, which Omise's own retries survive.
 */
export function createFetchVerifier(options: FetchVerifierOptions): DeliveryVerifier {
  const answers = new Map<string, { lookup: Promise<Lookup>; expiresAtMs: number }>();
  const budget = createLookupBudget(options.lookupsPerSecond, options.now);

  const remember = (id: string, lookup: Promise<Lookup>, expiresAtMs: number) => {
    answers.delete(id);
    answers.set(id, { lookup, expiresAtMs });
    // A Map iterates in insertion order, so the first key is the oldest.
    while (answers.size > options.cacheMaxEntries) {
      const oldest = answers.keys().next();
      if (oldest.done === true) break;
      answers.delete(oldest.value);
    }
  };

  const lookUp = (id: string): Promise<Lookup> => {
    const cached = answers.get(id);
    if (cached !== undefined && cached.expiresAtMs > options.now()) return cached.lookup;
    if (!budget.tryTake()) {
      throw new ServiceUnavailableError(
        'lookups_rate_limited',
        'too many events to confirm with Omise right now; try again later',
        options.retryAfterSeconds,
      );
    }
    const lookup = options.retrieveEvent(id).then(
      (event): Lookup => ({ found: true, event }),
      (error: unknown): Lookup => {
        if (error instanceof OmiseNotFoundError) return { found: false };
        throw error;
      },
    );
    // In flight: shared by concurrent deliveries of the same id until it settles.
    remember(id, lookup, Number.POSITIVE_INFINITY);
    lookup.then(
      () => {
        if (answers.get(id)?.lookup !== lookup) return;
        if (options.cacheTtlMs > 0) remember(id, lookup, options.now() + options.cacheTtlMs);
        else answers.delete(id);
      },
      () => {
        // A failure is not an answer about the id: the next delivery asks again.
        if (answers.get(id)?.lookup === lookup) answers.delete(id);
      },
    );
    return lookup;
  };

  return async (delivery) => {
    const posted = parseJson(delivery.rawBody.toString('utf8'));
    const id =
      typeof posted === 'object' && posted !== null && 'id' in posted ? posted.id : undefined;
    // Validated before it goes into a URL path.
    const parsedId = OmiseEventId.safeParse(id);
    if (!parsedId.success) {
      throw new InvalidEventError('invalid_event', 'id: must be an Omise event id (evnt_…)');
    }
    let result: Lookup;
    try {
      result = await lookUp(parsedId.data);
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error;
      const retryAfterSeconds =
        error instanceof OmiseRateLimitError && error.retryAfterMs !== undefined
          ? Math.max(options.retryAfterSeconds, Math.ceil(error.retryAfterMs / 1000))
          : options.retryAfterSeconds;
      // Outage, timeout, rate limit, or a rejected secret key (which needs an operator, and
      // until then Omise must keep the event): in every case, ask Omise to deliver it again.
      throw new ServiceUnavailableError(
        'omise_unavailable',
        'could not confirm the event with Omise; try again later',
        retryAfterSeconds,
        { cause: error },
      );
    }
    if (!result.found) {
      throw new UnauthenticatedDeliveryError(
        'unknown_event',
        'event_not_found',
        'no such event at Omise',
      );
    }
    return { event: result.event, fetched: true };
  };
}
