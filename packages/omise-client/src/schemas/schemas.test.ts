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
