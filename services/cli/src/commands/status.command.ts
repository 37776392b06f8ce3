import { createDatabase } from '@omise-sync/db';
import { systemClock } from '@omise-sync/core';
import { collectStatus, formatFollowups, formatStatus, queueStatus } from '../sync/status';
import { StatusConfig, loadSyncConfigWithAccountNames, selectAccounts } from '../sync/sync-config';
import { createCliLogger, openSyncQueues } from '../sync/sync-services';
import { parseCommandArgs } from '../cli-env';

export const STATUS_USAGE = `Usage: omise-sync status [--account NAME] [--json]

Queue depths and failed jobs, the last reconciliation, its drift and what Omise recorded of
delivering the events it read (attempts by status, events whose every attempt failed),
processing lag over the last 5 minutes (p50/p99 of processed_at - received_at) and the newest
event's age, where backfills stand, and the keys of events recorded ignored (objects omise-sync
does not project, a new kind of Omise event) with their counts, for every account (or only
--account NAME), then the shared follow-up queue.
--json prints the same as one JSON object.
`;

/** `omise-sync status`. */
export async function statusCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: [...args],
      options: {
        account: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    },
    STATUS_USAGE,
  );
  if (values.help === true) {
    console.log(STATUS_USAGE);
    return 0;
  }
  const { config, accounts } = loadSyncConfigWithAccountNames(StatusConfig, env);
  const selected = selectAccounts(accounts, values.account, 'all');
  const database = createDatabase({
    connectionString: config.databaseUrl,
    maxConnections: 2,
    applicationName: 'omise-sync-status',
  });
  const logger = createCliLogger('status', config.logLevel);
  const queues = openSyncQueues(config.redis, (error) =>
    logger.warn({ err: error }, 'Redis error'),
  );
  try {
    const statuses = [];
    for (const { account } of selected) {
      statuses.push(
        await collectStatus({
          db: database.db,
          account,
          queues: [queues.eventsOf(account)],
          clock: systemClock,
        }),
      );
    }
    const followups = await queueStatus(queues.followups, systemClock.now().getTime());
    console.log(
      values.json === true
        ? JSON.stringify({ accounts: statuses, followups }, null, 2)
        : [...statuses.map(formatStatus), formatFollowups(followups)].join('\n\n'),
    );
    return 0;
  } finally {
    await queues.close();
    await database.destroy();
  }
}
