import { buildDisputeAlert, formatAmount, disputeHeadline } from './dispute-alert';

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
  const facts = {
    id: 'dspt_test_1',
    charge_id: 'chrg_test_9',
    amount: 9_000_000,
    currency: 'THB',
    reason_code: 'unauthorized_charge',
    reason_message: null,
    status: 'open',
    livemode: true,
    severity: 'high' as const,
    reasons: ['reason=unauthorized_charge'],
    first_seen_status: 'open',
  };
  const message = buildDisputeAlert(disputeHeadline(facts), facts);

  it('says which dispute, how much, why and how severe in the fallback text', () => {
    expect(message.text).toBe(
      'New high dispute dspt_test_1 (live): 90,000.00 THB, reason unauthorized_charge, charge chrg_test_9',
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

  it('when the dispute was first seen won or lost, the headline says it closed before anyone saw it open', () => {
    const facts2 = { ...facts, status: 'lost', first_seen_status: 'lost' };
    expect(buildDisputeAlert(disputeHeadline(facts2), facts2).text).toBe(
      'high dispute closed (lost) before anyone saw it open dspt_test_1 (live): 90,000.00 THB, reason unauthorized_charge, charge chrg_test_9',
    );
  });

  it('when a variant passes its own headline, the alert leads with it', () => {
    const closed = buildDisputeAlert('Dispute closed before it was seen open', facts);
    expect(closed.text.startsWith('Dispute closed before it was seen open dspt_test_1')).toBe(true);
    expect(JSON.stringify(closed.blocks)).toContain('*Dispute closed before it was seen open*');
  });

  it('when the dispute is in test mode, the text and the first block say TEST MODE', () => {
    const test = buildDisputeAlert('New high dispute', { ...facts, livemode: false });
    expect(test.text.startsWith('[TEST MODE] ')).toBe(true);
    expect(JSON.stringify(test.blocks[0])).toContain('TEST MODE');
  });
});
