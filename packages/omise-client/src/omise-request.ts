import type { z } from 'zod';
import {
  OmiseAuthenticationError,
  OmiseConnectionError,
  OmiseError,
  type OmiseErrorDetails,
  OmiseInvalidRequestError,
  OmiseNotFoundError,
  OmiseRateLimitError,
  OmiseResponseValidationError,
  OmiseServerError,
} from './omise-error';
import type { RateLimiter } from './rate-limiter';
import {
  type AttemptOutcome,
  type RequestKind,
  type RetryLimits,
  parseRetryAfterMs,
  retryDelayMs,
  shouldRetry,
} from './retry-policy';
import { OmiseErrorBody } from './schemas/error-body.schema';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Query values; `undefined` entries are left out. */
export type QueryParams = Record<string, string | number | boolean | undefined>;

/** A request body: JSON, or raw bytes with their content type (multipart uploads). */
export type RequestBody =
  | { type: 'json'; value: Readonly<Record<string, unknown>> }
  | { type: 'raw'; contentType: string; bytes: Uint8Array };

/** One API call, described declaratively so the retry loop can reason about it. */
export interface RequestSpec<T> {
  method: HttpMethod;
  /** Path template with `:name` placeholders, e.g. `/charges/:id`; also the metrics label. */
  path: string;
  pathParams?: Readonly<Record<string, string>>;
  query?: QueryParams;
  body?: RequestBody;
  kind: RequestKind;
  schema: z.ZodType<T>;
  /** `vault` for tokens. @defaultValue 'api' */
  host?: 'api' | 'vault';
  /** Which key authenticates the call. @defaultValue 'secret' */
  credential?: 'secret' | 'public';
  /** Cancels the call (and any retry) when aborted; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** What `onResponse` receives after every attempt. */
export interface OmiseResponseInfo {
  method: HttpMethod;
  /** Path template, e.g. `/charges/:id`: bounded cardinality for metric labels. */
  path: string;
  /** HTTP status, or 0 when no response arrived (see `outcome`). */
  status: number;
  outcome: 'response' | 'timeout' | 'network';
  durationMs: number;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
}

/** What the client reads from an HTTP response; a fetch `Response` fits. */
export interface FetchLikeResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * The minimal fetch this client needs (the global fetch fits). It may resolve to any
 * {@link FetchLikeResponse}, so a lighter transport than WHATWG fetch can be plugged in.
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<FetchLikeResponse>;

export interface RequesterConfig {
  secretKey: string;
  publicKey: string | undefined;
  baseUrl: string;
  vaultUrl: string;
  omiseVersion: string;
  timeoutMs: number;
  retry: RetryLimits;
  rateLimiter: RateLimiter | undefined;
  fetch: FetchLike;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  onResponse: ((info: OmiseResponseInfo) => void) | undefined;
  userAgent: string;
}

export type Requester = <T>(spec: RequestSpec<T>) => Promise<T>;

// Error codes that prove the connection was never established, so nothing was sent.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof record.code === 'string' ? [record.code] : [];
  const nested = Array.isArray(record.errors)
    ? record.errors.flatMap((inner: unknown) => errorCodes(inner, depth + 1))
    : [];
  return [...own, ...nested, ...errorCodes(record.cause, depth + 1)];
}

function describeNetworkError(error: unknown): string {
  const codes = errorCodes(error);
  const text = error instanceof Error ? error.message : String(error);
  return codes.length > 0 ? `${text} (${[...new Set(codes)].join(', ')})` : text;
}

function expandPath(template: string, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') {
      throw new TypeError(`missing path parameter "${name}" for ${template}`);
    }
    return encodeURIComponent(value);
  });
}

