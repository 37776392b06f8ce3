import { systemClock } from '@omise-sync/core';
import { UsageError, parseCommandArgs } from '../cli-env';
import { replayEvent, replayFailedJobs } from '../sync/replay';
import {
  ReplayEventConfig,
  ReplayFailedConfig,
  loadSyncConfigWithAccountNames,
  loadSyncConfigWithAccounts,
  selectAccounts,
} from '../sync/sync-config';
import {
  createCliLogger,
  createSyncOmiseClient,
  openSyncQueues,
  reportExpectedFailure,
} from '../sync/sync-services';
import { formatTable } from '../text-table';
import { parseSince } from './backfill.command';

export const REPLAY_USAGE = `Usage: omise-sync replay [--account NAME] --event ID
       omise-sync replay [--account NAME] --failed [--since DATE]

  --event ID      fetch the event from Omise and enqueue it again (origin "replay"; the worker
                  re-fetches its resource; nothing it projects notifies)
  --failed        retry every failed job of omise-events and omise-followups (attempts reset);
                  a retried job keeps its payload and origin
  --since DATE    with --failed: only jobs that failed at or after DATE (ISO 8601)
  --account NAME  with --event: the account the event belongs to (required when several are
                  configured); with --failed: only that account's event queue (default: every
                  account's, and omise-followups)
`;

/** `omise-sync replay`. */
export async function replayCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: [...args],
      options: {
        account: { type: 'string' },
        event: { type: 'string' },
        failed: { type: 'boolean' },
        since: { type: 'string' },
        help: { type: 'boolean' },
      },
    },
    REPLAY_USAGE,
  );
  if (values.help === true) {
    console.log(REPLAY_USAGE);
    return 0;
  }
  const failed = values.failed === true;
  if ((values.event === undefined) === !failed) {
    throw new UsageError(`give exactly one of --event ID or --failed\n\n${REPLAY_USAGE}`);
  }
  if (values.since !== undefined && !failed) {
    throw new UsageError('--since goes with --failed');
  }

  if (values.event !== undefined) {
    const { config, accounts } = loadSyncConfigWithAccounts(ReplayEventConfig, env);
    const [account] = selectAccounts(accounts, values.account, 'required');
    if (account === undefined) throw new UsageError('no account configured');
    const logger = createCliLogger('replay', config.logLevel);
    const queues = openSyncQueues(config.redis, (error) =>
      logger.warn({ err: error }, 'Redis error'),
    );
    try {
      const replayed = await replayEvent(
        {
          account: account.account,
          omise: createSyncOmiseClient(account),
          queue: queues.eventsOf(account.account),
          clock: systemClock,
        },
        values.event,
      );
      console.log(
        formatTable(
          ['event', 'key', 'resource', 'job'],
          [[replayed.eventId, replayed.key, replayed.resourceId, replayed.jobId]],
        ),
      );
      return 0;
    } catch (error) {
      return reportExpectedFailure(error);
    } finally {
      await queues.close();
    }
  }

  const since = parseSince(values.since);
  const { config, accounts } = loadSyncConfigWithAccountNames(ReplayFailedConfig, env);
  const selected = selectAccounts(accounts, values.account, 'all');
  const logger = createCliLogger('replay', config.logLevel);
  const queues = openSyncQueues(config.redis, (error) =>
    logger.warn({ err: error }, 'Redis error'),
  );
  try {
    const eventQueues = selected.map(({ account }) => queues.eventsOf(account));
    const retried = await replayFailedJobs(
      values.account === undefined ? [...eventQueues, queues.followups] : eventQueues,
      { since },
    );
    if (retried.length === 0) {
      console.log(`no failed job${since === undefined ? '' : ` since ${since.toISOString()}`}`);
      return 0;
    }
    console.log(
      formatTable(
        ['queue', 'job', 'about', 'failed at', 'attempts', 'reason'],
        retried.map((job) => [
          job.queue,
          job.jobId,
          job.subject,
          job.failedAt,
          job.attemptsMade,
          job.failedReason.length > 80 ? `${job.failedReason.slice(0, 77)}...` : job.failedReason,
        ]),
      ),
    );
    console.log(`\nretried ${retried.length} failed job(s)`);
    return 0;
  } finally {
    await queues.close();
  }
}
