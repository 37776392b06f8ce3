import type { z } from 'zod';
import { createListIterable, type ListParams, type OmiseListIterable } from './omise-list-iterable';
import {
  type FetchLike,
  type OmiseResponseInfo,
  type RequestSpec,
  type Requester,
  createRequester,
} from './omise-request';
import { encodeMultipart } from './multipart-body';
import { type RateLimiter, defaultSleep } from './rate-limiter';
import { DEFAULT_RETRY_LIMITS } from './retry-policy';
import { Charge } from './schemas/charge.schema';
import { DeletedObject, type Metadata } from './schemas/common.schema';
import { Dispute } from './schemas/dispute.schema';
import { DisputeDocument } from './schemas/document.schema';
import { OmiseEvent, OmiseEventSummary } from './schemas/event.schema';
import { OmiseList } from './schemas/list.schema';
import { Refund } from './schemas/refund.schema';
import type { DisputeListStatus } from './schemas/statuses';
import { Token } from './schemas/token.schema';

/** Options of {@link createOmiseClient}. */
export interface OmiseClientOptions {
  /** Secret key (`skey_...`). Used only in the Authorization header; never in errors. */
  secretKey: string;
  /** Public key (`pkey_...`); needed only for `tokens.create`. */
  publicKey?: string | undefined;
  /**
   * API root; point it at the emulator in tests.
   * @defaultValue 'https://api.omise.co'
   */
  baseUrl?: string | undefined;
  /**
   * Vault root, for tokens.
   * @defaultValue 'https://vault.omise.co'
   */
  vaultUrl?: string | undefined;
  /**
   * `Omise-Version` sent on every request so response shapes do not follow the account's
   * dashboard setting.
   * @defaultValue '2019-05-29'
   */
  omiseVersion?: string | undefined;
  /**
   * Time limit of one attempt (connect, headers and body), in milliseconds.
   * @defaultValue 30_000
   */
  timeoutMs?: number | undefined;
  /**
   * Retries after the first attempt, for failures the retry policy deems safe to repeat.
   * @defaultValue 2
   */
  maxRetries?: number | undefined;
  /**
   * First backoff ceiling in milliseconds (doubles per retry, full jitter).
   * @defaultValue 500
   */
  retryBaseDelayMs?: number | undefined;
  /**
   * Longest wait between attempts in milliseconds; a longer `Retry-After` is surfaced as an
   * {@link OmiseRateLimitError} instead of waited for.
   * @defaultValue 10_000
   */
  retryMaxDelayMs?: number | undefined;
  /** Awaited before every attempt; share one across clients or processes. @defaultValue none */
  rateLimiter?: RateLimiter | undefined;
  /**
   * HTTP transport. Node's global fetch (undici) keeps connections alive.
   * @defaultValue globalThis.fetch
   */
  fetch?: FetchLike | undefined;
  /** Waits between retries, in milliseconds. @defaultValue a timer-based sleep */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Source of jitter in [0, 1). @defaultValue Math.random */
  random?: (() => number) | undefined;
  /** Clock in milliseconds (durations, Retry-After dates). @defaultValue Date.now */
  now?: (() => number) | undefined;
  /** Called after every attempt, e.g. to count Omise calls by path and status. */
  onResponse?: ((info: OmiseResponseInfo) => void) | undefined;
}

type Extra = { readonly [param: string]: unknown };

/** `POST /charges`. Extra parameters pass through unchanged. */
export interface CreateChargeParams extends Extra {
  amount: number;
  currency: string;
  card?: string;
  customer?: string;
  source?: string | Readonly<Record<string, unknown>>;
  description?: string;
  metadata?: Metadata;
  capture?: boolean;
  authorization_type?: 'pre_auth' | 'final_auth';
  return_uri?: string;
  ip?: string;
  expires_at?: string;
  webhook_endpoints?: readonly string[];
}

/** `PATCH /charges/{id}`. */
export interface UpdateChargeParams extends Extra {
  description?: string;
  metadata?: Metadata;
}

/** `POST /charges/{id}/refunds`. */
export interface CreateRefundParams extends Extra {
  amount: number;
  metadata?: Metadata;
  void?: boolean;
}

/** `PATCH /disputes/{id}`. */
export interface UpdateDisputeParams extends Extra {
  message?: string;
  metadata?: Metadata;
}

/** `GET /disputes[/{status}]`. */
export interface ListDisputesParams extends ListParams {
  /** Only disputes with this status; `closed` means won or lost. @defaultValue all */
  status?: DisputeListStatus;
}

