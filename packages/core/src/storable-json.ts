/** Nesting kept in stored JSON; deeper values are replaced by {@link TRUNCATED_JSON}. */
export const MAX_STORED_JSON_DEPTH = 32;

/** What stands in for a value nested deeper than {@link MAX_STORED_JSON_DEPTH}. */
export const TRUNCATED_JSON = '[omise-sync: nested too deep, not stored]';

function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/**
 * A copy of a JSON value that Postgres and `JSON.stringify` can always store: U+0000 is
 * removed from every string and key (Postgres text and jsonb refuse it), and values nested
 * deeper than {@link MAX_STORED_JSON_DEPTH} are replaced by a marker (`JSON.stringify` overflows
 * the stack near 10,000 levels; Omise's own objects are a few levels deep). Keys are copied as
 * own properties, so a `__proto__` key is kept as data.
 */
export function toStorableJson(value: unknown): unknown {
  // Almost every value is storable as it is: checking costs no allocation, copying a whole
  // charge object per event did (a tenth of the worker's CPU).
  return isStorable(value, 0) ? value : storableCopy(value, 0);
}

/** True when `value` holds no U+0000 and nests no deeper than {@link MAX_STORED_JSON_DEPTH}. */
function isStorable(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return !value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_STORED_JSON_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item: unknown) => isStorable(item, depth + 1));
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes('\u0000')) return false;
    if (!isStorable((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function storableCopy(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return withoutNul(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_STORED_JSON_DEPTH) return TRUNCATED_JSON;
  if (Array.isArray(value)) return value.map((item: unknown) => storableCopy(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(copy, withoutNul(key), {
      value: storableCopy(item, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** {@link toStorableJson} of a string column's value. */
export function toStorableText(text: string): string;
export function toStorableText(text: string | null): string | null;
export function toStorableText(text: string | null): string | null {
  return text === null ? null : withoutNul(text);
}
