import { buildDisputeAlert, formatAmount } from './dispute-alert';

describe('formatAmount', () => {
  it.each([
    [1_234_567, 'THB', '12,345.67 THB'],
    [100, 'thb', '1.00 THB'],
    [5_000, 'JPY', '5,000 JPY'],
    [99, 'USD', '0.99 USD'],
  ])('%d %s reads %s', (amount, currency, expected) => {
    expect(formatAmount(amount, currency)).toBe(expected);
  });
});

describe('buildDisputeAlert', () => {
  const message = buildDisputeAlert(
    {
      dispute_id: 'dspt_test_1',
      severity: 'high',
      reasons: ['reason=unauthorized_charge'],
      first_seen_status: 'open',
    },
    {
      id: 'dspt_test_1',
      charge_id: 'chrg_test_9',
      amount: 9_000_000,
      currency: 'THB',
      reason_code: 'unauthorized_charge',
      status: 'open',
      livemode: false,
    },
  );

  it('says which dispute, how much, why and how severe in the fallback text', () => {
    expect(message.text).toBe(
      'New high dispute dspt_test_1 (test): 90,000.00 THB, reason unauthorized_charge, charge chrg_test_9',
    );
  });

  it('carries the same facts in Slack blocks, without links', () => {
    const json = JSON.stringify(message.blocks);
    for (const fact of [
      'dspt_test_1',
      '90,000.00 THB',
      'unauthorized_charge',
      'high',
      'chrg_test_9',
    ]) {
      expect(json).toContain(fact);
    }
    expect(json).not.toMatch(/https?:\/\//);
  });
});

describe('buildDisputeAlert for a dispute first seen closed', () => {
  it('says it closed before anyone saw it open, and how', () => {
    const message = buildDisputeAlert(
      { dispute_id: 'dspt_test_2', severity: 'low', reasons: [], first_seen_status: 'lost' },
      {
        id: 'dspt_test_2',
        charge_id: 'chrg_test_2',
        amount: 10_000,
        currency: 'THB',
        reason_code: 'goods_or_services_not_provided',
        status: 'lost',
        livemode: true,
      },
    );
    expect(message.text).toBe(
      'low dispute closed (lost) before anyone saw it open dspt_test_2 (live): 100.00 THB, reason goods_or_services_not_provided, charge chrg_test_2',
    );
    expect(JSON.stringify(message.blocks)).toContain('closed (lost) before anyone saw it open');
  });
});
