import { type Clock } from '@omise-sync/core';
import { PAGE_SIZE, type ResourceWalker } from './resource-walkers';

/** A fetched page, with what the writer needs and when it was requested. */
export interface FetchedPage<T> {
  offset: number;
  total: number;
  items: T[];
  requestedAt: Date;
}

/** A new window: its end, and its first page (already fetched to learn that end). */
export interface StartedWindow<T> {
  to: string;
  first: FetchedPage<T>;
}

/**
 * Starts a window at `from`. The first page is asked for without `to`: its answer carries
 * Omise's "now", which becomes the window's end for this walk and every resumption of it.
 */
export async function startWindow<T>(
  walker: ResourceWalker<T>,
  from: string,
  clock: Clock,
): Promise<StartedWindow<T>> {
  const requestedAt = clock.now();
  const page = await walker.list(from, undefined).page(0);
  return {
    to: page.to,
    first: { offset: 0, total: page.total, items: await walker.complete(page.data), requestedAt },
  };
}

export interface PageWalkerOptions<T> {
  /** The window (fixed `to`), the offset to start at and the total last counted. */
  window: { from: string; to: string; offset: number; total: number };
  /** Pages fetched ahead of the consumer. */
  prefetch: number;
  clock: Clock;
  /** The window's first page, when {@link startWindow} just fetched it. */
  first?: FetchedPage<T> | undefined;
}

/**
 * The pages of one window in offset order, with up to `prefetch` in flight ahead of the
 * consumer: the window's `to` is fixed, so every page is addressable by offset in advance.
 */
export class PageWalker<T> {
  /** Items in the window as Omise last counted them. */
  total: number;
  /** List pages fetched by this run, the window's first page included. */
  fetched: number;
  private readonly list: ReturnType<ResourceWalker<T>['list']>;
  private readonly inFlight: Promise<FetchedPage<T>>[] = [];
  private nextOffset: number;

  constructor(
    private readonly walker: ResourceWalker<T>,
    private readonly options: PageWalkerOptions<T>,
  ) {
    this.list = walker.list(options.window.from, options.window.to);
    this.nextOffset = options.window.offset;
    this.total = options.window.total;
    this.fetched = options.first === undefined ? 0 : 1;
  }

  /** The next page in offset order, or undefined when none is left in the window. */
  async next(): Promise<FetchedPage<T> | undefined> {
    this.fill();
    const head = this.inFlight.shift();
    if (head === undefined) return undefined;
    const page = await head;
    this.total = Math.max(this.total, page.total);
    return page;
  }

  /**
   * Continues at `offset` after a short page inside the window: the offsets in flight were
   * computed for full pages, so they are dropped.
   */
  restartAt(offset: number): void {
    this.discard();
    this.nextOffset = offset;
  }

  /** Forgets the pages in flight. */
  discard(): void {
    this.inFlight.length = 0;
  }

  private fill(): void {
    while (this.inFlight.length < this.options.prefetch && this.nextOffset < this.total) {
      const promise = this.fetchPage(this.nextOffset);
      // Awaited later in order; until then a rejection must not count as unhandled.
      promise.catch(() => undefined);
      this.inFlight.push(promise);
      this.nextOffset += PAGE_SIZE;
    }
  }

  private async fetchPage(offset: number): Promise<FetchedPage<T>> {
    if (this.options.first !== undefined && offset === 0) return this.options.first;
    const requestedAt = this.options.clock.now();
    const page = await this.list.page(offset);
    this.fetched += 1;
    return { offset, total: page.total, items: await this.walker.complete(page.data), requestedAt };
  }
}
