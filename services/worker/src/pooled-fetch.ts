import type { FetchLike, FetchLikeResponse } from '@omise-sync/omise-client';
import { Agent } from 'undici';

/** Options of {@link createPooledFetch}. */
export interface PooledFetchOptions {
  /** Most keep-alive connections per origin (requests beyond it wait for a free one). */
  connections: number;
}

/** A {@link FetchLike} over a keep-alive connection pool, and the way to close that pool. */
export interface PooledFetch {
  fetch: FetchLike;
  /** Waits for requests in flight, then closes every connection. */
  close(): Promise<void>;
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) {
    return Object.fromEntries(new Headers(headers));
  }
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    record[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return record;
}

function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  throw new TypeError('pooled fetch sends only string or byte bodies');
}

/**
 * The Omise client's transport for the worker: undici's `Agent.request` on keep-alive pools.
 * WHATWG fetch (Node's global fetch, built on the same undici) spends most of its CPU building
 * Request/Response/Headers objects and web streams, and the worker re-fetches a resource for
 * most events. Timeouts and cancellation still come from the client's AbortSignal.
 */
export function createPooledFetch(options: PooledFetchOptions): PooledFetch {
  const agent = new Agent({ connections: options.connections });
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const body = requestBody(init.body);
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: init.method ?? 'GET',
      headers: headerRecord(init.headers),
      ...(body === undefined ? {} : { body }),
      signal: init.signal ?? null,
    });
    const headers = response.headers;
    const result: FetchLikeResponse = {
      status: response.statusCode,
      headers: {
        get(name) {
          const value = headers[name.toLowerCase()];
          if (value === undefined) return null;
          return Array.isArray(value) ? value.join(', ') : value;
        },
      },
      text: () => response.body.text(),
    };
    return result;
  };
  return { fetch, close: () => agent.close() };
}
