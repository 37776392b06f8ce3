import { type VerificationFailureReason } from './metrics';

/**
 * Why a delivery was not acknowledged. Each subclass fixes the HTTP status and the `code`
 * of the JSON error body; the app's single error handler turns them into responses. Messages
 * are written for the sender and never contain secrets, signatures or body contents.
 */
export abstract class ReceiverError extends Error {
  abstract readonly status: number;
  /** Stable machine-readable code of the JSON error body. */
  abstract readonly code: string;
  /** Seconds for a `Retry-After` header, for answers that ask Omise to come back later. */
  readonly retryAfterSeconds: number | undefined = undefined;
}

/** 401: the delivery could not be proven to come from Omise. */
export class UnauthenticatedDeliveryError extends ReceiverError {
  override readonly name = 'UnauthenticatedDeliveryError';
  readonly status = 401;
  constructor(
    readonly code:
      'missing_signature' | 'invalid_signature' | 'timestamp_out_of_tolerance' | 'unknown_event',
    /** The finer reason, for the failure metric and the log (not sent to the client). */
    readonly reason: VerificationFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** 404: the URL names an account this deployment does not serve; no secret was tried. */
export class UnknownAccountError extends ReceiverError {
  override readonly name = 'UnknownAccountError';
  readonly status = 404;
  readonly code = 'unknown_account';
  constructor() {
    // The name is not echoed: it came from the URL.
    super('no such account');
  }
}

/** 400: the body is not an Omise event (not JSON, or not the event shape). */
export class InvalidEventError extends ReceiverError {
  override readonly name = 'InvalidEventError';
  readonly status = 400;
  constructor(
    readonly code: 'invalid_json' | 'invalid_event',
    message: string,
  ) {
    super(message);
  }
}

/** 413: the body is larger than the configured limit. */
export class PayloadTooLargeError extends ReceiverError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly code = 'payload_too_large';
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
  }
}

/** 503 + Retry-After: the event could not be handed over now; Omise should deliver it again. */
export class ServiceUnavailableError extends ReceiverError {
  override readonly name = 'ServiceUnavailableError';
  readonly status = 503;
  override readonly retryAfterSeconds: number;
  constructor(
    readonly code:
      | 'queue_unavailable'
      | 'backlog_full'
      | 'omise_unavailable'
      | 'lookups_rate_limited'
      | 'shutting_down',
    message: string,
    retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 502: in fetch mode, Omise answered with something that is not a valid event. */
export class BadUpstreamEventError extends ReceiverError {
  override readonly name = 'BadUpstreamEventError';
  readonly status = 502;
  readonly code = 'invalid_upstream_event';
}

/** The client went away before its body was read; nobody is left to answer. */
export class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError';
}

/** 500: a bug or an unforeseen failure; logged with its cause, answered without details. */
export class InternalReceiverError extends ReceiverError {
  override readonly name = 'InternalReceiverError';
  readonly status = 500;
  readonly code = 'internal_error';
}
