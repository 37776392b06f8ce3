import { systemClock } from '@omise-sync/core';
import { UsageError, parseCommandArgs } from '../cli-env';
import { replayEvent, replayFailedJobs } from '../sync/replay';
import { ReplayEventConfig, ReplayFailedConfig, loadSyncConfig } from '../sync/sync-config';
import {
  createCliLogger,
  createSyncOmiseClient,
  openSyncQueues,
  reportExpectedFailure,
} from '../sync/sync-services';
import { formatTable } from '../text-table';
import { parseSince } from './backfill.command';

export const REPLAY_USAGE = `Usage: omise-sync replay --event ID
       omise-sync replay --failed [--since DATE]

  --event ID      fetch the event from Omise and enqueue it again (origin "replay"; the worker
                  re-fetches its resource; nothing it projects notifies)
  --failed        retry every failed job of omise-events and omise-followups (attempts reset);
                  a retried job keeps its payload and origin
  --since DATE    with --failed: only jobs that failed at or after DATE (ISO 8601)
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
    const config = loadSyncConfig(ReplayEventConfig, env);
    const logger = createCliLogger('replay', config.logLevel);
    const queues = openSyncQueues(config.redisUrl, config.bullmqPrefix, (error) =>
      logger.warn({ err: error }, 'Redis error'),
    );
    try {
      const replayed = await replayEvent(
        { omise: createSyncOmiseClient(config.omise), queue: queues.events, clock: systemClock },
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
  const config = loadSyncConfig(ReplayFailedConfig, env);
  const logger = createCliLogger('replay', config.logLevel);
  const queues = openSyncQueues(config.redisUrl, config.bullmqPrefix, (error) =>
    logger.warn({ err: error }, 'Redis error'),
  );
  try {
    const retried = await replayFailedJobs([queues.events, queues.followups], { since });
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
