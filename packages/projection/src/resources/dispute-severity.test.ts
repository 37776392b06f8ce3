import {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DisputeSeverityRules,
  assessDisputeSeverity,
  type DisputeFacts,
} from './dispute-severity';

const opened = new Date('2026-06-01T00:00:00Z');
const daysBefore = (days: number) => new Date(opened.getTime() - days * 24 * 60 * 60 * 1000);

const rules = DisputeSeverityRules.parse({
  amountThresholds: { thb: { high: 5_000_000, critical: 20_000_000 }, JPY: { high: 200_000 } },
  reasonCodes: ['unauthorized_charge'],
  oldChargeDays: 90,
});

const base: DisputeFacts = {
  amount: 100_000,
  currency: 'THB',
  reasonCode: 'goods_or_services_not_provided',
  openedAt: opened,
  chargeCreatedAt: daysBefore(3),
};

describe('assessDisputeSeverity', () => {
  it.each<[string, Partial<DisputeFacts>, string, string[]]>([
    ['a small dispute matches nothing', {}, 'low', []],
    [
      'an amount at the high threshold is high',
      { amount: 5_000_000 },
      'high',
      ['amount>=5000000 THB'],
    ],
    ['an amount just below it is low', { amount: 4_999_999 }, 'low', []],
    [
      'an amount at the critical threshold is critical',
      { amount: 20_000_000 },
      'critical',
      ['amount>=20000000 THB'],
    ],
    [
      'a lowercase currency matches the same thresholds',
      { amount: 5_000_000, currency: 'thb' },
      'high',
      ['amount>=5000000 THB'],
    ],
    [
      'a currency without thresholds ignores the amount',
      { amount: 999_999_999, currency: 'USD' },
      'low',
      [],
    ],
    [
      'a currency with only a high threshold is never critical',
      { amount: 99_000_000, currency: 'JPY' },
      'high',
      ['amount>=200000 JPY'],
    ],
    [
      'a listed reason code is high',
      { reasonCode: 'unauthorized_charge' },
      'high',
      ['reason=unauthorized_charge'],
    ],
    [
      'an unknown reason code is kept and matches nothing',
      { reasonCode: 'brand_new_code' },
      'low',
      [],
    ],
    [
      'a charge 90 days old is medium',
      { chargeCreatedAt: daysBefore(90) },
      'medium',
      ['charge_age>=90d'],
    ],
    ['a charge 89 days old is low', { chargeCreatedAt: daysBefore(89) }, 'low', []],
    ['an unknown charge age matches no age rule', { chargeCreatedAt: undefined }, 'low', []],
    [
      'the highest matching rule wins and every match is listed',
      { amount: 20_000_000, reasonCode: 'unauthorized_charge', chargeCreatedAt: daysBefore(200) },
      'critical',
      ['amount>=20000000 THB', 'reason=unauthorized_charge', 'charge_age>=90d'],
    ],
    [
      'an old charge with a fraud-like reason is high',
      { reasonCode: 'unauthorized_charge', chargeCreatedAt: daysBefore(200) },
      'high',
      ['reason=unauthorized_charge', 'charge_age>=90d'],
    ],
  ])('%s', (_situation, facts, severity, reasons) => {
    expect(assessDisputeSeverity({ ...base, ...facts }, rules)).toEqual({ severity, reasons });
  });

  it('when the baseline is raised, a dispute matching nothing gets the baseline', () => {
    const raised = DisputeSeverityRules.parse({ baseline: 'medium' });
    expect(assessDisputeSeverity(base, raised)).toEqual({ severity: 'medium', reasons: [] });
  });

  it('the default rules grade a 60,000 THB unauthorised dispute as high', () => {
    expect(
      assessDisputeSeverity(
        { ...base, amount: 6_000_000, reasonCode: 'unauthorized_charge' },
        DEFAULT_DISPUTE_SEVERITY_RULES,
      ),
    ).toEqual({ severity: 'high', reasons: ['amount>=5000000 THB', 'reason=unauthorized_charge'] });
  });
});

describe('DisputeSeverityRules', () => {
  it('when a field is unknown, the rules are rejected rather than silently ignored', () => {
    expect(DisputeSeverityRules.safeParse({ amountThreshold: {} }).success).toBe(false);
  });

  it('when a severity is not one of low/medium/high/critical, the rules are rejected', () => {
    expect(DisputeSeverityRules.safeParse({ reasonCodeSeverity: 'urgent' }).success).toBe(false);
  });
});
