import { type DriftCounts, type DriftKind, emptyDrift } from '../drift';

/** Tracks drift found and repaired, with a few example ids per kind. */
export class DriftLedger {
  readonly drift: DriftCounts = emptyDrift();
  readonly repaired: DriftCounts = emptyDrift();
  readonly examples: Partial<Record<DriftKind, string[]>> = {};

  found(kind: DriftKind, id: string, count = 1): void {
    this.drift[kind] += count;
    const list = (this.examples[kind] ??= []);
    if (list.length < 5) list.push(id);
  }

  fixed(kind: DriftKind, count = 1): void {
    this.repaired[kind] += count;
  }
}
