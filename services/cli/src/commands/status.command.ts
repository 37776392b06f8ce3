import { createDatabase } from '@omise-sync/db';
import { systemClock } from '@omise-sync/core';
import { collectStatus, formatStatus } from '../sync/status';
import { StatusConfig, loadSyncConfig } from '../sync/sync-config';
import { createCliLogger, openSyncQueues } from '../sync/sync-services';
import { parseCommandArgs } from '../cli-env';

export const STATUS_USAGE = `Usage: omise-sync status [--json]

Queue depths and failed jobs, the last reconciliation and its drift, processing lag over the
last 5 minutes (p50/p99 of processed_at - received_at) and the newest event's age, and where
backfills stand. --json prints the same as one JSON object.
`;

/** `omise-sync status`. */
export async function statusCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: [...args],
      options: { json: { type: 'boolean' }, help: { type: 'boolean' } },
    },
    STATUS_USAGE,
  );
  if (values.help === true) {
    console.log(STATUS_USAGE);
    return 0;
  }
  const config = loadSyncConfig(StatusConfig, env);
  const database = createDatabase({
    connectionString: config.databaseUrl,
    maxConnections: 2,
    applicationName: 'omise-sync-status',
  });
  const logger = createCliLogger('status', config.logLevel);
  const queues = openSyncQueues(config.redisUrl, config.bullmqPrefix, (error) =>
    logger.warn({ err: error }, 'Redis error'),
  );
  try {
    const status = await collectStatus({
      db: database.db,
      queues: [queues.events, queues.followups],
      clock: systemClock,
    });
    console.log(values.json === true ? JSON.stringify(status, null, 2) : formatStatus(status));
    return 0;
  } finally {
    await queues.close();
    await database.destroy();
  }
}
