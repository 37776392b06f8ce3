import { sql, type Kysely } from 'kysely';
import { type Database } from '@omise-sync/db';
import { type Queue } from 'bullmq';
import { z } from 'zod';

const EmulatorStats = z.looseObject({
  counts: z.looseObject({
    charges: z.number(),
    refunds: z.number(),
    disputes: z.number(),
    events: z.number(),
  }),
  deliveries: z.looseObject({ succeeded: z.number(), failed: z.number(), pending: z.number() }),
  scenarios: z.array(z.looseObject({ status: z.string(), summary: z.unknown() })),
});
export type EmulatorStats = z.infer<typeof EmulatorStats>;

/** One reading of the whole pipeline: what Omise did, what arrived, what Postgres holds. */
export interface DemoSnapshot {
  emulator: EmulatorStats;
  queue: { waiting: number; active: number; delayed: number; failed: number };
  events: {
    projected: number;
    notFound: number;
    failed: number;
    lagP50Ms: number | null;
    lagP99Ms: number | null;
  };
  flags: { flagged: number; notified: number };
}

export async function readEmulatorStats(
  emulatorUrl: string,
  account: string,
): Promise<EmulatorStats> {
  const query = new URLSearchParams({ account });
  const response = await fetch(`${emulatorUrl}/_emulator/stats?${query.toString()}`, {
    signal: AbortSignal.timeout(2_000),
  });
  return EmulatorStats.parse(await response.json());
}

/** One account's reading: its emulator account, its queue, its rows. */
export async function takeSnapshot(
  emulatorUrl: string,
  db: Kysely<Database>,
  queue: Queue,
  account: string,
): Promise<DemoSnapshot> {
  const [emulator, counts, events, flags] = await Promise.all([
    readEmulatorStats(emulatorUrl, account),
    queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
    sql<{
      projected: number;
      not_found: number;
      failed: number;
      p50: number | null;
      p99: number | null;
    }>`
      SELECT count(*) FILTER (WHERE outcome = 'projected')::int AS projected,
             count(*) FILTER (WHERE outcome = 'not_found')::int AS not_found,
             count(*) FILTER (WHERE outcome = 'failed')::int    AS failed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at))
               FILTER (WHERE processed_at IS NOT NULL) * 1000    AS p50,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at))
               FILTER (WHERE processed_at IS NOT NULL) * 1000    AS p99
        FROM omise.events WHERE account = ${account}`.execute(db),
    sql<{ flagged: number; notified: number }>`
      SELECT count(*)::int AS flagged, count(notified_at)::int AS notified
        FROM omise.dispute_flags WHERE account = ${account}`.execute(db),
  ]);
  const e = events.rows[0];
  const f = flags.rows[0];
  return {
    emulator,
    queue: {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    },
    events: {
      projected: e?.projected ?? 0,
      notFound: e?.not_found ?? 0,
      failed: e?.failed ?? 0,
      lagP50Ms: e?.p50 ?? null,
      lagP99Ms: e?.p99 ?? null,
    },
    flags: { flagged: f?.flagged ?? 0, notified: f?.notified ?? 0 },
  };
}

/** Whether the scenario has finished and everything it caused has reached Postgres. */
export function isSettled(s: DemoSnapshot): boolean {
  const scenarioDone =
    s.emulator.scenarios.length > 0 && s.emulator.scenarios.every((r) => r.status !== 'running');
  return (
    scenarioDone &&
    s.emulator.deliveries.pending === 0 &&
    s.queue.waiting + s.queue.active + s.queue.delayed === 0 &&
    s.events.projected + s.events.notFound + s.events.failed >= s.emulator.deliveries.succeeded
  );
}

const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)}ms`);

export function progressLine(s: DemoSnapshot, elapsedMs: number): string {
  const secs = Math.floor(elapsedMs / 1000);
  const clock = `${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
  return (
    `[${clock}] omise events ${s.emulator.counts.events}` +
    ` | delivered ${s.emulator.deliveries.succeeded}` +
    ` | queued ${s.queue.waiting + s.queue.active + s.queue.delayed}` +
    ` | projected ${s.events.projected}` +
    ` | disputes flagged ${s.flags.flagged} (notified ${s.flags.notified})` +
    ` | lag p50 ${ms(s.events.lagP50Ms)} p99 ${ms(s.events.lagP99Ms)}`
  );
}