/** Card details for `POST {vault}/tokens` (test cards in test mode only). */
export interface CreateTokenParams extends Extra {
  name: string;
  number: string;
  expiration_month: number;
  expiration_year: number;
  security_code?: string;
  city?: string;
  postal_code?: string;
  country?: string;
}

/** A file to attach to a dispute. */
export interface UploadDocumentParams {
  filename: string;
  content: Uint8Array;
  /** `image/png`, `image/jpeg` or `application/pdf`; guessed from the file name when absent. */
  contentType?: string;
  /** Evidence kind, e.g. `proof_of_receipt` (the parameter is not officially documented). */
  kind?: string;
}

/** Largest document Omise accepts (10 MB). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const DOCUMENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  pdf: 'application/pdf',
};

export interface ChargesResource {
  create(params: CreateChargeParams): Promise<Charge>;
  /** `expand: true` inlines expandable objects (customer, transaction, ...). */
  retrieve(chargeId: string, options?: { expand?: boolean }): Promise<Charge>;
  update(chargeId: string, params: UpdateChargeParams): Promise<Charge>;
  list(params?: ListParams): OmiseListIterable<Charge>;
  /** Captures an authorised charge; `capture_amount` for a partial capture. */
  capture(chargeId: string, params?: { capture_amount?: number }): Promise<Charge>;
  reverse(chargeId: string): Promise<Charge>;
  expire(chargeId: string): Promise<Charge>;
  /** Test mode only. */
  markAsPaid(chargeId: string): Promise<Charge>;
  /** Test mode only. */
  markAsFailed(chargeId: string): Promise<Charge>;
  /** The charge's events, without `data` (key and time). */
  listEvents(chargeId: string, params?: ListParams): OmiseListIterable<OmiseEventSummary>;
}

export interface RefundsResource {
  create(chargeId: string, params: CreateRefundParams): Promise<Refund>;
  list(chargeId: string, params?: ListParams): OmiseListIterable<Refund>;
  retrieve(chargeId: string, refundId: string): Promise<Refund>;
}

export interface DisputesResource {
  list(params?: ListDisputesParams): OmiseListIterable<Dispute>;
  retrieve(disputeId: string): Promise<Dispute>;
  update(disputeId: string, params: UpdateDisputeParams): Promise<Dispute>;
  accept(disputeId: string): Promise<Dispute>;
  /** Test mode only. */
  close(disputeId: string, status: 'won' | 'lost'): Promise<Dispute>;
  /** Opens a dispute on a charge; test mode only. */
  create(chargeId: string, params?: Extra): Promise<Dispute>;
}

export interface DocumentsResource {
  list(disputeId: string, params?: ListParams): OmiseListIterable<DisputeDocument>;
  retrieve(disputeId: string, documentId: string): Promise<DisputeDocument>;
  /** Multipart upload (PNG, JPG or PDF, at most 10 MB); the dispute must be open. */
  upload(disputeId: string, params: UploadDocumentParams): Promise<DisputeDocument>;
  delete(disputeId: string, documentId: string): Promise<DeletedObject>;
}

export interface EventsResource {
  list(params?: ListParams): OmiseListIterable<OmiseEvent>;
  retrieve(eventId: string): Promise<OmiseEvent>;
}

export interface TokensResource {
  /** Creates a card token on the vault with the public key. */
  create(card: CreateTokenParams): Promise<Token>;
}

/** A typed Omise API client. Holds no state but its configuration and the keep-alive pool. */
export interface OmiseClient {
  charges: ChargesResource;
  refunds: RefundsResource;
  disputes: DisputesResource;
  documents: DocumentsResource;
  events: EventsResource;
  tokens: TokensResource;
  /**
   * The same client with every call bound to `signal`: aborting it cancels the request in
   * flight and any retry, and the call rejects with the signal's reason. For shutdown or a
   * job deadline: `omise.withSignal(AbortSignal.timeout(5_000)).charges.retrieve(id)`.
   */
  withSignal(signal: AbortSignal): OmiseClient;
}

function checkedNumber(
  name: string,
  value: number | undefined,
  fallback: number,
  rule: { integer?: boolean; min: number },
): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < rule.min || (rule.integer && !Number.isInteger(value))) {
    const kind = rule.integer ? 'an integer' : 'a number';
    throw new RangeError(`${name} must be ${kind} of at least ${rule.min}, got ${value}`);
  }
  return value;
}

