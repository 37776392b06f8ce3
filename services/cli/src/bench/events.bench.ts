import { randomBytes } from 'node:crypto';
import { OmiseEventEnvelope, toEventDisposition } from '@omise-sync/core';
import { type EventRecord, createDatabase, migrateToLatest } from '@omise-sync/db';
import { startEmulator } from '@omise-sync/omise-emulator';
import { eventRecord, ignoredEventRecord, recordEvents } from '@omise-sync/projection';
import { sql } from 'kysely';
import { createScratchDatabase, positive, runBenchmark } from './bench-kit';
import { formatTable } from '../text-table';

/**
 * `npm run bench:events`: what one event costs on disk in `omise.events` (heap, TOAST and
 * every index, over all its partitions). The events are the emulator's, as Omise sends them
 * (charges with refunds and disputes, full objects in `data`), recorded through the worker's
 * own path (`toEventDisposition`, `eventRecord`, `recordEvents` in batches of 64) into a fresh
 * database created for the run and dropped after it.
 *
 * Env: DATABASE_URL (a server URL; default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_EVENTS (default 50000), BENCH_TARGET_BYTES_PER_EVENT (default 1200).
 */

/** Events recorded per statement, as the worker's batches do. */
const BATCH = 64;

/** An id shaped like Omise's (`evnt_test_` and 19 lower-case letters and digits). */
function omiseLikeId(prefix: string): string {
  return `${prefix}_test_${BigInt(`0x${randomBytes(12).toString('hex')}`)
    .toString(36)
    .slice(0, 19)
    .padStart(19, '0')}`;
}

async function main(): Promise<number> {
  const total = positive('BENCH_EVENTS', 50_000);
  const target = positive('BENCH_TARGET_BYTES_PER_EVENT', 1_200);
  const scratch = await createScratchDatabase('omise_sync_bench');
  const databaseUrl = scratch.url;
  const emulator = await startEmulator({ seed: 'bench-events' });
  const database = createDatabase({ connectionString: databaseUrl, maxConnections: 2 });
  try {
    await migrateToLatest(databaseUrl);
    // About three events per charge (create, complete, and some refunds and disputes).
    await emulator.startScenario({
      name: 'bulk',
      charges: Math.max(100, Math.ceil(total / 3)),
      refundShare: 0.1,
      disputeShare: 0.02,
      seed: 'bench-events',
    });
    const delivered = emulator.listAll('events');
    if (delivered.length === 0) throw new Error('the emulator produced no events');
    const payloadBytes =
      delivered.reduce((sum, event) => sum + JSON.stringify(event).length, 0) / delivered.length;

    const written = Date.now();
    let recorded = 0;
    let pending: EventRecord[] = [];
    for (let n = 0; recorded + pending.length < total; n += 1) {
      // Past the emulator's events, the same payloads again under new ids.
      const source = delivered[n % delivered.length] ?? {};
      const event = n < delivered.length ? source : { ...source, id: omiseLikeId('evnt') };
      const envelope = OmiseEventEnvelope.parse(event);
      const receivedAt = new Date();
      const disposition = toEventDisposition(envelope, receivedAt, 'webhook');
      if (disposition.kind === 'invalid') throw new Error(disposition.message);
      pending.push(
        disposition.kind === 'project'
          ? eventRecord(disposition.job, 'projected', new Date())
          : ignoredEventRecord(disposition.job, new Date()),
      );
      if (pending.length === BATCH) {
        await recordEvents(database.db, pending);
        recorded += pending.length;
        pending = [];
      }
    }
    await recordEvents(database.db, pending);
    recorded += pending.length;
    const seconds = (Date.now() - written) / 1000;
    await sql`ANALYZE omise.events`.execute(database.db);

    const { rows } = await sql<{
      rows: string;
      heap: string;
      toast: string;
      indexes: string;
      total: string;
      partitions: string;
    }>`
      SELECT (SELECT count(*) FROM omise.events)                           AS rows,
             sum(pg_relation_size(c.oid))                                  AS heap,
             sum(pg_table_size(c.oid) - pg_relation_size(c.oid))           AS toast,
             sum(pg_indexes_size(c.oid))                                   AS indexes,
             sum(pg_total_relation_size(c.oid))                            AS total,
             count(*)                                                      AS partitions
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'omise.events'::regclass`.execute(database.db);
    const size = rows[0];
    if (size === undefined) throw new Error('no partitions of omise.events');
    const stored = Number(size.rows);
    const perEvent = (bytes: string) => Math.round(Number(bytes) / stored);
    const bytesPerEvent = Number(size.total) / stored;
    const pass = stored === recorded && bytesPerEvent <= target;
    console.log(
      formatTable(
        ['benchmark', 'events', 'heap B', 'toast B', 'index B', 'bytes/event', 'target', 'result'],
        [
          [
            'omise.events on disk per event',
            stored,
            perEvent(size.heap),
            perEvent(size.toast),
            perEvent(size.indexes),
            Math.round(bytesPerEvent),
            target,
            pass ? 'PASS' : 'FAIL',
          ],
        ],
      ),
    );
    console.log(
      `\n${delivered.length.toLocaleString('en-US')} distinct emulator events, ` +
        `${Math.round(payloadBytes)} bytes each as delivered on average; ` +
        `${recorded.toLocaleString('en-US')} recorded in ${seconds.toFixed(1)} s ` +
        `(${Math.round(recorded / seconds)} events/s, batches of ${BATCH}); ` +
        `${size.partitions} partitions; Postgres ${(await scratch.admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?'}; node ${process.version}`,
    );
    return pass ? 0 : 1;
  } finally {
    await database.destroy();
    await emulator.close();
    await scratch.drop();
  }
}

runBenchmark(main);
