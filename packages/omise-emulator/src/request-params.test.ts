import { CreateChargeParams, parseFormBody, parseParams } from './request-params';
import { OmiseApiError } from './omise-api-error';

describe('parseFormBody', () => {
  test.each([
    ['amount=100&currency=thb', { amount: '100', currency: 'thb' }],
    [
      'metadata[order_id]=ORDER-1&metadata[color]=black',
      { metadata: { order_id: 'ORDER-1', color: 'black' } },
    ],
    ['card[name]=A%20B&card[number]=4242', { card: { name: 'A B', number: '4242' } }],
    [
      'webhook_endpoints[]=https://a&webhook_endpoints[]=https://b',
      { webhook_endpoints: ['https://a', 'https://b'] },
    ],
    ['a[b][c]=1', { a: { b: { c: '1' } } }],
    ['', {}],
  ])('%s', (body, expected) => {
    expect(parseFormBody(body)).toEqual(expected);
  });
});

describe('parseParams', () => {
  test('coerces form strings to numbers and booleans', () => {
    expect(
      parseParams(CreateChargeParams, { amount: '5000', currency: 'thb', capture: 'false' }),
    ).toMatchObject({
      amount: 5000,
      capture: false,
    });
  });

  test('lists every problem in one Omise error with the given code', () => {
    const attempt = (): unknown =>
      parseParams(CreateChargeParams, { amount: 'ten' }, 'invalid_charge');
    expect(attempt).toThrow(OmiseApiError);
    try {
      attempt();
    } catch (err) {
      expect(err).toMatchObject({ status: 400, code: 'invalid_charge' });
      expect((err as Error).message).toBe('amount must be an integer, currency is required');
    }
  });
});
