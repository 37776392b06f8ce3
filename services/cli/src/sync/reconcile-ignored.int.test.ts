import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type OmiseEventJob, jobCatalog } from '@omise-sync/core';
import { findEvent } from '@omise-sync/db';
import { createOmiseClient } from '@omise-sync/omise-client';
import {
  DEFAULT_DISPUTE_RESPONSE_DAYS,
  DEFAULT_DISPUTE_SEVERITY_RULES,
  recordEvents,
} from '@omise-sync/projection';
import {
  eventObject,
  eventRow,
  listObject,
  useTestDatabase,
  useTestRedis,
} from '@omise-sync/testing';
import { Queue } from 'bullmq';
import { silentLogger } from '../../test/sync-test-kit';
import { DriftLedger } from './reconcile/drift-ledger';
import { reconcileEvents } from './reconcile/events.phase';

// Issue 27 item 3: an event of a kind omise-sync does not project whose delivery was lost is
// still recorded `ignored` with its key by reconcile, so status shows the new kind.
describe('reconcile and events omise-sync does not project', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let server: Server;
  let url: string;
  let queue: Queue<OmiseEventJob>;
  const events = [
    eventObject({
      id: 'evnt_test_newkind1',
      key: 'new_kind.create',
      created_at: '2026-12-04T08:00:00Z',
      data: { object: 'new_kind', id: 'newk_test_1', secret_note: 'not kept' },
    }),
    eventObject({
      id: 'evnt_test_newkind2',
      key: 'new_kind.update',
      created_at: '2026-12-04T08:00:01Z',
      data: { object: 'new_kind', id: 'newk_test_1' },
    }),
  ];

  beforeAll(async () => {
    // Omise's Events API on port 0: one page with both events, then an empty one.
    server = createServer((request, response) => {
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
      const offset = Number(query.get('offset') ?? '0');
      const body = listObject(offset === 0 ? events : [], {
        offset,
        limit: Number(query.get('limit') ?? '20'),
        total: events.length,
        location: '/events',
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    queue = new Queue(jobCatalog.omiseEvent.queue, {
      connection: redis.connect(),
      prefix: redis.prefix,
    });
  });
  afterAll(async () => {
    await queue.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('when their deliveries were lost, they are recorded ignored with their key, and a recorded one keeps its row', async () => {
    const { db } = database.handle;
    await recordEvents(db, [
      eventRow({
        id: 'evnt_test_newkind2',
        key: 'new_kind.update',
        resource_type: 'new_kind',
        resource_id: 'newk_test_1',
        created_at: '2026-12-04T08:00:01Z',
        outcome: 'ignored',
        origin: 'webhook',
      }),
    ]);
    const report = await reconcileEvents(
      {
        db,
        account: 'default',
        omise: createOmiseClient({ secretKey: 'skey_test_fake', baseUrl: url }),
        queue,
        clock: { now: () => new Date('2026-12-04T09:00:00Z') },
        logger: silentLogger,
        severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
        responseDays: DEFAULT_DISPUTE_RESPONSE_DAYS,
      },
      { since: new Date('2026-12-04T00:00:00Z'), lookbackMs: 3_600_000, settleMs: 0 },
      1,
      new DriftLedger(),
    );
    expect(report.ignored).toBe(1);
    expect(report.seen).toBe(0);
    const lost = await findEvent(db, 'evnt_test_newkind1');
    expect(lost).toMatchObject({
      key: 'new_kind.create',
      resource_type: 'new_kind',
      resource_id: 'newk_test_1',
      outcome: 'ignored',
      origin: 'reconcile',
    });
    expect(JSON.stringify(lost?.raw)).not.toContain('not kept');
    expect(await findEvent(db, 'evnt_test_newkind2')).toMatchObject({ origin: 'webhook' });
    expect(await queue.count()).toBe(0);
  });
});
