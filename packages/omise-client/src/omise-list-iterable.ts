import type { OmiseList } from './schemas/list.schema';

/** Omise's pagination parameters (API-NOTES §3.4). */
export interface ListParams {
  /** Earliest creation time included, ISO 8601. @defaultValue 1970-01-01T00:00:00Z */
  from?: string | Date;
  /**
   * Latest creation time included, ISO 8601. When iterating without it, the `to` of the
   * first page (the server's "now") is pinned for every later page.
   */
  to?: string | Date;
  /**
   * Page size, 1 to 100. Iteration defaults to 100 to make the fewest calls.
   * @defaultValue 100 when iterating, Omise's 20 for `firstPage`/`page` without it
   */
  limit?: number;
  /** @defaultValue 'chronological' */
  order?: 'chronological' | 'reverse_chronological';
}

/** The query a single page request sends. */
export type PageQuery = {
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  order?: string | undefined;
  offset: number;
};

/**
 * A list endpoint: `for await (const item of list)` walks every item across pages;
 * `firstPage()` and `page(offset)` return raw pages.
 */
export interface OmiseListIterable<T> extends AsyncIterable<T> {
  firstPage(): Promise<OmiseList<T>>;
  page(offset: number): Promise<OmiseList<T>>;
}

/** The largest page Omise serves. */
export const MAX_PAGE_SIZE = 100;

function toIso(value: string | Date | undefined): string | undefined {
  return value instanceof Date ? value.toISOString() : value;
}

function validateLimit(limit: number | undefined): void {
  if (limit === undefined) return;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
  }
}

/**
 * Wraps a page fetcher into an async iterable that neither skips nor repeats items.
 *
 * Omise paginates by offset, so an item inserted before the current offset would shift
 * every later item by one (a repeat), and one removed would shift them back (a skip). Two
 * choices prevent that for items created while we page:
 * - the `to` bound is fixed for the whole walk (the caller's, or the first page's `to`,
 *   which is the server's clock, so client clock skew does not matter): items created
 *   later are outside the window and cannot shift offsets;
 * - ids already yielded on the previous page are dropped, which absorbs an item created in
 *   the same second as `to` appearing at a page boundary.
 * What this cannot prevent: an item leaving a *filtered* list while we page (a dispute that
 * stops being `open`) shifts later items back, so `/disputes/open` can skip one. Iterate the
 * unfiltered list, or collect before changing the items, when that matters.
 */
export function createListIterable<T extends { id?: unknown }>(
  params: ListParams | undefined,
  fetchPage: (query: PageQuery) => Promise<OmiseList<T>>,
): OmiseListIterable<T> {
  validateLimit(params?.limit);
  const baseQuery = {
    from: toIso(params?.from),
    to: toIso(params?.to),
    order: params?.order,
  };

  const page = (offset: number): Promise<OmiseList<T>> => {
    if (!Number.isInteger(offset) || offset < 0) {
      throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
    }
    return fetchPage({ ...baseQuery, limit: params?.limit, offset });
  };

  return {
    firstPage: () => page(0),
    page,
    async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
      const limit = params?.limit ?? MAX_PAGE_SIZE;
      const order = params?.order ?? 'chronological';
      let to = baseQuery.to;
      let offset = 0;
      let previousIds = new Set<unknown>();
      for (;;) {
        const current = await fetchPage({ ...baseQuery, order, to, limit, offset });
        to ??= current.to;
        const ids = new Set<unknown>();
        let fresh = 0;
        for (const item of current.data) {
          ids.add(item.id);
          if (item.id !== undefined && previousIds.has(item.id)) continue;
          fresh += 1;
          yield item;
        }
        offset += current.data.length;
        // Stop on an empty page, at the end of the window, or if the server ignored the
        // offset and sent the same items again (no progress would mean an endless loop).
        if (current.data.length === 0 || offset >= current.total || fresh === 0) return;
        previousIds = ids;
      }
    },
  };
}
