import { type Emulator, startEmulator } from './index';
import { api, createCharge, createToken, fixture, keysOf } from '../test/emulator-test-kit';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ seed: 'charges' });
});
afterEach(async () => {
  await emulator.close();
});

describe('POST /tokens', () => {
  test('with the public key, a test card becomes a token that never shows the full number', async () => {
    const res = await api(emulator, 'POST', '/tokens', {
      key: emulator.publicKey,
      form: {
        'card[name]': 'A',
        'card[number]': '4242 4242 4242 4242',
        'card[expiration_month]': '1',
        'card[expiration_year]': '2040',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'token', used: false, livemode: false });
    expect(String(res.body.id)).toMatch(/^tokn_test_[0-9a-z]{19}$/);
    expect(res.body.card).toMatchObject({ brand: 'Visa', last_digits: '4242', first_digits: null });
    expect(res.text).not.toContain('4242424242424242');
  });

  test('a number that fails the Luhn check is rejected with invalid_card', async () => {
    const res = await api(emulator, 'POST', '/tokens', {
      key: emulator.publicKey,
      form: {
        'card[name]': 'A',
        'card[number]': '4242424242424241',
        'card[expiration_month]': '1',
        'card[expiration_year]': '2040',
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ object: 'error', code: 'invalid_card' });
  });

  test('an expired card or a missing name is rejected with invalid_card', async () => {
    const expired = await api(emulator, 'POST', '/tokens', {
      key: emulator.publicKey,
      form: {
        'card[name]': 'A',
        'card[number]': '4242424242424242',
        'card[expiration_month]': '1',
        'card[expiration_year]': '2001',
      },
    });
    expect(expired.body).toMatchObject({
      code: 'invalid_card',
      message: 'expiration date cannot be in the past',
    });
    const nameless = await api(emulator, 'POST', '/tokens', {
      key: emulator.publicKey,
      form: {
        'card[number]': '4242424242424242',
        'card[expiration_month]': '1',
        'card[expiration_year]': '2040',
      },
    });
    expect(nameless.status).toBe(400);
    expect(nameless.body.code).toBe('invalid_card');
  });
});

describe('POST /charges', () => {
  test('a charge on a test token is successful and shaped like the 2019-05-29 fixture', async () => {
    const charge = await createCharge(emulator, {
      description: 'Order-1',
      'metadata[color]': 'pink',
    });
    expect(charge).toMatchObject({
      object: 'charge',
      status: 'successful',
      amount: 100000,
      currency: 'THB',
      paid: true,
      authorized: true,
      capturable: false,
      refundable: true,
      disputable: true,
      livemode: false,
      refunded_amount: 0,
      fee: 3650,
      fee_vat: 256,
      net: 96094,
      description: 'Order-1',
      metadata: { color: 'pink' },
    });
    expect(String(charge.id)).toMatch(/^chrg_test_[0-9a-z]{19}$/);
    expect(charge.location).toBe(`/charges/${String(charge.id)}`);
    expect(String(charge.transaction)).toMatch(/^trxn_test_/);
    expect(keysOf(charge)).toEqual(keysOf(fixture('charge')));
    expect(keysOf(charge.card)).toEqual(keysOf(fixture('charge').card));
    expect(keysOf(charge.refunds)).toEqual(keysOf(fixture('list')));
  });

  test.each([
    ['4111111111140011', 'insufficient_fund'],
    ['5555551111100012', 'stolen_or_lost_card'],
    ['3530111111170013', 'failed_processing'],
    ['4111111111110014', 'payment_rejected'],
    ['4111111111190016', 'failed_fraud_check'],
    ['4111111111180017', 'invalid_account_number'],
  ])('test card %s makes a failed charge with failure_code %s', async (number, code) => {
    const charge = await createCharge(emulator, {}, number);
    expect(charge).toMatchObject({
      status: 'failed',
      failure_code: code,
      paid: false,
      authorized: false,
      transaction: null,
    });
    expect(typeof charge.failure_message).toBe('string');
  });

  test('a token can be used only once', async () => {
    const card = await createToken(emulator);
    const first = await api(emulator, 'POST', '/charges', {
      form: { amount: '5000', currency: 'thb', card },
    });
    expect(first.status).toBe(200);
    const second = await api(emulator, 'POST', '/charges', {
      form: { amount: '5000', currency: 'thb', card },
    });
    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({ code: 'used_token', message: 'token was already used' });
  });

  test('an unknown token is a 404 not_found, like the recorded Omise answer', async () => {
    const res = await api(emulator, 'POST', '/charges', {
      form: { amount: '5000', currency: 'thb', card: 'invalid_token' },
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      object: 'error',
      location: 'https://www.omise.co/api-errors#not-found',
      code: 'not_found',
      message: 'token invalid_token was not found',
    });
  });

  test('too small an amount, an unknown currency and a missing amount are invalid_charge', async () => {
    const card = await createToken(emulator);
    const small = await api(emulator, 'POST', '/charges', {
      form: { amount: '100', currency: 'thb', card },
    });
    expect(small.body).toMatchObject({
      code: 'invalid_charge',
      message: 'amount must be greater than or equal to 2000 (thb subunits)',
    });
    const currency = await api(emulator, 'POST', '/charges', {
      form: { amount: '5000', currency: 'xxx', card },
    });
    expect(currency.body).toMatchObject({
      code: 'invalid_charge',
      message: 'currency is currently not supported',
    });
    const missing = await api(emulator, 'POST', '/charges', { json: { currency: 'thb', card } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'invalid_charge', message: 'amount is required' });
    const neither = await api(emulator, 'POST', '/charges', {
      json: { amount: 5000, currency: 'thb' },
    });
    expect(neither.body.code).toBe('invalid_charge');
  });

  test('a customer with a saved card can be charged without a token', async () => {
    const card = await createToken(emulator);
    const customer = await api(emulator, 'POST', '/customers', {
      form: { email: 'a@example.com', card },
    });
    expect(customer.status).toBe(200);
    const customerId = String(customer.body.id);
    const charge = await api(emulator, 'POST', '/charges', {
      form: { amount: '5000', currency: 'thb', customer: customerId },
    });
    expect(charge.body).toMatchObject({ status: 'successful', customer: customerId });
    expect((charge.body.card as { location: string }).location).toMatch(
      `/customers/${customerId}/cards/`,
    );
    const unknownCard = await api(emulator, 'POST', '/charges', {
      form: { amount: '5000', currency: 'thb', customer: customerId, card: 'card_test_nope' },
    });
    expect(unknownCard.status).toBe(404);
  });
});

describe('pre-authorisation (capture=false)', () => {
  test('creates a pending authorised charge that capture turns successful', async () => {
    const charge = await createCharge(emulator, { capture: 'false' });
    expect(charge).toMatchObject({
      status: 'pending',
      authorized: true,
      paid: false,
      capturable: true,
      reversible: true,
    });
    const captured = await api(emulator, 'POST', `/charges/${String(charge.id)}/capture`);
    expect(captured.body).toMatchObject({
      status: 'successful',
      paid: true,
      captured_amount: 100000,
      capturable: false,
    });
    const again = await api(emulator, 'POST', `/charges/${String(charge.id)}/capture`);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('failed_capture');
  });

  test('capture_amount captures part of the authorisation; more than authorised is refused', async () => {
    const charge = await createCharge(emulator, { capture: 'false' });
    const tooMuch = await api(emulator, 'POST', `/charges/${String(charge.id)}/capture`, {
      form: { capture_amount: '100001' },
    });
    expect(tooMuch.body.code).toBe('failed_capture');
    const partial = await api(emulator, 'POST', `/charges/${String(charge.id)}/capture`, {
      form: { capture_amount: '50000' },
    });
    expect(partial.body).toMatchObject({
      captured_amount: 50000,
      funding_amount: 50000,
      fee: 1825,
      fee_vat: 128,
      net: 48047,
      authorization_type: 'pre_auth',
    });
  });

  test('reverse releases a pending authorisation; a captured charge cannot be reversed', async () => {
    const pending = await createCharge(emulator, { capture: 'false' });
    const reversed = await api(emulator, 'POST', `/charges/${String(pending.id)}/reverse`);
    expect(reversed.body).toMatchObject({
      status: 'reversed',
      reversed: true,
      reversible: false,
      capturable: false,
    });
    expect(reversed.body.reversed_at).not.toBeNull();
    const captured = await createCharge(emulator);
    const refused = await api(emulator, 'POST', `/charges/${String(captured.id)}/reverse`);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'failed_reverse',
      message: 'only uncaptured authorized charges can be reversed',
    });
    const capture = await api(emulator, 'POST', `/charges/${String(pending.id)}/capture`);
    expect(capture.body.code).toBe('failed_capture');
  });

  test('expire ends a pending charge; a successful charge cannot expire', async () => {
    const pending = await createCharge(emulator, { capture: 'false' });
    const expired = await api(emulator, 'POST', `/charges/${String(pending.id)}/expire`);
    expect(expired.body).toMatchObject({ status: 'expired', expired: true });
    const successful = await createCharge(emulator);
    const refused = await api(emulator, 'POST', `/charges/${String(successful.id)}/expire`);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('failed_expire');
  });

  test('mark_as_paid and mark_as_failed complete pending charges only', async () => {
    const a = await createCharge(emulator, { capture: 'false' });
    const paid = await api(emulator, 'POST', `/charges/${String(a.id)}/mark_as_paid`);
    expect(paid.body).toMatchObject({ status: 'successful', paid: true });
    const again = await api(emulator, 'POST', `/charges/${String(a.id)}/mark_as_failed`);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('bad_request');
    const b = await createCharge(emulator, { capture: 'false' });
    const failed = await api(emulator, 'POST', `/charges/${String(b.id)}/mark_as_failed`);
    expect(failed.body).toMatchObject({ status: 'failed', failure_code: 'payment_rejected' });
  });
});

