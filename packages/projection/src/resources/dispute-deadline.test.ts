import {
  DEFAULT_DISPUTE_RESPONSE_DAYS,
  DisputeResponseDays,
  dependsOnCardCountry,
  disputeRespondBy,
  disputeResponseDays,
} from './dispute-deadline';

describe('DisputeResponseDays', () => {
  it.each([
    [7, 7],
    [10, 10],
    [
      { default: 7, JP: 10 },
      { default: 7, JP: 10 },
    ],
    [
      { jp: 10, th: 5 },
      { JP: 10, TH: 5 },
    ],
  ])('when configured as %j it reads %j', (input, expected) => {
    expect(DisputeResponseDays.parse(input)).toEqual(expected);
  });

  it.each([0, -1, 1.5, 400, '7', { default: 0 }, { JPN: 10 }, { Japan: 10 }, { JP: '10' }, []])(
    'when configured as %j it is refused with what to write instead',
    (input) => {
      const result = DisputeResponseDays.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/e\.g\. \{"default":7,"JP":10\}/);
    },
  );
});

describe('disputeRespondBy', () => {
  const opened = '2026-03-01T10:00:00Z';

  it('when one number is configured, every dispute gets that many days, whatever its card', () => {
    expect(disputeRespondBy(opened, 7, 'JP')).toEqual(new Date('2026-03-08T10:00:00Z'));
    expect(disputeRespondBy(opened, 3)).toEqual(new Date('2026-03-04T10:00:00Z'));
  });

  it('when a country has its own days, a card issued there gets them, any other the default', () => {
    const days = { default: 7, JP: 10 };
    expect(disputeRespondBy(opened, days, 'jp')).toEqual(new Date('2026-03-11T10:00:00Z'));
    expect(disputeRespondBy(opened, days, 'TH')).toEqual(new Date('2026-03-08T10:00:00Z'));
    expect(disputeRespondBy(opened, days, null)).toEqual(new Date('2026-03-08T10:00:00Z'));
    expect(disputeResponseDays({ JP: 10 }, 'us')).toBe(DEFAULT_DISPUTE_RESPONSE_DAYS);
  });

  it('needs the card country only when some country has its own days', () => {
    expect(dependsOnCardCountry(7)).toBe(false);
    expect(dependsOnCardCountry({ default: 5 })).toBe(false);
    expect(dependsOnCardCountry({ default: 5, SG: 14 })).toBe(true);
  });
});
