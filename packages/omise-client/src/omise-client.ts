import {
  type FetchLike,
  type OmiseResponseInfo,
  type RequestSpec,
  type Requester,
  createRequester,
} from './omise-request';
import { type RateLimiter, defaultSleep } from './rate-limiter';
import { type ChargesResource, createChargesResource } from './resources/charges.resource';
import { type DisputesResource, createDisputesResource } from './resources/disputes.resource';
import { type DocumentsResource, createDocumentsResource } from './resources/documents.resource';
import { type EventsResource, createEventsResource } from './resources/events.resource';
import { type RefundsResource, createRefundsResource } from './resources/refunds.resource';
import { type TokensResource, createTokensResource } from './resources/tokens.resource';
import { type BalanceResource, createBalanceResource } from './resources/balance.resource';
import { type ReceiptsResource, createReceiptsResource } from './resources/receipts.resource';
import {
  type TransactionsResource,
  createTransactionsResource,
} from './resources/transactions.resource';
import { type TransfersResource, createTransfersResource } from './resources/transfers.resource';
import {
  type CustomersResource,
  type LinksResource,
  type RecipientsResource,
  type SchedulesResource,
  createCustomersResource,
  createLinksResource,
  createRecipientsResource,
  createSchedulesResource,
} from './resources/directory.resources';
import { DEFAULT_RETRY_LIMITS } from './retry-policy';

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

/** A typed Omise API client. Holds no state but its configuration and the keep-alive pool. */
export interface OmiseClient {
  charges: ChargesResource;
  refunds: RefundsResource;
  disputes: DisputesResource;
  documents: DocumentsResource;
  events: EventsResource;
  tokens: TokensResource;
  transactions: TransactionsResource;
  transfers: TransfersResource;
  balance: BalanceResource;
  receipts: ReceiptsResource;
  customers: CustomersResource;
  recipients: RecipientsResource;
  schedules: SchedulesResource;
  links: LinksResource;
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

  const build = (request: Requester): OmiseClient => ({
    charges: createChargesResource(request),
    refunds: createRefundsResource(request),
    disputes: createDisputesResource(request),
    documents: createDocumentsResource(request),
    events: createEventsResource(request),
    tokens: createTokensResource(request),
    transactions: createTransactionsResource(request),
    transfers: createTransfersResource(request),
    balance: createBalanceResource(request),
    receipts: createReceiptsResource(request),
    customers: createCustomersResource(request),
    recipients: createRecipientsResource(request),
    schedules: createSchedulesResource(request),
    links: createLinksResource(request),
    withSignal: (signal) => build(<T>(spec: RequestSpec<T>) => request({ ...spec, signal })),
  });

  return build(rootRequest);
}
