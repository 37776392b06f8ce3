import { planDisputeReminders } from './dispute-reminders';

const HOUR = 3_600_000;
const now = new Date('2026-06-01T00:00:00Z');
const at = (hoursFromNow: number) => new Date(now.getTime() + hoursFromNow * HOUR);

describe('planDisputeReminders', () => {
  it.each([
    [
      'deadline 100 h away: both reminders, in the future',
      100,
      [72, 24],
      [
        ['72h', 28],
        ['24h', 76],
      ],
    ],
    [
      'deadline 30 h away: 72h is due now, 24h later',
      30,
      [72, 24],
      [
        ['72h', -42],
        ['24h', 6],
      ],
    ],
    ['deadline 12 h away: only the closest due reminder', 12, [72, 24], [['24h', -12]]],
    ['deadline passed: none', -1, [72, 24], []],
    [
      'hours in any order and repeated are planned once each',
      100,
      [24, 72, 24],
      [
        ['72h', 28],
        ['24h', 76],
      ],
    ],
  ] as const)('%s', (_name, deadlineHours, hours, expected) => {
    const planned = planDisputeReminders('dspt_test_1', at(deadlineHours), hours, now);
    expect(planned.map((r) => [r.kind, (r.dueAt.getTime() - now.getTime()) / HOUR])).toEqual(
      expected,
    );
  });
});