describe('GET and PATCH /charges/:id', () => {
  test('retrieve returns what create returned; an unknown id is 404', async () => {
    const charge = await createCharge(emulator);
    const got = await api(emulator, 'GET', `/charges/${String(charge.id)}`);
    expect(got.body).toEqual(charge);
    expect(emulator.getCharge(String(charge.id))).toEqual(charge);
    const missing = await api(emulator, 'GET', '/charges/chrg_test_missing');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      code: 'not_found',
      message: 'charge chrg_test_missing was not found',
    });
  });

  test('PATCH updates description and bracket-encoded metadata', async () => {
    const charge = await createCharge(emulator);
    const res = await api(emulator, 'PATCH', `/charges/${String(charge.id)}`, {
      form: {
        description: 'Another description',
        'metadata[order_id]': 'ORDER-1234',
        'metadata[color]': 'black',
      },
    });
    expect(res.body).toMatchObject({
      description: 'Another description',
      metadata: { order_id: 'ORDER-1234', color: 'black' },
    });
    const got = await api(emulator, 'GET', `/charges/${String(charge.id)}`);
    expect(got.body.description).toBe('Another description');
  });

  test('responses are pretty-printed JSON with Omise-Version and X-Request-Id headers', async () => {
    const charge = await createCharge(emulator);
    const res = await api(emulator, 'GET', `/charges/${String(charge.id)}`);
    expect(res.text.startsWith('{\n  "object": "charge",')).toBe(true);
    expect(res.text.endsWith('}\n')).toBe(true);
    expect(res.headers.get('omise-version')).toBe('2019-05-29');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an unknown path is 404 not_found', async () => {
    const res = await api(emulator, 'GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });
});

describe('GET /tokens/:id and /customers/:id', () => {
  test('a token is retrieved with the public key; an unknown one is 404', async () => {
    const id = await createToken(emulator);
    const got = await api(emulator, 'GET', `/tokens/${id}`, { key: emulator.publicKey });
    expect(got.body).toMatchObject({ object: 'token', id, used: false });
    const missing = await api(emulator, 'GET', '/tokens/tokn_test_missing', {
      key: emulator.publicKey,
    });
    expect(missing.status).toBe(404);
  });

  test('a customer is retrieved with its cards; an unknown one is 404', async () => {
    const card = await createToken(emulator);
    const created = await api(emulator, 'POST', '/customers', {
      form: { email: 'b@example.com', 'metadata[tier]': 'gold', card },
    });
    const got = await api(emulator, 'GET', `/customers/${String(created.body.id)}`);
    expect(got.body).toMatchObject({
      object: 'customer',
      email: 'b@example.com',
      metadata: { tier: 'gold' },
    });
    expect((got.body.cards as { total: number }).total).toBe(1);
    const missing = await api(emulator, 'GET', '/customers/cust_test_missing');
    expect(missing.status).toBe(404);
  });
});

test.each([
  ['PATCH', '/charges/chrg_test_missing'],
  ['POST', '/charges/chrg_test_missing/capture'],
  ['POST', '/charges/chrg_test_missing/reverse'],
  ['POST', '/charges/chrg_test_missing/expire'],
  ['POST', '/charges/chrg_test_missing/mark_as_paid'],
  ['POST', '/charges/chrg_test_missing/mark_as_failed'],
  ['GET', '/charges/chrg_test_missing/refunds'],
  ['PATCH', '/disputes/dspt_test_missing/accept'],
  ['PATCH', '/disputes/dspt_test_missing/close'],
  ['GET', '/disputes/dspt_test_missing/documents'],
])('%s %s on an unknown id is 404 not_found', async (method, path) => {
  const res = await api(
    emulator,
    method,
    path,
    method === 'GET' ? {} : { form: { status: 'won' } },
  );
  expect(res.status).toBe(404);
  expect(res.body.code).toBe('not_found');
});
