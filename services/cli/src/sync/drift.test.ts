import { type NewCharge } from '@omise-sync/db';
import { disputeRow } from '@omise-sync/testing';
import { chargeDifferences, disputeDifferences, emptyDrift } from './drift';

const charge: NewCharge = {
  id: 'chrg_1',
  livemode: false,
  amount: 10_000,
  currency: 'THB',
  status: 'successful',
  authorized: true,
  paid: true,
  capturable: false,
  reversed: false,
  expired: false,
  refunded_amount: 0,
  failure_code: null,
  failure_message: null,
  customer_id: null,
  card_brand: 'Visa',
  card_last_digits: '4242',
  description: 'Order #1',
  metadata: { order: 'A-1', lines: 2 },
  created_at: '2026-01-01T00:00:00Z',
  authorized_at: '2026-01-01T00:00:00Z',
  paid_at: '2026-01-01T00:00:00Z',
  expires_at: null,
  reversed_at: null,
  raw: {},
  origin: 'reconcile',
  observed_at: new Date('2026-01-02T00:00:00Z'),
};

const dispute = disputeRow({
  id: 'dspt_1',
  charge_id: 'chrg_1',
  amount: 10_000,
  created_at: '2026-01-03T00:00:00Z',
  respond_by: '2026-01-10T00:00:00Z',
  raw: {},
  origin: 'reconcile',
  observed_at: new Date('2026-01-04T00:00:00Z'),
});

describe('drift comparisons', () => {
  it('when a stored charge agrees (dates as Date, metadata keys in another order), there is no difference', () => {
    const stored = {
      ...charge,
      paid_at: new Date('2026-01-01T00:00:00.000Z'),
      metadata: { lines: 2, order: 'A-1' },
    };
    expect(chargeDifferences(charge, stored)).toEqual([]);
  });

  it('when a refund or a capture was missed, the differing columns are named', () => {
    const stored = { ...charge, refunded_amount: 0, paid: false, paid_at: null, status: 'pending' };
    expect(chargeDifferences({ ...charge, refunded_amount: 5_000 }, stored)).toEqual([
      'status',
      'paid',
      'refunded_amount',
      'paid_at',
    ]);
  });

  it('when a dispute closed at Omise but is open in Postgres, status and closed_at differ', () => {
    const closed = { ...dispute, status: 'won', closed_at: '2026-01-10T00:00:00Z' };
    expect(disputeDifferences(closed, dispute)).toEqual(['status', 'closed_at']);
    expect(disputeDifferences(dispute, { ...dispute, metadata: { case: 'x' } })).toEqual([
      'metadata',
    ]);
  });

  it('when a run starts, every drift kind counts zero', () => {
    expect(Object.values(emptyDrift()).every((n) => n === 0)).toBe(true);
    expect(Object.keys(emptyDrift())).toContain('events_unprocessed');
  });
});
