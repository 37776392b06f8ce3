import { OmiseApiError } from './omise-api-error';
import { isoSeconds, type Json } from './resource-render';

/** Pagination parameters as Omise takes them (https://docs.omise.co/api-pagination). */
export interface ListQuery {
  fromMs: number;
  toMs: number;
  offset: number;
  limit: number;
  order: 'chronological' | 'reverse_chronological';
}

const invalidFilter = (message: string): OmiseApiError =>
  new OmiseApiError(400, 'invalid_filter', message);

function parseTime(name: string, value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidFilter(`${name} is not a valid ISO 8601 time`);
  return ms;
}

function parseCount(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw invalidFilter(`${name} must be an integer`);
  const n = Number(value);
  if (n < min || n > max) throw invalidFilter(`${name} must be between ${min} and ${max}`);
  return n;
}

/** Reads `from`, `to`, `offset`, `limit` (1..100, default 20) and `order` from a query string. */
export function parseListQuery(params: URLSearchParams, nowMs: number): ListQuery {
  const from = params.get('from');
  const to = params.get('to');
  const offset = params.get('offset');
  const limit = params.get('limit');
  const order = params.get('order') ?? 'chronological';
  if (order !== 'chronological' && order !== 'reverse_chronological') {
    throw invalidFilter('order must be chronological or reverse_chronological');
  }
  return {
    fromMs: from === null || from === '' ? 0 : parseTime('from', from),
    toMs: to === null || to === '' ? Math.floor(nowMs / 1000) * 1000 : parseTime('to', to),
    offset: offset === null || offset === '' ? 0 : parseCount('offset', offset, 0, 2 ** 31),
    limit: limit === null || limit === '' ? 20 : parseCount('limit', limit, 1, 100),
    order,
  };
}

interface Created {
  readonly createdAt: number;
}

/** First index whose created second is >= `ms` (items are in creation order). */
function lowerBound(items: readonly Created[], ms: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = items[mid] as Created;
    if (Math.floor(item.createdAt / 1000) * 1000 < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One page of a list kept in creation order: two binary searches for `from`/`to` and a slice,
 * so paging 100,000 charges costs O(log n + limit) per request.
 */
export function pageList<T extends Created>(
  items: readonly T[],
  query: ListQuery,
  location: string,
  render: (item: T) => Json,
): Json {
  const start = lowerBound(items, query.fromMs);
  const end = Math.max(start, lowerBound(items, query.toMs + 1000));
  const total = end - start;
  const data: Json[] = [];
  for (let i = query.offset; i < total && data.length < query.limit; i++) {
    const index = query.order === 'chronological' ? start + i : end - 1 - i;
    data.push(render(items[index] as T));
  }
  return {
    object: 'list',
    data,
    limit: query.limit,
    offset: query.offset,
    total,
    location,
    order: query.order,
    from: isoSeconds(query.fromMs),
    to: isoSeconds(query.toMs),
  };
}
