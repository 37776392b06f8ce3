import { describe, expect, it } from '@jest/globals';
import {
  MAX_STORED_JSON_DEPTH,
  TRUNCATED_JSON,
  toStorableJson,
  toStorableText,
} from './storable-json';

function nested(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let current = root;
  for (let i = 0; i < depth; i += 1) {
    const next: Record<string, unknown> = {};
    current['a'] = next;
    current = next;
  }
  return root;
}

describe('toStorableJson', () => {
  it('when a string or a key holds U+0000, the character is removed', () => {
    const stored = toStorableJson({ 'na\u0000me': 'Jo\u0000hn', list: ['\u0000x'] });
    expect(stored).toEqual({ name: 'John', list: ['x'] });
    expect(toStorableText('a\u0000b')).toBe('ab');
    expect(toStorableText(null)).toBeNull();
  });

  it('when metadata is nested 10,000 deep, it is cut at the depth limit and can be serialised', () => {
    const deep = nested(10_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const text = JSON.stringify(toStorableJson(deep));
    expect(text.split('{').length - 1).toBe(MAX_STORED_JSON_DEPTH);
    expect(text).toContain(TRUNCATED_JSON);
  });

  it('when a key is __proto__, it is kept as data and no prototype changes', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown;
    const stored = toStorableJson(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(JSON.stringify(stored)).toBe('{"__proto__":{"polluted":true},"ok":1}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('when the value is already storable, it comes back as it is, not copied', () => {
    const value = { a: [1, 'two', null, { b: true }], c: 'ü' };
    expect(toStorableJson(value)).toBe(value);
  });

  it('when only a deeply nested string holds U+0000, the copy fixes it and leaves the input alone', () => {
    const input = { a: { b: [{ c: 'x\u0000y' }] }, d: 1 };
    expect(toStorableJson(input)).toEqual({ a: { b: [{ c: 'xy' }] }, d: 1 });
    expect(input.a.b[0]?.c).toBe('x\u0000y');
  });
});
