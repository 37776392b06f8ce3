import { createDatabase, maintainEventPartitions } from '@omise-sync/db';
import { systemClock } from '@omise-sync/core';
import { DRIFT_KINDS } from '../sync/drift';
import { type ReconcileReport, runReconcile } from '../sync/reconcile';
import { ReconcileConfig, loadSyncConfigWithAccounts, selectAccounts } from '../sync/sync-config';
import {
  abortOnSignals,
  createCliLogger,
  createSyncOmiseClient,
  openSyncQueues,
  reportExpectedFailure,
} from '../sync/sync-services';
import { formatTable } from '../text-table';
import { formatWebhookDeliveries } from '../sync/status';
import { parseSince } from './backfill.command';
import { parseCommandArgs } from '../cli-env';

/**
 * Exit status of `reconcile --fail-on-drift` when every run completed and one found drift: not
 * 1 (a failed run), so a pipeline can tell "Postgres had to be repaired" from "reconcile broke".
 */
export const EXIT_DRIFT = 3;

export const RECONCILE_USAGE = `Usage: omise-sync reconcile [--account NAME] [--since DATE] [--directories] [--fail-on-drift]

Makes Postgres converge to the Omise API: reads the Events API from the last cursor and puts
every charge, refund and dispute event not yet processed on the queue; compares open and
pending disputes, and charges created in the window, with Postgres and repairs what differs;
records the drift (omise.reconcile_runs, the worker's omise_sync_reconcile_drift metric) and
prints it. Nothing it projects sends a notification. Runs every 15 minutes as a CronJob.
Then, like the worker, keeps omise.events partitioned by month: creates the coming months'
partitions and drops those older than EVENTS_RETENTION_DAYS (default 400; 0 keeps all).

  --account NAME  reconcile only this account; default: every account, one after the
                  other, each with its own cursor, lease and drift report
  --since DATE    re-read events and compare charges from DATE (ISO 8601); default: events
                  from the cursor, charges from RECONCILE_LOOKBACK_HOURS ago
  --directories   walk customers, recipients, schedules, links and transfers whole this run;
                  default: when the last walk is RECONCILE_DIRECTORIES_INTERVAL_HOURS old (24)
  --fail-on-drift exit ${EXIT_DRIFT} when a run found drift (repaired or only reported), for
                  pipelines that gate on it; the drift report is printed as usual
`;

/** Differences a run found, of every kind (each repair follows a difference found). */
export function totalDrift(report: Pick<ReconcileReport, 'drift'>): number {
  return DRIFT_KINDS.reduce((sum, kind) => sum + report.drift[kind], 0);
}

/** The drift table: one line per kind, found and repaired, with example ids. */
export function formatDriftReport(report: ReconcileReport): string {
  const { events } = report;
  const header = [
    `reconcile run ${report.runId}: ${report.startedAt.toISOString()} .. ${report.finishedAt.toISOString()}`,
    `events ${events.from} .. ${events.to}: ${events.seen} seen, ${events.processed} already processed, ` +
      `${events.actions.enqueued} enqueued, ${events.actions.retried} failed jobs retried, ` +
      `${events.actions.requeued} requeued, ${events.actions.in_flight} in flight` +
      (events.reflected > 0 ? `, ${events.reflected} recorded as reflected by the backfill` : '') +
      (events.invalid > 0 ? `, ${events.invalid} unreadable` : '') +
      (events.ignored > 0 ? `, ${events.ignored} not projected recorded as ignored` : ''),
    `compared: ${report.disputesCompared} active disputes, ${report.chargesCompared} charges created since ${report.since.toISOString()}`,
    report.directoriesCompared === null
      ? `customers, recipients, schedules, links and transfers: not due (walked at ${report.directoriesWalkedAt?.toISOString() ?? '-'})`
      : `customers, recipients, schedules, links and transfers: ${report.directoriesCompared} compared`,
    formatWebhookDeliveries(events.webhookDeliveries),
    '',
  ];
  const table = formatTable(
    ['drift', 'found', 'repaired', 'examples'],
    DRIFT_KINDS.map((kind) => [
      kind,
      report.drift[kind],
      report.repaired[kind],
      (report.examples[kind] ?? []).join(' '),
    ]),
  );
  const total = totalDrift(report);
  return [...header, table, '', total === 0 ? 'no drift' : `drift: ${total} difference(s)`].join(
    '\n',
  );
}

