import { type Emulator, startEmulator } from './index';
import { api, type JsonObject } from '../test/emulator-test-kit';

let emulator: Emulator;
let clock = Date.parse('2026-01-01T00:00:00Z');

/** 25 charges, one per minute from 00:00 (the injected clock), so from/to windows are exact. */
beforeAll(async () => {
  emulator = await startEmulator({ seed: 'paging', now: () => clock });
  const token = () =>
    emulator.actions.createToken({
      card: { name: 'A', number: '4242424242424242', expiration_month: 12, expiration_year: 2040 },
    });
  for (let i = 0; i < 25; i++) {
    clock = Date.parse('2026-01-01T00:00:00Z') + i * 60_000;
    emulator.actions.createCharge({ amount: 2000 + i, currency: 'THB', card: String(token().id) });
  }
  clock = Date.parse('2026-01-02T00:00:00Z');
});
afterAll(async () => {
  await emulator.close();
});

const amounts = (body: JsonObject): number[] =>
  (body.data as Array<{ amount: number }>).map((c) => c.amount - 2000);

test('by default a list is the first 20, oldest first, with Omise list metadata', async () => {
  const res = await api(emulator, 'GET', '/charges');
  expect(res.body).toMatchObject({
    object: 'list',
    limit: 20,
    offset: 0,
    total: 25,
    order: 'chronological',
    location: '/charges',
    from: '1970-01-01T00:00:00Z',
    to: '2026-01-02T00:00:00Z',
  });
  expect(amounts(res.body)).toEqual([...Array(20).keys()]);
});

test('offset and limit page through; reverse_chronological starts from the newest', async () => {
  const page = await api(emulator, 'GET', '/charges?offset=20&limit=10');
  expect(amounts(page.body)).toEqual([20, 21, 22, 23, 24]);
  const reverse = await api(
    emulator,
    'GET',
    '/charges?order=reverse_chronological&limit=3&offset=1',
  );
  expect(amounts(reverse.body)).toEqual([23, 22, 21]);
  const beyond = await api(emulator, 'GET', '/charges?offset=100');
  expect(beyond.body).toMatchObject({ data: [], total: 25 });
});

test('from and to bound the window (both inclusive) and total counts only inside it', async () => {
  const res = await api(
    emulator,
    'GET',
    '/charges?from=2026-01-01T00:05:00Z&to=2026-01-01T00:09:00Z&limit=100',
  );
  expect(res.body).toMatchObject({
    total: 5,
    from: '2026-01-01T00:05:00Z',
    to: '2026-01-01T00:09:00Z',
  });
  expect(amounts(res.body)).toEqual([5, 6, 7, 8, 9]);
  const reverse = await api(
    emulator,
    'GET',
    '/charges?from=2026-01-01T00:05:00Z&to=2026-01-01T00:09:00Z&order=reverse_chronological&limit=2',
  );
  expect(amounts(reverse.body)).toEqual([9, 8]);
});

test.each([
  ['limit=101'],
  ['limit=0'],
  ['limit=ten'],
  ['offset=-1'],
  ['order=newest'],
  ['from=yesterday'],
])('%s is 400 invalid_filter', async (query) => {
  const res = await api(emulator, 'GET', `/charges?${query}`);
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ object: 'error', code: 'invalid_filter' });
});

test('limit=100 is allowed', async () => {
  const res = await api(emulator, 'GET', '/charges?limit=100');
  expect(res.body).toMatchObject({ limit: 100, total: 25 });
});

test('a clock that goes backwards never breaks creation order', async () => {
  clock = Date.parse('2025-06-01T00:00:00Z');
  const token = emulator.actions.createToken({
    card: { name: 'A', number: '4242424242424242', expiration_month: 12, expiration_year: 2040 },
  });
  emulator.actions.createCharge({ amount: 3000, currency: 'THB', card: String(token.id) });
  clock = Date.parse('2026-01-02T00:00:00Z');
  const res = await api(emulator, 'GET', '/charges?order=reverse_chronological&limit=1');
  expect((res.body.data as Array<{ amount: number }>)[0]?.amount).toBe(3000);
});
