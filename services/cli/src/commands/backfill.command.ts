import { createDatabase } from '@omise-sync/db';
import { systemClock } from '@omise-sync/core';
import { UsageError, parseCommandArgs } from '../cli-env';
import {
  BACKFILL_RESOURCES,
  type BackfillResource,
  type BackfillSummary,
  runBackfill,
} from '../sync/backfill';
import { createProgressReporter } from '../sync/progress-reporter';
import { BackfillConfig, loadSyncConfigWithAccounts, selectAccounts } from '../sync/sync-config';
import {
  abortOnSignals,
  createCliLogger,
  createSyncOmiseClient,
  reportExpectedFailure,
} from '../sync/sync-services';
import { formatTable } from '../text-table';

export const BACKFILL_USAGE = `Usage: omise-sync backfill [--account NAME] [--since DATE] [--resources charges,disputes,transfers] [--restart]

Pages through Omise's list endpoints and projects every charge (with its refunds) and dispute
into Postgres (origin "backfill"; disputes found open are flagged, never notified). Resumable:
each batch is committed with a checkpoint, so a run that stops (crash, Ctrl-C) continues where
it stopped when started again. A finished backfill started again fetches only what is newer.

  --account NAME      the account to backfill (required when several are configured); each
                      account has its own checkpoints and lease
  --since DATE        start of the window (ISO 8601, e.g. 2026-01-01); default: resume, or
                      continue after the last finished window, or everything
  --resources LIST    comma-separated: charges, disputes, transfers (default all, in that order)
  --restart           discard the checkpoint and walk the window again
`;

/** Parses --since as an ISO 8601 date or date-time. */
export function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new UsageError(`--since must be an ISO 8601 date, got "${value}"`);
  }
  return new Date(ms);
}

/** Parses --resources into a de-duplicated list in the canonical order (charges first). */
export function parseResources(value: string | undefined): BackfillResource[] {
  if (value === undefined) return [...BACKFILL_RESOURCES];
  const asked = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const unknown = asked.filter((part) => !(BACKFILL_RESOURCES as readonly string[]).includes(part));
  if (unknown.length > 0 || asked.length === 0) {
    throw new UsageError(
      `--resources takes ${BACKFILL_RESOURCES.join(', ')}; got "${unknown.join(',') || value}"`,
    );
  }
  return BACKFILL_RESOURCES.filter((resource) => asked.includes(resource));
}

/** The final summary table. */
export function formatBackfillSummary(summaries: readonly BackfillSummary[]): string {
  return formatTable(
    [
      'resource',
      'status',
      'window',
      'items',
      'written',
      'refunds',
      'flags',
      'pages',
      'seconds',
      'items/s',
    ],
    summaries.map((s) => [
      s.resource,
      s.resumed ? `${s.status} (resumed at ${s.startOffset})` : s.status,
      `${s.from} .. ${s.to}`,
      s.items,
      s.written,
      s.refunds,
      s.flags,
      s.pages,
      Number(s.seconds.toFixed(1)),
      s.seconds > 0 ? Math.round(s.items / s.seconds) : s.items,
    ]),
  );
}

/** `omise-sync backfill`. */
export async function backfillCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: [...args],
      options: {
        account: { type: 'string' },
        since: { type: 'string' },
        resources: { type: 'string' },
        restart: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    },
    BACKFILL_USAGE,
  );
  if (values.help === true) {
    console.log(BACKFILL_USAGE);
    return 0;
  }
  const since = parseSince(values.since);
  const resources = parseResources(values.resources);
  const { config, accounts } = loadSyncConfigWithAccounts(BackfillConfig, env);
  const [account] = selectAccounts(accounts, values.account, 'required');
  if (account === undefined) throw new UsageError('no account configured');
  const logger = createCliLogger('backfill', config.logLevel);
  const database = createDatabase({
    connectionString: config.databaseUrl,
    maxConnections: Math.max(2, config.databasePoolSize),
    applicationName: 'omise-sync-backfill',
  });
  const interrupt = abortOnSignals((signal) =>
    console.error(`${signal}: stopping after the batch being written (the checkpoint is kept)`),
  );
  try {
    const omise = createSyncOmiseClient(account).withSignal(interrupt.signal);
    const summaries = await runBackfill(
      {
        db: database.db,
        omise,
        clock: systemClock,
        progress: createProgressReporter({ stream: process.stdout }),
        logger,
        account: account.account,
        severityRules: config.severityRules,
        responseDays: config.responseDays,
        pii: config.pii,
        leaseTtlMs: config.leaseTtlMs,
        signal: interrupt.signal,
      },
      {
        resources,
        since,
        restart: values.restart === true,
        batchSize: config.batchSize,
        prefetchPages: config.prefetchPages,
      },
    );
    console.log(`\n${formatBackfillSummary(summaries)}`);
    return summaries.every((s) => s.status === 'completed') ? 0 : 130;
  } catch (error) {
    return reportExpectedFailure(error);
  } finally {
    interrupt.dispose();
    await database.destroy();
  }
}
