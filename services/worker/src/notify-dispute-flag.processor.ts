import { type Logger, NotifyDisputeFlagJob } from '@omise-sync/core';
import {
  type Database,
  claimDisputeFlagNotification,
  findDispute,
  markDisputeFlagNotified,
  recordDisputeFlagNotifyError,
  releaseDisputeFlagClaim,
} from '@omise-sync/db';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Clock } from '@omise-sync/core';
import {
  AlertOutcomeUnknownError,
  AlertRejectedError,
  type FetchLike,
  buildDisputeAlert,
  disputeHeadline,
  postAlert,
} from './dispute-alert';
import { ANY_ACCOUNT, type NotificationOutcome, type WorkerMetrics } from './metrics';

export interface AlertWebhookOptions {
  /** Slack-compatible incoming webhook URL. */
  url: string;
  /** Milliseconds the POST may take. @defaultValue 5000 */
  timeoutMs?: number;
  /**
   * What happens to a test-mode dispute's flag: `skip` records it as not notified, `notify` sends
   * it labelled TEST MODE (the local demo, whose emulator only makes test-mode disputes).
   * @defaultValue 'skip'
   */
  testMode?: AlertTestMode;
}

/** `ALERT_TEST_MODE`: whether test-mode disputes are notified. */
export type AlertTestMode = 'notify' | 'skip';

/** Kept in `notify_error`, so the flag reads as settled and the sweeper leaves it alone. */
export const TEST_MODE_SKIPPED = 'test-mode dispute not notified (ALERT_TEST_MODE=skip)';

export interface NotifyProcessorDeps {
  db: Kysely<Database>;
  logger: Logger;
  metrics: WorkerMetrics;
  clock: Clock;
  /** Where alerts go; undefined: nobody is notified (warned once). */
  alertWebhook: AlertWebhookOptions | undefined;
  /** HTTP transport for the alert. @defaultValue globalThis.fetch */
  fetch?: FetchLike;
}

/**
 * The BullMQ processor for `jobCatalog.notifyDisputeFlag`: sends a flag's alert at most once.
 * It first claims the flag in Postgres (only one claimant can win); on a failure that proves
 * nothing was delivered it gives the claim back and lets BullMQ retry; on an ambiguous failure
 * it keeps the claim, so the alert is never sent twice, and fails loudly instead.
 */
export function createNotifyDisputeFlagProcessor(deps: NotifyProcessorDeps) {
  let warnedDisabled = false;
  return async function notifyDisputeFlag(job: Job<unknown>): Promise<NotificationOutcome> {
    const parsed = NotifyDisputeFlagJob.safeParse(job.data);
    if (!parsed.success) {
      deps.logger.error({ jobId: job.id }, 'malformed notify job; failed without retry');
      throw new UnrecoverableError(`malformed notify job: ${parsed.error.message}`);
    }
    const { disputeId } = parsed.data;
    const account = parsed.data.account ?? ANY_ACCOUNT;
    const logger = deps.logger.child({ jobId: job.id, disputeId });
    if (deps.alertWebhook === undefined) {
      if (!warnedDisabled) {
        warnedDisabled = true;
        logger.warn('ALERT_WEBHOOK_URL is not set; dispute flags are not notified');
      }
      deps.metrics.notifications.inc({ account, outcome: 'disabled' });
      return 'disabled';
    }
    const flag = await claimDisputeFlagNotification(deps.db, disputeId, deps.clock.now());
    if (flag === undefined) {
      deps.metrics.notifications.inc({ account, outcome: 'skipped' });
      return 'skipped';
    }
    const dispute = await findDispute(deps.db, disputeId);
    if (dispute === undefined) {
      // The flag references the dispute, so this cannot happen short of manual deletes.
      await releaseDisputeFlagClaim(deps.db, disputeId, 'dispute row missing');
      throw new UnrecoverableError(`dispute ${disputeId} has a flag but no row`);
    }
    if (!dispute.livemode && (deps.alertWebhook.testMode ?? 'skip') === 'skip') {
      // The claim stays taken, so neither a retry nor the sweeper sends it later.
      await recordDisputeFlagNotifyError(deps.db, disputeId, TEST_MODE_SKIPPED);
      deps.metrics.notifications.inc({ account, outcome: 'test_mode' });
      logger.info('test-mode dispute; not notified (ALERT_TEST_MODE=skip)');
      return 'test_mode';
    }
    const alert = buildDisputeAlert(disputeHeadline(flag), { ...dispute, ...flag });
    try {
      await postAlert(deps.alertWebhook.url, alert, {
        timeoutMs: deps.alertWebhook.timeoutMs ?? 5_000,
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof AlertRejectedError) {
        await releaseDisputeFlagClaim(deps.db, disputeId, message);
        deps.metrics.notifications.inc({ account, outcome: 'retried' });
        logger.warn({ err: error }, 'alert not delivered; BullMQ retries');
        throw error;
      }
      if (error instanceof AlertOutcomeUnknownError) {
        await recordDisputeFlagNotifyError(deps.db, disputeId, message);
        deps.metrics.notifications.inc({ account, outcome: 'ambiguous' });
        logger.error(
          { err: error },
          'alert may or may not have been delivered; not resent (at most once), check the channel',
        );
        throw new UnrecoverableError(message);
      }
      throw error;
    }
    await markDisputeFlagNotified(deps.db, disputeId, deps.clock.now());
    deps.metrics.notifications.inc({ account, outcome: 'sent' });
    logger.info({ severity: flag.severity }, 'dispute alert sent');
    return 'sent';
  };
}
