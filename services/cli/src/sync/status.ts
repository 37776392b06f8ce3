import {
  type Database,
  type ReconcileRunRow,
  type WebhookDeliverySummary,
  findLatestBalanceSnapshotAt,
  findLatestReconcileRun,
  listSyncCheckpoints,
} from '@omise-sync/db';
import { type Clock } from '@omise-sync/core';
import { type Queue } from 'bullmq';
import { type Kysely, sql } from 'kysely';
import { formatTable } from '../text-table';
import { BackfillCursor } from './backfill';
import { LEDGER_CHECKPOINT_PREFIX, LedgerCursor } from './ledger';
import { formatDuration } from './progress-reporter';

export interface QueueStatus {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  /** Seconds the oldest waiting job has waited; null when none waits. */
  oldestWaitingSeconds: number | null;
}

export interface LagStatus {
  /** Events the worker finished processing in the window (not those a backfill reflected). */
  processed: number;
  /** Median of processed_at − received_at over the window, in seconds. */
  p50Seconds: number | null;
  p99Seconds: number | null;
  /** Creation time of the newest event processed, and its age. */
  newestEventAt: Date | null;
  newestEventAgeSeconds: number | null;
}

export interface BackfillStatus {
  resource: string;
  offset: number;
  total: number;
  completedAt: string | null;
  updatedAt: Date;
}

/** Where `sync ledger` stands in one polled stream (transactions, receipts). */
export interface LedgerStreamStatus {
  stream: string;
  /** Everything Omise created up to this instant is stored. */
  syncedTo: string;
  /** The window a stopped run left unfinished (the next run resumes it), or null. */
  unfinished: { to: string; itemsRead: number } | null;
  updatedAt: Date;
}

/** Events recorded `ignored` (about objects omise-sync does not project) with one key. */
export interface IgnoredKeyStatus {
  key: string;
  /** Such events in the kept history (see `EVENTS_RETENTION_DAYS`). */
  events: number;
  /** Creation time of the first and the latest of them: a new kind of event shows a recent first. */
  firstAt: Date;
  lastAt: Date;
}

export interface SyncStatus {
  /** The Omise account this status is about. */
  account: string;
  at: Date;
  queues: QueueStatus[];
  lastReconcile: ReconcileRunRow | undefined;
  lag: LagStatus;
  lagWindowMinutes: number;
  backfills: BackfillStatus[];
  /** The polled ledger streams; empty before the first `sync ledger`. */
  ledger: LedgerStreamStatus[];
  /** When `sync ledger` last snapshotted the balance; null before the first. */
  lastBalanceAt: Date | null;
  /** Keys of the events recorded `ignored`, most events first. */
  ignoredKeys: IgnoredKeyStatus[];
}

export async function queueStatus(queue: Queue, nowMs: number): Promise<QueueStatus> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
  return {
    queue: queue.name,
    waiting: counts['waiting'] ?? 0,
    active: counts['active'] ?? 0,
    delayed: counts['delayed'] ?? 0,
    failed: counts['failed'] ?? 0,
    completed: counts['completed'] ?? 0,
    oldestWaitingSeconds:
      oldest === undefined ? null : Math.max(0, (nowMs - oldest.timestamp) / 1000),
  };
}

async function lagStatus(
  db: Kysely<Database>,
  account: string,
  now: Date,
  windowMinutes: number,
): Promise<LagStatus> {
  const windowStart = new Date(now.getTime() - windowMinutes * 60_000);
  // Events a reconcile recorded as already reflected by a full backfill (origin 'backfill')
  // never went through the worker, and their processed_at is their received_at: counting them
  // would pull the percentiles towards 0 right after the first reconcile.
  const { rows } = await sql<{
    processed: string;
    p50: number | null;
    p99: number | null;
    newest: Date | null;
  }>`
    SELECT
      (SELECT count(*) FROM omise.events
        WHERE account = ${account} AND processed_at >= ${windowStart} AND origin <> 'backfill') AS processed,
      (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at))
         FROM omise.events
        WHERE account = ${account} AND processed_at >= ${windowStart} AND origin <> 'backfill') AS p50,
      (SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at))
         FROM omise.events
        WHERE account = ${account} AND processed_at >= ${windowStart} AND origin <> 'backfill') AS p99,
      (SELECT max(created_at) FROM omise.events
        WHERE account = ${account} AND processed_at IS NOT NULL) AS newest`.execute(db);
  const row = rows[0];
  const newest = row?.newest ?? null;
  return {
    processed: Number(row?.processed ?? 0),
    p50Seconds: row?.p50 ?? null,
    p99Seconds: row?.p99 ?? null,
    newestEventAt: newest,
    newestEventAgeSeconds:
      newest === null ? null : Math.max(0, (now.getTime() - newest.getTime()) / 1000),
  };
}