function buildQuery(query: QueryParams | undefined): string {
  if (query === undefined) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) search.append(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Builds the function every resource method goes through: auth, version header, timeout,
 * rate limit, retries, error mapping and response validation. The keys live only in this
 * closure and in the Authorization header; every text that reaches an error is scrubbed.
 */
export function createRequester(config: RequesterConfig): Requester {
  const secrets = [config.secretKey, config.publicKey]
    .filter((key): key is string => key !== undefined && key.length > 0)
    .flatMap((key) => [key, Buffer.from(`${key}:`).toString('base64')]);

  const redact = (text: string): string =>
    secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);

  const authHeader = (credential: 'secret' | 'public'): string => {
    const key = credential === 'public' ? config.publicKey : config.secretKey;
    if (key === undefined || key === '') {
      throw new TypeError('a publicKey option is required to create tokens');
    }
    return `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  };

  const notify = (info: OmiseResponseInfo): void => {
    if (config.onResponse === undefined) return;
    try {
      config.onResponse(info);
    } catch {
      // A metrics hook must never turn a successful API call into a failure.
    }
  };

  function errorFromResponse(
    status: number,
    bodyText: string,
    headers: FetchLikeResponse['headers'],
    base: OmiseErrorDetails,
  ): OmiseError {
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(bodyText);
    } catch {
      parsedBody = undefined;
    }
    const body = OmiseErrorBody.safeParse(parsedBody);
    const details: OmiseErrorDetails = {
      ...base,
      status,
      code: body.success ? redact(body.data.code) : undefined,
      location: body.success ? redact(body.data.location ?? '') || undefined : undefined,
    };
    const reason = body.success ? redact(body.data.message) : `HTTP ${status}`;
    const message = `Omise ${status}${details.code ? ` ${details.code}` : ''}: ${reason} (${base.method} ${base.path}${base.requestId ? `, request ${base.requestId}` : ''})`;
    if (status === 401 || status === 403) return new OmiseAuthenticationError(message, details);
    if (status === 404) return new OmiseNotFoundError(message, details);
    if (status === 429) {
      const retryAfterMs = parseRetryAfterMs(headers.get('retry-after'), config.now());
      return new OmiseRateLimitError(message, { ...details, retryAfterMs });
    }
    if (status >= 500) return new OmiseServerError(message, details);
    return new OmiseInvalidRequestError(message, details);
  }

  return async function request<T>(spec: RequestSpec<T>): Promise<T> {
    const root = spec.host === 'vault' ? config.vaultUrl : config.baseUrl;
    const url = `${root.replace(/\/+$/, '')}${expandPath(spec.path, spec.pathParams)}${buildQuery(spec.query)}`;
    const headers: Record<string, string> = {
      Authorization: authHeader(spec.credential ?? 'secret'),
      'Omise-Version': config.omiseVersion,
      Accept: 'application/json',
      'User-Agent': config.userAgent,
    };
    let payload: string | Uint8Array | undefined;
    if (spec.body?.type === 'json') {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(spec.body.value);
    } else if (spec.body?.type === 'raw') {
      headers['Content-Type'] = spec.body.contentType;
      payload = spec.body.bytes;
    }

    for (let attempt = 1; ; attempt += 1) {
      spec.signal?.throwIfAborted();
      if (config.rateLimiter !== undefined) await config.rateLimiter.acquire();
      spec.signal?.throwIfAborted();
      const base: OmiseErrorDetails = { method: spec.method, path: spec.path, attempts: attempt };
      const started = config.now();
      const controller = new AbortController();
      // A reason object of our own tells our timeout apart from any other abort.
      const timeoutReason = new Error('request timed out');
      const timer = setTimeout(() => controller.abort(timeoutReason), config.timeoutMs);
      const cancel = () => controller.abort(spec.signal?.reason);
      spec.signal?.addEventListener('abort', cancel, { once: true });

      let outcome: AttemptOutcome;
      let failure: OmiseError;
      try {
        const response = await config.fetch(url, {
          method: spec.method,
          headers,
          ...(payload === undefined ? {} : { body: payload }),
          signal: controller.signal,
        });
        // The timeout covers the body too: a server may stall after the headers.
        const bodyText = await response.text();
        clearTimeout(timer);
        const requestId = response.headers.get('x-request-id') ?? undefined;
        notify({
          method: spec.method,
          path: spec.path,
          status: response.status,
          outcome: 'response',
          durationMs: config.now() - started,
          attempt,
        });
        if (response.status >= 200 && response.status < 300) {
          return parseSuccess(spec, bodyText, { ...base, status: response.status, requestId });
        }
        failure = errorFromResponse(response.status, bodyText, response.headers, {
          ...base,
          requestId,
        });
        outcome = {
          type: 'response',
          status: response.status,
          // Honoured on any status: a 503 for maintenance may say when to come back.
          retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), config.now()),
        };
      } catch (error) {
        clearTimeout(timer);
        if (error instanceof OmiseError) throw error;
        // The caller gave up: not an Omise failure, and never retried.
        if (spec.signal?.aborted) throw spec.signal.reason;
        const timedOut = controller.signal.aborted && controller.signal.reason === timeoutReason;
        const requestSent = timedOut || !errorCodes(error).some((c) => NOT_SENT_CODES.has(c));
        notify({
          method: spec.method,
          path: spec.path,
          status: 0,
          outcome: timedOut ? 'timeout' : 'network',
          durationMs: config.now() - started,
          attempt,
        });
        outcome = timedOut ? { type: 'timeout' } : { type: 'network', requestSent };
        const what = timedOut
          ? `timed out after ${config.timeoutMs} ms`
          : `failed: ${redact(describeNetworkError(error))}`;
        failure = new OmiseConnectionError(`Omise request ${spec.method} ${spec.path} ${what}`, {
          ...base,
          isTimeout: timedOut,
          requestSent,
          // Keep the cause's shape for debugging, never its object (it could hold headers).
          cause: timedOut ? undefined : redact(describeNetworkError(error)),
        });
      } finally {
        spec.signal?.removeEventListener('abort', cancel);
      }

      if (!shouldRetry(outcome, attempt, spec.kind, config.retry)) throw failure;
      await config.sleep(retryDelayMs(outcome, attempt, config.random, config.retry));
    }
  };

  function parseSuccess<T>(spec: RequestSpec<T>, bodyText: string, details: OmiseErrorDetails): T {
    let json: unknown;
    try {
      json = JSON.parse(bodyText);
    } catch {
      throw new OmiseResponseValidationError(
        `Omise answered ${spec.method} ${spec.path} with a body that is not JSON`,
        { ...details, issues: [] },
      );
    }
    const result = spec.schema.safeParse(json);
    if (result.success) return result.data;
    // Issue messages and paths can quote the body; scrub them like every other external text.
    const issues = result.error.issues.map((issue) => ({
      ...issue,
      message: redact(issue.message),
      path: issue.path.map((key) => (typeof key === 'string' ? redact(key) : key)),
    }));
    const summary = issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new OmiseResponseValidationError(
      redact(`Omise response to ${spec.method} ${spec.path} did not match its schema: ${summary}`),
      { ...details, issues },
    );
  }
}
