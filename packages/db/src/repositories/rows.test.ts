import { describe, expect, it } from '@jest/globals';
import { json } from './rows';

describe('json (jsonb parameters as text)', () => {
  it('serialises objects and passes JSON text through unchanged', () => {
    expect(json({ a: [1, 'ชำระเงิน ✓'], b: null })).toBe('{"a":[1,"ชำระเงิน ✓"],"b":null}');
    expect(json('{"already":"text"}')).toBe('{"already":"text"}');
  });

  it('keeps paired surrogates and a backslash followed by "ud800" as they are', () => {
    const value = { emoji: '\ud83d\ude00', text: 'a \\ud800 b' };
    expect(JSON.parse(json(value))).toEqual(value);
  });

  it('replaces lone surrogates, which jsonb refuses, with U+FFFD', () => {
    expect(JSON.parse(json({ cut: 'x\ud83d', low: '\udc00y' }))).toEqual({
      cut: 'x\ufffd',
      low: '\ufffdy',
    });
    // The same in JSON text, as Omise could send it.
    expect(JSON.parse(json('{"cut":"x\\ud83d","pair":"\\ud83d\\ude00"}'))).toEqual({
      cut: 'x\ufffd',
      pair: '\ud83d\ude00',
    });
  });
});
