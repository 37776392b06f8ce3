import type { z } from 'zod';

/** What every Omise client error carries, apart from the message. */
export interface OmiseErrorDetails {
  /** HTTP status of the response; `undefined` when no response arrived. */
  status?: number | undefined;
  /** Omise's error `code` (e.g. `not_found`, `authentication_failure`), when it sent one. */
  code?: string | undefined;
  /** Omise's documentation URL for the error (`location` in the error body). */
  location?: string | undefined;
  /** The `X-Request-Id` response header, to quote to Omise support. */
  requestId?: string | undefined;
  /** HTTP method of the request. */
  method?: string | undefined;
  /** Path template of the request, e.g. `/charges/:id` (no ids, no query). */
  path?: string | undefined;
  /** How many attempts were made, retries included. */
  attempts?: number | undefined;
  /** The underlying error, already scrubbed of credentials. */
  cause?: unknown;
}

/**
 * Base class of every error the client throws. `retryable` says whether the failure is
 * transient (the same request may succeed later): 429, 5xx, connection failures and timeouts.
 * It does not say the request is safe to send again: a timed-out capture may have happened.
 */
export class OmiseError extends Error {
  override readonly name: string = 'OmiseError';
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly location: string | undefined;
  readonly requestId: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly attempts: number | undefined;
  readonly retryable: boolean;

  constructor(message: string, details: OmiseErrorDetails, retryable: boolean) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.location = details.location;
    this.requestId = details.requestId;
    this.method = details.method;
    this.path = details.path;
    this.attempts = details.attempts;
    this.retryable = retryable;
  }
}

/** 401 or 403: the key is wrong, revoked, or the wrong kind (public vs secret). Never retried. */
export class OmiseAuthenticationError extends OmiseError {
  override readonly name = 'OmiseAuthenticationError';
  constructor(message: string, details: OmiseErrorDetails) {
    super(message, details, false);
  }
}

/** 404: the object does not exist (or belongs to another account / mode). */
export class OmiseNotFoundError extends OmiseError {
  override readonly name = 'OmiseNotFoundError';
  constructor(message: string, details: OmiseErrorDetails) {
    super(message, details, false);
  }
}

/** 429: Omise rejected the request unprocessed; wait `retryAfterMs` (when sent) and retry. */
export class OmiseRateLimitError extends OmiseError {
  override readonly name = 'OmiseRateLimitError';
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: OmiseErrorDetails & { retryAfterMs?: number | undefined }) {
    super(message, details, true);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Any other 4xx: the request itself is wrong (`invalid_charge`, `documents_locked`, ...). */
export class OmiseInvalidRequestError extends OmiseError {
  override readonly name = 'OmiseInvalidRequestError';
  constructor(message: string, details: OmiseErrorDetails) {
    super(message, details, false);
  }
}

/** 5xx: Omise failed. Transient as far as we can tell. */
export class OmiseServerError extends OmiseError {
  override readonly name = 'OmiseServerError';
  constructor(message: string, details: OmiseErrorDetails) {
    super(message, details, true);
  }
}

/**
 * No usable response: the connection failed, was reset, or the request timed out.
 * `requestSent` is false only when the failure proves the server never saw the request.
 */
export class OmiseConnectionError extends OmiseError {
  override readonly name = 'OmiseConnectionError';
  readonly isTimeout: boolean;
  readonly requestSent: boolean;
  constructor(
    message: string,
    details: OmiseErrorDetails & { isTimeout: boolean; requestSent: boolean },
  ) {
    super(message, details, true);
    this.isTimeout = details.isTimeout;
    this.requestSent = details.requestSent;
  }
}

/**
 * A 2xx response whose body is not JSON or does not match the schema. Not retried: the same
 * body would come back. `issues` says which fields failed.
 */
export class OmiseResponseValidationError extends OmiseError {
  override readonly name = 'OmiseResponseValidationError';
  readonly issues: readonly z.core.$ZodIssue[];
  constructor(message: string, details: OmiseErrorDetails & { issues: z.core.$ZodIssue[] }) {
    super(message, details, false);
    this.issues = details.issues;
  }
}

/** Type guard for any error thrown by this client. */
export function isOmiseError(error: unknown): error is OmiseError {
  return error instanceof OmiseError;
}
