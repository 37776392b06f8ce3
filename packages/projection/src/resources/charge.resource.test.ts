import { Charge, Refund } from '@omise-sync/omise-client';
import { embeddedRefunds, redactCard, toChargeRow, toRefundRow } from './charge.resource';
import { fixtureObjects, readFixture } from '@omise-sync/testing';

const context = { origin: 'webhook' as const, observedAt: new Date('2026-01-01T00:00:00Z') };
const CARD_KEYS_ALLOWED = ['object', 'id', 'livemode', 'brand', 'last_digits'];

describe('toChargeRow over every recorded charge', () => {
  const charges = fixtureObjects('charge');

  it('finds many recorded charges, so the walk cannot pass vacuously', () => {
    expect(charges.length).toBeGreaterThanOrEqual(80);
  });

  it.each(charges.map((c) => [c.where, c.value] as const))(
    '%s maps to a complete row without card data',
    (_where, value) => {
      const charge = Charge.parse(value);
      const row = toChargeRow(charge, context);
      expect(row.id).toBe(charge.id);
      expect(row.currency).toBe(charge.currency.toUpperCase());
      expect(row.currency).toMatch(/^[A-Z]{3}$/);
      expect(Number.isInteger(row.amount)).toBe(true);
      expect(Number.isInteger(row.refunded_amount)).toBe(true);
      expect(row.status).not.toBe('');
      expect(Number.isNaN(Date.parse(String(row.created_at)))).toBe(false);
      expect(row.observed_at).toBe(context.observedAt);
      const rawCard = (row.raw as { card?: Record<string, unknown> | null }).card;
      if (rawCard !== undefined && rawCard !== null) {
        expect(Object.keys(rawCard).every((key) => CARD_KEYS_ALLOWED.includes(key))).toBe(true);
      }
      if (row.card_last_digits !== null) expect(row.card_last_digits).toMatch(/^\d{4}$/);
    },
  );
});

describe('toChargeRow on specific recordings', () => {
  it('when the charge is from API 2019-05-29, every typed column is taken from it', () => {
    const charge = Charge.parse(
      readFixture('omise-php/charges/chrg_test_63444wyfsg4mtvvck1z-get.json'),
    );
    expect(toChargeRow(charge, context)).toEqual({
      id: 'chrg_test_63444wyfsg4mtvvck1z',
      livemode: false,
      amount: 100_000,
      currency: 'THB',
      status: 'pending',
      authorized: true,
      paid: false,
      capturable: true,
      reversed: false,
      expired: false,
      refunded_amount: 0,
      failure_code: null,
      failure_message: null,
      customer_id: 'cust_test_63440m5rxrwz1lcwno0',
      card_brand: 'Visa',
      card_last_digits: '4242',
      description: 'Order-123',
      metadata: {},
      created_at: '2025-03-20T09:24:15Z',
      authorized_at: '2025-03-20T09:24:15Z',
      paid_at: null,
      expires_at: '2025-03-27T09:24:15Z',
      reversed_at: null,
      raw: expect.objectContaining({
        id: 'chrg_test_63444wyfsg4mtvvck1z',
        card: {
          object: 'card',
          id: 'card_test_63440m1wwjc3ipgm9w4',
          livemode: false,
          brand: 'Visa',
          last_digits: '4242',
        },
      }) as unknown,
      origin: 'webhook',
      observed_at: context.observedAt,
    });
  });

  it('when the charge is from API 2015 (refunded, lowercase currency, captured), it is normalised', () => {
    const charge = Charge.parse(
      readFixture('omise-go/charges/chrg_test_4yq7duw15p9hdrjp8oq-get.json'),
    );
    const row = toChargeRow(charge, context);
    expect(row).toMatchObject({
      currency: 'THB',
      refunded_amount: 10_000,
      status: 'successful',
      paid: true,
      customer_id: 'cust_test_4yq6txdpfadhbaqnwp3',
    });
    expect(JSON.stringify(row.raw)).not.toContain('JOHN DOE');
  });

  it('redactCard keeps only brand and last digits (plus the card id and mode)', () => {
    expect(
      redactCard({
        object: 'card',
        id: 'card_1',
        brand: 'Visa',
        last_digits: '4242',
        first_digits: '424242',
        name: 'Somchai',
        expiration_month: 1,
        fingerprint: 'x',
      }),
    ).toEqual({ object: 'card', id: 'card_1', brand: 'Visa', last_digits: '4242' });
    expect(redactCard(null)).toBeNull();
  });
});

describe('refunds', () => {
  it.each(fixtureObjects('refund').map((r) => [r.where, r.value] as const))(
    '%s maps to a row of its charge',
    (_where, value) => {
      const refund = Refund.parse(value);
      const row = toRefundRow(refund, { id: 'chrg_fallback', livemode: false }, context);
      expect(row.charge_id).toMatch(/^chrg_/);
      expect(row.currency).toMatch(/^[A-Z]{3}$/);
      expect(row.status).not.toBe('');
    },
  );

  it('when the embedded refund list is complete it is used, when truncated it is not', () => {
    const charge = Charge.parse(
      readFixture('omise-swift/charges/chrg_test_5frvn3hgya3qemayzrt-get.json'),
    );
    expect(embeddedRefunds(charge)?.map((r) => r.id)).toEqual(['rfnd_test_5frz1pdm34u27646j5p']);
    const truncated = Charge.parse({
      ...(readFixture('omise-swift/charges/chrg_test_5frvn3hgya3qemayzrt-get.json') as object),
      refunds: {
        object: 'list',
        data: [],
        offset: 0,
        limit: 20,
        total: 25,
        from: '1970-01-01T00:00:00Z',
        to: '2026-01-01T00:00:00Z',
      },
    });
    expect(embeddedRefunds(truncated)).toBeUndefined();
  });
});
