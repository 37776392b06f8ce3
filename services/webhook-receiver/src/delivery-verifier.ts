import { createSecretKey } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import {
  OmiseNotFoundError,
  OmiseRateLimitError,
  type OmiseClient,
} from '@omise-sync/omise-client';
import { OmiseEventId } from './omise-event-envelope';
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
}

/**
 * Fetch mode, for accounts without a webhook secret: only the posted event id is used; the
 * event is fetched from Omise with our secret key, and the fetched event (not the posted
 * body) is what gets enqueued. An id Omise does not know means the delivery was not genuine.
 */
export function createFetchVerifier(options: FetchVerifierOptions): DeliveryVerifier {
  return async (delivery) => {
    const posted = parseJson(delivery.rawBody.toString('utf8'));
    const id =
      typeof posted === 'object' && posted !== null && 'id' in posted ? posted.id : undefined;
    // Validated before it goes into a URL path.
    const parsedId = OmiseEventId.safeParse(id);
    if (!parsedId.success) {
      throw new InvalidEventError('invalid_event', 'id: must be an Omise event id (evnt_…)');
    }
    try {
      return { event: await options.retrieveEvent(parsedId.data), fetched: true };
    } catch (error) {
      if (error instanceof OmiseNotFoundError) {
        throw new UnauthenticatedDeliveryError(
          'unknown_event',
          'event_not_found',
          'no such event at Omise',
        );
      }
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
  };
}