async function ignoredKeyStatus(
  db: Kysely<Database>,
  account: string,
): Promise<IgnoredKeyStatus[]> {
  const rows = await db
    .selectFrom('omise.events')
    .select((eb) => [
      'key',
      eb.fn.countAll<string>().as('events'),
      eb.fn.min('created_at').as('first_at'),
      eb.fn.max('created_at').as('last_at'),
    ])
    .where('account', '=', account)
    .where('outcome', '=', 'ignored')
    .groupBy('key')
    .orderBy('events', 'desc')
    .orderBy('key')
    .execute();
  return rows.map((row) => ({
    key: row.key,
    events: Number(row.events),
    firstAt: row.first_at,
    lastAt: row.last_at,
  }));
}

/**
 * `omise-sync status` of one account: its queue depths and failed jobs, its last reconciliation
 * and drift, its processing lag over the last `lagWindowMinutes`, where its backfills and ledger
 * sync stand, and the keys of the events it recorded `ignored`, with their counts.
 */
export async function collectStatus(
  deps: { db: Kysely<Database>; account: string; queues: readonly Queue[]; clock: Clock },
  options: { lagWindowMinutes?: number } = {},
): Promise<SyncStatus> {
  const at = deps.clock.now();
  const lagWindowMinutes = options.lagWindowMinutes ?? 5;
  const queues = [];
  for (const queue of deps.queues) queues.push(await queueStatus(queue, at.getTime()));
  const backfills: BackfillStatus[] = [];
  for (const row of await listSyncCheckpoints(deps.db, 'backfill:', deps.account)) {
    const cursor = BackfillCursor.safeParse(row.cursor);
    if (!cursor.success) continue;
    backfills.push({
      resource: row.name.slice('backfill:'.length),
      offset: cursor.data.offset,
      total: cursor.data.total,
      completedAt: cursor.data.completedAt,
      updatedAt: row.updated_at,
    });
  }
  const ledger: LedgerStreamStatus[] = [];
  for (const row of await listSyncCheckpoints(deps.db, LEDGER_CHECKPOINT_PREFIX, deps.account)) {
    const cursor = LedgerCursor.safeParse(row.cursor);
    if (!cursor.success) continue;
    const { from, to, offset } = cursor.data;
    ledger.push({
      stream: row.name.slice(LEDGER_CHECKPOINT_PREFIX.length),
      syncedTo: from,
      unfinished: to === null ? null : { to, itemsRead: offset },
      updatedAt: row.updated_at,
    });
  }
  return {
    account: deps.account,
    at,
    queues,
    lastReconcile: await findLatestReconcileRun(deps.db, deps.account),
    lag: await lagStatus(deps.db, deps.account, at, lagWindowMinutes),
    lagWindowMinutes,
    backfills,
    ledger,
    lastBalanceAt: await findLatestBalanceSnapshotAt(deps.db, deps.account),
    ignoredKeys: await ignoredKeyStatus(deps.db, deps.account),
  };
}

/**
 * Omise's record of delivering the events a reconcile read, on one line: attempts by status
 * and the events none of whose attempts got a 2xx (with examples).
 */