function documentContentType(params: UploadDocumentParams): string {
  if (params.contentType !== undefined) return params.contentType;
  const extension = params.filename.split('.').pop()?.toLowerCase() ?? '';
  const guessed = DOCUMENT_TYPES[extension];
  if (guessed === undefined) {
    throw new TypeError(
      `cannot tell the content type of "${params.filename}"; pass contentType (PNG, JPG or PDF)`,
    );
  }
  return guessed;
}

const ChargeList = OmiseList(Charge);
const RefundList = OmiseList(Refund);
const DisputeList = OmiseList(Dispute);
const DocumentList = OmiseList(DisputeDocument);
const EventList = OmiseList(OmiseEvent);
const EventSummaryList = OmiseList(OmiseEventSummary);

/** Creates a client. Nothing is sent until a method is called. */
export function createOmiseClient(options: OmiseClientOptions): OmiseClient {
  if (typeof options.secretKey !== 'string' || options.secretKey.trim() === '') {
    throw new TypeError('secretKey is required');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const rootRequest = createRequester({
    secretKey: options.secretKey,
    publicKey: options.publicKey,
    baseUrl: options.baseUrl ?? 'https://api.omise.co',
    vaultUrl: options.vaultUrl ?? 'https://vault.omise.co',
    omiseVersion: options.omiseVersion ?? '2019-05-29',
    timeoutMs: checkedNumber('timeoutMs', options.timeoutMs, 30_000, { min: 1 }),
    retry: {
      maxRetries: checkedNumber('maxRetries', options.maxRetries, DEFAULT_RETRY_LIMITS.maxRetries, {
        integer: true,
        min: 0,
      }),
      baseDelayMs: checkedNumber(
        'retryBaseDelayMs',
        options.retryBaseDelayMs,
        DEFAULT_RETRY_LIMITS.baseDelayMs,
        { min: 0 },
      ),
      maxDelayMs: checkedNumber(
        'retryMaxDelayMs',
        options.retryMaxDelayMs,
        DEFAULT_RETRY_LIMITS.maxDelayMs,
        { min: 0 },
      ),
    },
    rateLimiter: options.rateLimiter,
    fetch: fetchImpl,
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    onResponse: options.onResponse,
    userAgent: `omise-sync-omise-client/0.1.0 node/${process.versions.node}`,
  });

  const build = (request: Requester): OmiseClient => {
    const listOf = <T extends { id?: unknown }>(
      path: string,
      pathParams: Record<string, string>,
      schema: z.ZodType<OmiseList<T>>,
      params: ListParams | undefined,
    ): OmiseListIterable<T> =>
      createListIterable(params, (query) =>
        request({
          method: 'GET',
          path,
          pathParams,
          query,
          kind: 'read',
          schema,
        }),
      );

    const chargeAction = (path: string) => (chargeId: string) =>
      request({
        method: 'POST',
        path,
        pathParams: { id: chargeId },
        kind: 'action',
        schema: Charge,
      });

    const charges: ChargesResource = {
      create: (params) =>
        request({
          method: 'POST',
          path: '/charges',
          body: { type: 'json', value: params },
          kind: 'action',
          schema: Charge,
        }),
      retrieve: (chargeId, retrieveOptions) =>
        request({
          method: 'GET',
          path: '/charges/:id',
          pathParams: { id: chargeId },
          query: { expand: retrieveOptions?.expand },
          kind: 'read',
          schema: Charge,
        }),
      update: (chargeId, params) =>
        request({
          method: 'PATCH',
          path: '/charges/:id',
          pathParams: { id: chargeId },
          body: { type: 'json', value: params },
          kind: 'idempotent',
          schema: Charge,
        }),
      list: (params) => listOf('/charges', {}, ChargeList, params),
      capture: (chargeId, params) =>
        request({
          method: 'POST',
          path: '/charges/:id/capture',
          pathParams: { id: chargeId },
          ...(params?.capture_amount === undefined
            ? {}
            : { body: { type: 'json', value: { capture_amount: params.capture_amount } } }),
          kind: 'action',
          schema: Charge,
        }),
      reverse: chargeAction('/charges/:id/reverse'),
      expire: chargeAction('/charges/:id/expire'),
      markAsPaid: chargeAction('/charges/:id/mark_as_paid'),
      markAsFailed: chargeAction('/charges/:id/mark_as_failed'),
      listEvents: (chargeId, params) =>
        listOf('/charges/:id/events', { id: chargeId }, EventSummaryList, params),
    };

    const refunds: RefundsResource = {
      create: (chargeId, params) =>
        request({
          method: 'POST',
          path: '/charges/:id/refunds',
          pathParams: { id: chargeId },
          body: { type: 'json', value: params },
          kind: 'action',
          schema: Refund,
        }),
      list: (chargeId, params) =>
        listOf('/charges/:id/refunds', { id: chargeId }, RefundList, params),
      retrieve: (chargeId, refundId) =>
        request({
          method: 'GET',
          path: '/charges/:id/refunds/:refundId',
          pathParams: { id: chargeId, refundId },
          kind: 'read',
          schema: Refund,
        }),
    };

    const disputes: DisputesResource = {
      list: (params) => {
        const { status, ...page } = params ?? {};
        return status === undefined
          ? listOf('/disputes', {}, DisputeList, page)
          : listOf('/disputes/:status', { status }, DisputeList, page);
      },
      retrieve: (disputeId) =>
        request({
          method: 'GET',
          path: '/disputes/:id',
          pathParams: { id: disputeId },
          kind: 'read',
          schema: Dispute,
        }),
      update: (disputeId, params) =>
        request({
          method: 'PATCH',
          path: '/disputes/:id',
          pathParams: { id: disputeId },
          body: { type: 'json', value: params },
          kind: 'idempotent',
          schema: Dispute,
        }),
      accept: (disputeId) =>
        request({
          method: 'PATCH',
          path: '/disputes/:id/accept',
          pathParams: { id: disputeId },
          kind: 'action',
          schema: Dispute,
        }),
      close: (disputeId, status) =>
        request({
          method: 'PATCH',
          path: '/disputes/:id/close',
          pathParams: { id: disputeId },
          body: { type: 'json', value: { status } },
          kind: 'action',
          schema: Dispute,
        }),
      create: (chargeId, params) =>
        request({
          method: 'POST',
          path: '/charges/:id/disputes',
          pathParams: { id: chargeId },
          ...(params === undefined ? {} : { body: { type: 'json', value: params } }),
          kind: 'action',
          schema: Dispute,
        }),
    };

    const documents: DocumentsResource = {
      list: (disputeId, params) =>
        listOf('/disputes/:id/documents', { id: disputeId }, DocumentList, params),
      retrieve: (disputeId, documentId) =>
        request({
          method: 'GET',
          path: '/disputes/:id/documents/:documentId',
          pathParams: { id: disputeId, documentId },
          kind: 'read',
          schema: DisputeDocument,
        }),
      upload: async (disputeId, params) => {
        if (params.content.byteLength === 0) throw new RangeError('document content is empty');
        if (params.content.byteLength > MAX_DOCUMENT_BYTES) {
          throw new RangeError(
            `document is ${params.content.byteLength} bytes; Omise accepts at most ${MAX_DOCUMENT_BYTES}`,
          );
        }
        const body = encodeMultipart(params.kind === undefined ? {} : { kind: params.kind }, [
          {
            field: 'file',
            filename: params.filename,
            contentType: documentContentType(params),
            content: params.content,
          },
        ]);
        return request({
          method: 'POST',
          path: '/disputes/:id/documents',
          pathParams: { id: disputeId },
          body: { type: 'raw', ...body },
          kind: 'action',
          schema: DisputeDocument,
        });
      },
      delete: (disputeId, documentId) =>
        request({
          method: 'DELETE',
          path: '/disputes/:id/documents/:documentId',
          pathParams: { id: disputeId, documentId },
          kind: 'idempotent',
          schema: DeletedObject,
        }),
    };

    const events: EventsResource = {
      list: (params) => listOf('/events', {}, EventList, params),
      retrieve: (eventId) =>
        request({
          method: 'GET',
          path: '/events/:id',
          pathParams: { id: eventId },
          kind: 'read',
          schema: OmiseEvent,
        }),
    };

    const tokens: TokensResource = {
      create: (card) =>
        request({
          method: 'POST',
          path: '/tokens',
          host: 'vault',
          credential: 'public',
          body: { type: 'json', value: { card } },
          kind: 'action',
          schema: Token,
        }),
    };

    return {
      charges,
      refunds,
      disputes,
      documents,
      events,
      tokens,
      withSignal: (signal) => build(<T>(spec: RequestSpec<T>) => request({ ...spec, signal })),
    };
  };

  return build(rootRequest);
}