/** `omise-sync reconcile` (also the CronJob's command). */
export async function reconcileCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: [...args],
      options: {
        account: { type: 'string' },
        since: { type: 'string' },
        directories: { type: 'boolean' },
        'fail-on-drift': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    },
    RECONCILE_USAGE,
  );
  if (values.help === true) {
    console.log(RECONCILE_USAGE);
    return 0;
  }
  const since = parseSince(values.since);
  const { config, accounts } = loadSyncConfigWithAccounts(ReconcileConfig, env);
  const selected = selectAccounts(accounts, values.account, 'all');
  const logger = createCliLogger('reconcile', config.logLevel);
  const database = createDatabase({
    connectionString: config.databaseUrl,
    maxConnections: Math.max(2, config.databasePoolSize),
    applicationName: 'omise-sync-reconcile',
  });
  const queues = openSyncQueues(config.redis, (error) =>
    logger.warn({ err: error }, 'Redis error'),
  );
  // A reconcile has no resumable batches: on SIGTERM (the CronJob's deadline) in-flight
  // requests are cancelled, the run is recorded as failed and the next run starts over.
  const interrupt = abortOnSignals((signal) => console.error(`${signal}: stopping`));
  // Accounts one after the other: each is rate limited by its own Omise account, and one
  // account's failure (a revoked key, an outage) does not stop the others' reconciliation.
  let exitCode = 0;
  let drifted = false;
  try {
    for (const omise of selected) {
      if (interrupt.signal.aborted) break;
      if (selected.length > 1) console.log(`account ${omise.account}`);
      try {
        const report = await runReconcile(
          {
            db: database.db,
            account: omise.account,
            omise: createSyncOmiseClient(omise).withSignal(interrupt.signal),
            queue: queues.eventsOf(omise.account),
            clock: systemClock,
            logger: logger.child({ account: omise.account }),
            severityRules: config.severityRules,
            responseDays: config.responseDays,
            pii: config.pii,
            leaseTtlMs: config.leaseTtlMs,
          },
          {
            since,
            lookbackMs: config.lookbackMs,
            settleMs: config.settleMs,
            directoriesEveryMs: config.directoriesEveryMs,
            forceDirectories: values.directories === true,
          },
        );
        console.log(formatDriftReport(report));
        if (totalDrift(report) > 0) drifted = true;
      } catch (error) {
        exitCode = Math.max(exitCode, reportExpectedFailure(error));
      }
      if (selected.length > 1) console.log('');
    }
    if (!interrupt.signal.aborted) {
      // Partitions are the database's, not an account's: one pass per run. Missing partitions
      // only slow writes down, so a failed pass is reported without failing the run.
      try {
        const partitions = await maintainEventPartitions(database.db, {
          at: systemClock.now(),
          retentionDays: config.eventsRetentionDays,
        });
        console.log(
          `event partitions: ${partitions.created.length} created, ${partitions.dropped.length} dropped` +
            (partitions.dropped.length > 0 ? ` (${partitions.dropped.join(' ')})` : '') +
            (partitions.busy.length > 0 ? `, ${partitions.busy.length} busy (next run)` : ''),
        );
      } catch (error) {
        logger.warn({ err: error }, 'event partition maintenance failed; the next run retries');
      }
    }
    // A failure's own status wins: it says more than drift does.
    if (exitCode === 0 && drifted && values['fail-on-drift'] === true) {
      console.error(`--fail-on-drift: drift found, exiting ${EXIT_DRIFT}`);
      return EXIT_DRIFT;
    }
    return exitCode;
  } finally {
    interrupt.dispose();
    await queues.close();
    await database.destroy();
  }
}