export function formatWebhookDeliveries(summary: Partial<WebhookDeliverySummary>): string {
  if (summary.eventsAttempted === undefined) return 'webhook deliveries (Omise): not recorded';
  const byStatus = Object.entries(summary.byStatus ?? {})
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status === '0' ? 'no response' : status}: ${count}`)
    .join(', ');
  const failed = summary.eventsFailed ?? 0;
  return (
    `webhook deliveries (Omise): ${summary.eventsAttempted} events attempted` +
    (byStatus === '' ? '' : ` (attempts by status ${byStatus})`) +
    `, ${failed} with every attempt failed` +
    (failed > 0 ? ` (${(summary.failedExamples ?? []).join(' ')})` : '')
  );
}

function seconds(value: number | null): string {
  return value === null ? '-' : value < 10 ? value.toFixed(3) : formatDuration(value);
}

/** The follow-up queue (shared by every account) as a table. */
export function formatFollowups(queue: QueueStatus): string {
  return formatTable(
    ['follow-up queue', 'waiting', 'active', 'delayed', 'failed', 'completed'],
    [[queue.queue, queue.waiting, queue.active, queue.delayed, queue.failed, queue.completed]],
  );
}

/** The status as plain-text tables. */
export function formatStatus(status: SyncStatus): string {
  const sections: string[] = [
    `omise-sync status of account ${status.account} at ${status.at.toISOString()}`,
    '',
  ];
  sections.push(
    formatTable(
      ['queue', 'waiting', 'active', 'delayed', 'failed', 'completed', 'oldest waiting'],
      status.queues.map((q) => [
        q.queue,
        q.waiting,
        q.active,
        q.delayed,
        q.failed,
        q.completed,
        q.oldestWaitingSeconds === null ? '-' : formatDuration(q.oldestWaitingSeconds),
      ]),
    ),
    '',
  );
  const run = status.lastReconcile;
  if (run === undefined) {
    sections.push('last reconcile: none yet', '');
  } else {
    const drift = Object.entries(run.drift).filter(([, count]) => count > 0);
    sections.push(
      formatTable(
        ['last reconcile', 'started', 'took', 'events seen', 'enqueued', 'drift', 'result'],
        [
          [
            `#${run.id}`,
            run.started_at,
            run.finished_at === null
              ? '-'
              : formatDuration((run.finished_at.getTime() - run.started_at.getTime()) / 1000),
            run.events_seen,
            run.events_enqueued,
            drift.reduce((sum, [, count]) => sum + count, 0),
            run.error ?? 'ok',
          ],
        ],
      ),
      '',
    );
    sections.push(formatWebhookDeliveries(run.webhook_deliveries), '');
    if (drift.length > 0) {
      sections.push(
        formatTable(
          ['drift', 'found', 'repaired'],
          drift.map(([kind, count]) => [kind, count, run.repaired[kind] ?? 0]),
        ),
        '',
      );
    }
  }
  const { lag } = status;
  sections.push(
    formatTable(
      [`lag (last ${status.lagWindowMinutes} min)`, 'events', 'p50 s', 'p99 s', 'newest event age'],
      [
        [
          'received → processed',
          lag.processed,
          seconds(lag.p50Seconds),
          seconds(lag.p99Seconds),
          lag.newestEventAgeSeconds === null ? '-' : formatDuration(lag.newestEventAgeSeconds),
        ],
      ],
    ),
  );
  if (status.backfills.length > 0) {
    sections.push(
      '',
      formatTable(
        ['backfill', 'items', 'total', 'state', 'updated'],
        status.backfills.map((b) => [
          b.resource,
          b.offset,
          b.total,
          b.completedAt === null ? 'unfinished (resumable)' : `completed ${b.completedAt}`,
          b.updatedAt,
        ]),
      ),
    );
  }
  sections.push(
    '',
    status.ledger.length === 0
      ? 'ledger sync: never run'
      : formatTable(
          ['ledger stream', 'synced to', 'state', 'updated'],
          status.ledger.map((l) => [
            l.stream,
            l.syncedTo,
            l.unfinished === null
              ? 'in step'
              : `unfinished window to ${l.unfinished.to}, ${l.unfinished.itemsRead} read (resumable)`,
            l.updatedAt,
          ]),
        ),
    `last balance snapshot: ${status.lastBalanceAt === null ? 'none' : status.lastBalanceAt.toISOString()}`,
  );
  sections.push(
    '',
    status.ignoredKeys.length === 0
      ? 'ignored events: none'
      : formatTable(
          ['ignored event key', 'events', 'first', 'latest'],
          status.ignoredKeys.map((k) => [k.key, k.events, k.firstAt, k.lastAt]),
        ),
  );
  return sections.join('\n');
}
