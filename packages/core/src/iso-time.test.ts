import { describe, expect, it } from '@jest/globals';
import { isoTime } from './iso-time';

describe('isoTime', () => {
  it('gives what toISOString gives, across milliseconds, seconds, days and years', () => {
    const starts = [
      Date.UTC(2026, 11, 2, 6, 17, 29, 990),
      Date.UTC(1999, 11, 31, 23, 59, 59, 0),
      Date.UTC(2024, 1, 28, 23, 59, 58, 500),
      0,
      -1_500,
    ];
    for (const start of starts) {
      for (let ms = start; ms < start + 2_500; ms += 7) {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }
    }
  });

  it('pads the milliseconds', () => {
    expect(isoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 5))).toBe('2026-01-01T00:00:00.005Z');
    expect(isoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 50))).toBe('2026-01-01T00:00:00.050Z');
    expect(isoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 500))).toBe('2026-01-01T00:00:00.500Z');
  });

  it('is right when the clock goes back, and for times it does not cache', () => {
    const later = Date.UTC(2026, 5, 1, 12, 0, 1, 1);
    expect(isoTime(later)).toBe('2026-06-01T12:00:01.001Z');
    expect(isoTime(later - 1_000)).toBe('2026-06-01T12:00:00.001Z');
    expect(isoTime(later + 0.75)).toBe(new Date(later + 0.75).toISOString());
    expect(isoTime(8.64e15)).toBe('+275760-09-13T00:00:00.000Z');
    expect(isoTime(Date.UTC(-1, 0, 1))).toBe(new Date(Date.UTC(-1, 0, 1)).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
