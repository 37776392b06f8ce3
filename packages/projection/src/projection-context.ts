import type { EventOrigin } from '@omise-sync/core';

/** How and when the state being projected was obtained. */
export interface ProjectionContext {
  /** What triggered the projection; only `webhook` follow-ups notify. */
  origin: EventOrigin;
  /** When the fetch request was sent to Omise (the state is at least this new). */
  observedAt: Date;
}

/** An expandable field (`charge`, `customer`): the id, or the id of the expanded object. */
export function expandableId(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'id' in value) {
    const id = value.id;
    return typeof id === 'string' ? id : null;
  }
  return null;
}

/** Drains an async iterable (an Omise list) into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
