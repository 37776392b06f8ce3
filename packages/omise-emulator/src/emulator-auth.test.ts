import { type Emulator, startEmulator } from './index';
import { api } from '../test/emulator-test-kit';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ secretKey: 'skey_test_auth', publicKey: 'pkey_test_auth' });
});
afterAll(async () => {
  await emulator.close();
});

const failure = {
  object: 'error',
  location: 'https://www.omise.co/api-errors#authentication-failure',
  code: 'authentication_failure',
};

test.each([
  ['no Authorization header', null],
  ['an unknown key', 'skey_test_wrong'],
  ['the public key on a secret endpoint', 'pkey_test_auth'],
])('with %s, GET /charges is 401 authentication_failure', async (_situation, key) => {
  const res = await api(emulator, 'GET', '/charges', { key });
  expect(res.status).toBe(401);
  expect(res.body).toMatchObject(failure);
});

test('the secret key cannot create tokens; the public key can', async () => {
  const form = {
    'card[name]': 'A',
    'card[number]': '4242424242424242',
    'card[expiration_month]': '12',
    'card[expiration_year]': '2040',
  };
  const secret = await api(emulator, 'POST', '/tokens', { form });
  expect(secret.status).toBe(401);
  expect(secret.body).toMatchObject(failure);
  const pub = await api(emulator, 'POST', '/tokens', { key: 'pkey_test_auth', form });
  expect(pub.status).toBe(200);
});

test('a Bearer token is not Basic auth and is refused', async () => {
  const res = await fetch(`${emulator.url}/charges`, {
    headers: { authorization: 'Bearer skey_test_auth' },
  });
  expect(res.status).toBe(401);
});

test('the key works with or without the trailing colon, as curl -u key: sends it', async () => {
  const res = await fetch(`${emulator.url}/charges`, {
    headers: { authorization: `Basic ${Buffer.from('skey_test_auth').toString('base64')}` },
  });
  expect(res.status).toBe(200);
});

test('every resource family checks the key', async () => {
  for (const path of [
    '/refunds',
    '/disputes',
    '/disputes/open',
    '/events',
    '/customers/cust_test_x',
  ]) {
    const res = await api(emulator, 'GET', path, { key: null });
    expect(res.status).toBe(401);
  }
});
