import { chargeObject, errorObject, listObject } from '@omise-sync/testing';
import {
  type OmiseTestServer,
  type RecordedRequest,
  reply,
  sendJson,
  startOmiseTestServer,
} from '../test/omise-test-server';
import { type OmiseClient, createOmiseClient } from './omise-client';
import type { Charge } from './schemas/charge.schema';

interface StoredCharge {
  id: string;
  created_at: string;
}

/** Omise's offset pagination over an in-memory collection, as the API documents it. */
function paginatedCharges(store: StoredCharge[], serverNow: () => string) {
  return (request: RecordedRequest, response: Parameters<typeof sendJson>[0]) => {
    const limit = Number(request.query.get('limit') ?? 20);
    if (limit > 100) {
      sendJson(response, 400, errorObject('invalid_limit', 'limit must be at most 100'));
      return;
    }
    const offset = Number(request.query.get('offset') ?? 0);
    const from = request.query.get('from') ?? '1970-01-01T00:00:00Z';
    const to = request.query.get('to') ?? serverNow();
    const order = request.query.get('order') ?? 'chronological';
    const window = store
      .filter((c) => c.created_at >= from && c.created_at <= to)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    if (order === 'reverse_chronological') window.reverse();
    const data = window
      .slice(offset, offset + limit)
      .map((c) => chargeObject({ id: c.id, created_at: c.created_at }));
    sendJson(
      response,
      200,
      listObject(data, { offset, limit, total: window.length, from, to, order }),
    );
  };
}

function second(n: number): string {
  return new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString().replace('.000Z', 'Z');
}

function makeCharges(count: number, startSecond = 0): StoredCharge[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `chrg_test_${String(startSecond + i).padStart(5, '0')}`,
    created_at: second(startSecond + i),
  }));
}

async function collect(iterable: AsyncIterable<Charge>): Promise<string[]> {
  const ids: string[] = [];
  for await (const charge of iterable) ids.push(charge.id);
  return ids;
}

describe('list iteration over Omise offset pagination', () => {
  let server: OmiseTestServer;
  let client: OmiseClient;
  let store: StoredCharge[];
  let serverNow: string;

  beforeAll(async () => {
    server = await startOmiseTestServer();
    client = createOmiseClient({ secretKey: 'skey_test_5pages', baseUrl: server.url });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    store = makeCharges(250);
    serverNow = second(10_000);
    server.handle(paginatedCharges(store, () => serverNow));
  });

  it('walks 250 items in three pages of 100, in order, each exactly once', async () => {
    const ids = await collect(client.charges.list());
    expect(ids).toEqual(store.map((c) => c.id));
    expect(server.requests.map((r) => r.query.get('offset'))).toEqual(['0', '100', '200']);
    expect(server.requests.every((r) => r.query.get('limit') === '100')).toBe(true);
  });

  it("pins the first page's `to` on every later page", async () => {
    await collect(client.charges.list());
    expect(server.requests[0]?.query.get('to')).toBeNull();
    expect(server.requests.slice(1).map((r) => r.query.get('to'))).toEqual([serverNow, serverNow]);
  });

  it('when exactly one full page exists, makes one request', async () => {
    store.splice(100);
    expect(await collect(client.charges.list())).toHaveLength(100);
    expect(server.requests).toHaveLength(1);
  });

  it('when the list is empty, yields nothing after one request', async () => {
    store.splice(0);
    expect(await collect(client.charges.list())).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('when items are created while paging chronologically, none is skipped or repeated', async () => {
    const expected = store.map((c) => c.id);
    const iterator = client.charges.list()[Symbol.asyncIterator]();
    const ids: string[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      ids.push(next.value.id);
      if (ids.length === 50) {
        // New charges arrive after the walk started: later than the pinned `to`.
        serverNow = second(20_000);
        store.push(...makeCharges(30, 15_000));
      }
    }
    expect(ids).toEqual(expected);
  });

  it('when items are created while paging newest first, none is skipped or repeated', async () => {
    const expected = [...store].reverse().map((c) => c.id);
    const ids: string[] = [];
    for await (const charge of client.charges.list({ order: 'reverse_chronological' })) {
      ids.push(charge.id);
      if (ids.length === 120) {
        // Without the pinned `to` these would land at the front and shift every offset.
        serverNow = second(20_000);
        store.push(...makeCharges(7, 15_000));
      }
    }
    expect(ids).toEqual(expected);
  });

  it('when a page boundary repeats the previous page’s last item, it is yielded once', async () => {
    // An item inserted in the same second as `to` before our offset shifts `b` onto page two
    // and grows the total from 4 to 5.
    const page = (offset: number, total: number, ids: string[]) =>
      reply(
        200,
        listObject(
          ids.map((id) => chargeObject({ id })),
          { offset, limit: 2, total },
        ),
      );
    server.handle(page(0, 4, ['a', 'b']), page(2, 5, ['b', 'c']), page(4, 5, ['d']));
    expect(await collect(client.charges.list({ limit: 2 }))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('when the server ignores the offset, iteration stops instead of looping', async () => {
    server.handle(reply(200, listObject([chargeObject({ id: 'x' })], { limit: 1, total: 50 })));
    expect(await collect(client.charges.list({ limit: 1 }))).toEqual(['x']);
    expect(server.requests).toHaveLength(2);
  });

  it('a caller-given limit, from and to are sent on every page', async () => {
    const from = new Date(Date.parse(second(10)));
    const ids = await collect(client.charges.list({ from, to: second(59), limit: 20 }));
    expect(ids).toEqual(store.slice(10, 60).map((c) => c.id));
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.query.get('from')).toBe('2026-01-01T00:00:10.000Z');
      expect(request.query.get('to')).toBe(second(59));
      expect(request.query.get('limit')).toBe('20');
    }
  });

  it('stopping early sends no further requests', async () => {
    for await (const charge of client.charges.list()) {
      if (charge.id === store[5]?.id) break;
    }
    expect(server.requests).toHaveLength(1);
  });

  it('firstPage and page(offset) return raw pages with Omise defaults', async () => {
    const first = await client.charges.list().firstPage();
    expect(first.total).toBe(250);
    expect(first.data).toHaveLength(20);
    expect(server.requests[0]?.query.get('limit')).toBeNull();
    const third = await client.charges.list({ limit: 100 }).page(200);
    expect(third.data.map((c) => c.id)).toEqual(store.slice(200).map((c) => c.id));
  });

  it.each([0, 101, 2.5, -1])('rejects limit %p before sending anything', (limit) => {
    expect(() => client.charges.list({ limit })).toThrow(RangeError);
    expect(server.requests).toHaveLength(0);
  });

  it('an error on a later page surfaces from the loop', async () => {
    server.handle(
      reply(200, listObject([chargeObject({ id: 'a' })], { limit: 1, total: 2 })),
      reply(404, errorObject('not_found', 'gone')),
    );
    await expect(collect(client.charges.list({ limit: 1 }))).rejects.toMatchObject({
      status: 404,
    });
  });
});
