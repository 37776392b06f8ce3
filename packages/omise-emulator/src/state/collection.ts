import { notFound } from '../omise-api-error';

/**
 * The objects of one kind: by id for lookups, and in creation order because lists are paged
 * by binary search on `createdAt`.
 */
export class Collection<T extends { readonly id: string }> {
  private readonly byId = new Map<string, T>();
  private readonly ordered: T[] = [];

  /** `kind` names the object in not-found errors (`charge chrg_… was not found`). */
  constructor(private readonly kind: string) {}

  get size(): number {
    return this.byId.size;
  }

  /** Every object, oldest first. */
  get items(): readonly T[] {
    return this.ordered;
  }

  find(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** Throws the API's 404 when there is no such object. */
  get(id: string): T {
    const item = this.byId.get(id);
    if (item === undefined) throw notFound(this.kind, id);
    return item;
  }

  add(item: T): void {
    this.byId.set(item.id, item);
    this.ordered.push(item);
  }

  delete(item: T): void {
    this.byId.delete(item.id);
    this.ordered.splice(this.ordered.indexOf(item), 1);
  }

  clear(): void {
    this.byId.clear();
    this.ordered.length = 0;
  }
}
