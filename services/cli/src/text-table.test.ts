import { describe, expect, it } from '@jest/globals';
import { formatTable } from './text-table';

describe('formatTable', () => {
  it('aligns text left and whole-number columns right, with thousands separators', () => {
    expect(
      formatTable(
        ['currency', 'charges'],
        [
          ['THB', 1234],
          ['JPY', 5],
        ],
      ),
    ).toBe(
      ['currency  charges', '--------  -------', 'THB         1,234', 'JPY             5'].join(
        '\n',
      ),
    );
  });

  it('renders empty cells for null and ISO strings for dates', () => {
    expect(formatTable(['a', 'b'], [[null, new Date('2026-01-02T03:04:05Z')]])).toBe(
      ['a  b', '-  ------------------------', '   2026-01-02T03:04:05.000Z'].join('\n'),
    );
  });
});
