import { Charge } from './charge.schema';
import { Dispute } from './dispute.schema';
import { OmiseEvent, isChargeData, isDeletedData, isDisputeData } from './event.schema';
import { normalizeOmiseTimestamp } from './timestamp.schema';

const charge2019 = {
  object: 'charge',
  id: 'chrg_test_1',
  livemode: false,
  location: '/charges/chrg_test_1',
  amount: 12345,
  currency: 'THB',
  status: 'successful',
  created_at: '2019-12-31T12:59:59Z',
};

describe('normalizeOmiseTimestamp', () => {
  it.each([
    ['2019-12-31T12:59:59Z', '2019-12-31T12:59:59Z'],
    ['2017-11-04T19:12:35+07:00', '2017-11-04T12:12:35Z'],
    ['2023-03-02 10:27:09 UTC', '2023-03-02T10:27:09Z'],
    ['2024-01-01T00:00:00.250Z', '2024-01-01T00:00:00.250Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(normalizeOmiseTimestamp(input)).toBe(expected);
  });

  it.each(['yesterday', '2023-03-02', '', '2023-13-45T99:00:00Z'])(
    'rejects %j as not a timestamp',
    (input) => {
      expect(normalizeOmiseTimestamp(input)).toBeUndefined();
    },
  );
});

describe('forward-compatible schemas', () => {
  it('when a charge comes from an old API version, created becomes created_at in UTC', () => {
    const { created_at: _drop, ...rest } = charge2019;
    const parsed = Charge.parse({ ...rest, currency: 'thb', created: '2017-11-04T19:12:35+07:00' });
    expect(parsed.created_at).toBe('2017-11-04T12:12:35Z');
    expect(parsed.currency).toBe('thb');
  });

  it('when Omise adds a field or a status, the charge still parses and keeps both', () => {
    const parsed = Charge.parse({ ...charge2019, status: 'settling', brand_new_field: { a: 1 } });
    expect(parsed.status).toBe('settling');
    expect(parsed['brand_new_field']).toEqual({ a: 1 });
  });

  it('when a charge nests objects with unmodelled fields, every field is kept and timestamps normalised', () => {
    const parsed = Charge.parse(
      JSON.parse(
        JSON.stringify({
          ...charge2019,
          paid_at: '2019-12-31T19:59:59+07:00',
          zero_interest_installments: false,
          card: { object: 'card', id: 'card_1', brand: 'Visa', bank: 'KBank', expiration_month: 1 },
          refunds: {
            object: 'list',
            data: [
              {
                object: 'refund',
                id: 'rfnd_1',
                location: '/charges/chrg_test_1/refunds/rfnd_1',
                amount: 100,
                currency: 'THB',
                charge: 'chrg_test_1',
                created_at: '2020-01-01T07:00:00+07:00',
                acquirer_reference_number: null,
              },
            ],
            offset: 0,
            limit: 20,
            total: 1,
            from: '1970-01-01T00:00:00Z',
            to: '2020-01-02T00:00:00Z',
            order: 'chronological',
          },
        }),
      ) as unknown,
    );
    expect(parsed).toMatchObject({
      paid_at: '2019-12-31T12:59:59Z',
      zero_interest_installments: false,
      card: { object: 'card', bank: 'KBank', expiration_month: 1 },
      refunds: {
        data: [
          { id: 'rfnd_1', created_at: '2020-01-01T00:00:00Z', acquirer_reference_number: null },
        ],
      },
    });
  });

  it('when a nested object is malformed, the issue names its path', () => {
    const result = Charge.safeParse({ ...charge2019, card: { id: 'card_1' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['card.object']);
  });

  it('when the JSON carries a __proto__ key, it is not carried into the parsed object', () => {
    const parsed = Charge.parse(
      JSON.parse(
        `{"__proto__":{"polluted":true},${JSON.stringify(charge2019).slice(1)}`,
      ) as unknown,
    );
    expect(Object.hasOwn(parsed, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('when a dispute has an unknown reason code, it is kept as a string', () => {
    const parsed = Dispute.parse({
      object: 'dispute',
      id: 'dspt_test_1',
      livemode: false,
      location: '/disputes/dspt_test_1',
      amount: 100,
      currency: 'THB',
      status: 'open',
      charge: 'chrg_test_1',
      reason_code: 'fraudulent',
      created_at: '2019-12-31T12:59:59Z',
    });
    expect(parsed.reason_code).toBe('fraudulent');
  });

  it('when a charge amount is not an integer, parsing fails', () => {
    expect(Charge.safeParse({ ...charge2019, amount: 12.5 }).success).toBe(false);
  });

  it('when a charge has no creation time at all, parsing fails', () => {
    const { created_at: _drop, ...rest } = charge2019;
    expect(Charge.safeParse(rest).success).toBe(false);
  });

  const event = {
    object: 'event',
    id: 'evnt_test_1',
    livemode: false,
    location: '/events/evnt_test_1',
    key: 'charge.create',
    created_at: '2019-12-31T12:59:59Z',
  };

  it('when event data is a charge, it is parsed as a charge', () => {
    const parsed = OmiseEvent.parse({ ...event, data: charge2019 });
    expect(isChargeData(parsed.data)).toBe(true);
    expect(isDisputeData(parsed.data)).toBe(false);
  });

  it('when event data is a deleted object, it parses as deleted', () => {
    const parsed = OmiseEvent.parse({
      ...event,
      key: 'customer.destroy',
      data: { object: 'customer', id: 'cust_test_1', livemode: false, deleted: true },
    });
    expect(isDeletedData(parsed.data)).toBe(true);
  });

  it('when event data is an object we do not model, it is kept loose with its fields', () => {
    const parsed = OmiseEvent.parse({
      ...event,
      key: 'payout.created',
      data: { object: 'payout', id: 'pout_1', amount: 5 },
    });
    expect(parsed.data).toEqual({ object: 'payout', id: 'pout_1', amount: 5 });
  });

  it('when event data claims to be a charge but is malformed, the event fails with the path', () => {
    const result = OmiseEvent.safeParse({ ...event, data: { ...charge2019, amount: 'lots' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['data', 'amount']);
  });

  it('when a webhook delivery has the "… UTC" timestamp form, it is normalised', () => {
    const parsed = OmiseEvent.parse({
      ...event,
      data: charge2019,
      webhook_deliveries: [{ id: 'whdl_1', status: 404, created_at: '2023-03-02 10:27:09 UTC' }],
    });
    expect(parsed.webhook_deliveries?.[0]?.created_at).toBe('2023-03-02T10:27:09Z');
  });
});
