import { createDatabase } from '@omise-sync/db';
import { systemClock } from '@omise-sync/core';
import { UsageError, parseCommandArgs } from '../cli-env';
import { type LedgerSyncSummary, runLedgerSync } from '../sync/ledger';
import { createProgressReporter } from '../sync/progress-reporter';
import { LedgerSyncConfig, loadSyncConfigWithAccounts, selectAccounts } from '../sync/sync-config';
import {
  abortOnSignals,
  createCliLogger,
  createSyncOmiseClient,
  reportExpectedFailure,
} from '../sync/sync-services';
import { formatTable } from '../text-table';

export const SYNC_USAGE = `Usage: omise-sync sync ledger [--account NAME]

Reads what Omise does not announce with events: snapshots the balance, then reads the
transactions and fee receipts added since the last run (each account has its own checkpoints),
in chronological pages, each committed with its checkpoint; a run that stops continues where
it stopped. Runs hourly as a CronJob and every LEDGER_SYNC_INTERVAL seconds in npm run dev.

  --account NAME  sync only this account; default: every account, one after the other
`;

/** The run's table: the balance, then one line per stream. */
export function formatLedgerSummary(summary: LedgerSyncSummary): string {
  const { balance } = summary;
  return [
    `balance ${balance.currency} total ${balance.total}, transferable ${balance.transferable ?? '?'} at ${balance.takenAt.toISOString()}`,
    formatTable(
      ['stream', 'status', 'window', 'items', 'written', 'pages', 'seconds'],
      summary.streams.map((s) => [
        s.stream,
        s.status,
        `${s.from} .. ${s.to}`,
        s.items,
        s.written,
        s.pages,
        Number(s.seconds.toFixed(1)),
      ]),
    ),
  ].join('\n');
}

/** `omise-sync sync ledger` (also the ledger CronJob's command). */
export async function syncCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      args: [...args],
      options: { account: { type: 'string' }, help: { type: 'boolean' } },
      allowPositionals: true,
    },
    SYNC_USAGE,
  );
  if (values.help === true) {
    console.log(SYNC_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'ledger') {
    throw new UsageError(`sync takes one target: ledger\n\n${SYNC_USAGE}`);
  }
  const { config, accounts } = loadSyncConfigWithAccounts(LedgerSyncConfig, env);
  const selected = selectAccounts(accounts, values.account, 'all');
  const logger = createCliLogger('sync', config.logLevel);
  const database = createDatabase({
    connectionString: config.databaseUrl,
    maxConnections: Math.max(2, config.databasePoolSize),
    applicationName: 'omise-sync-ledger',
  });
  const interrupt = abortOnSignals((signal) =>
    console.error(`${signal}: stopping after the page being written (the checkpoint is kept)`),
  );
  let exitCode = 0;
  try {
    for (const account of selected) {
      if (interrupt.signal.aborted) break;
      if (selected.length > 1) console.log(`account ${account.account}`);
      try {
        const summary = await runLedgerSync({
          db: database.db,
          omise: createSyncOmiseClient(account).withSignal(interrupt.signal),
          account: account.account,
          clock: systemClock,
          progress: createProgressReporter({ stream: process.stdout }),
          logger: logger.child({ account: account.account }),
          leaseTtlMs: config.leaseTtlMs,
          signal: interrupt.signal,
        });
        console.log(formatLedgerSummary(summary));
        if (summary.streams.some((s) => s.status !== 'completed')) exitCode = 130;
      } catch (error) {
        exitCode = Math.max(exitCode, reportExpectedFailure(error));
      }
    }
    return exitCode;
  } finally {
    interrupt.dispose();
    await database.destroy();
  }
}
