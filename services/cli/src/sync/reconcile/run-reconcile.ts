import { finishReconcileRun, insertReconcileRun } from '@omise-sync/db';
import { withSyncLease } from '../sync-lease';
import { reconcileCharges } from './charges.phase';
import { reconcileDisputes } from './disputes.phase';
import { reconcileDirectoriesWhenDue } from './directories.phase';
import { DriftLedger } from './drift-ledger';
import { reconcileEvents } from './events.phase';
import {
  type ReconcileDeps,
  type ReconcileEventsReport,
  type ReconcileOptions,
  type ReconcileReport,
} from './reconcile.types';

/**
 * `omise-sync reconcile`: makes Postgres converge to what the Omise API says.
 * 1. Reads the Events API from the cursor and puts every charge, refund and dispute event not
 *    yet processed on the queue (origin `reconcile`): lost deliveries, failed jobs.
 * 2. Compares open and pending disputes, and charges created since `since`, with their rows
 *    and repairs what differs by projecting the fetched resource (origin `reconcile`; the
 *    `observed_at` guard keeps anything newer); when due, walks customers, recipients,
 *    schedules, links and transfers whole.
 * 3. Records the run, its drift and Omise's record of delivering the events it read
 *    (`webhook_deliveries`) in `omise.reconcile_runs`.
 * Nothing it projects ever notifies. Holds the `omise-sync:reconcile` lease in
 * `omise.sync_leases`: one reconcile at a time per database.
 */
export async function runReconcile(
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  return withSyncLease(
    deps.db,
    { name: 'omise-sync:reconcile', account: deps.account },
    async () => {
      const startedAt = deps.clock.now();
      const since = options.since ?? new Date(startedAt.getTime() - options.lookbackMs);
      const runId = await insertReconcileRun(deps.db, {
        startedAt,
        since,
        account: deps.account,
      });
      const log = deps.logger.child({ reconcileRun: runId });
      const scoped = { ...deps, logger: log };
      const ledger = new DriftLedger();
      let events: ReconcileEventsReport | undefined;
      try {
        events = await reconcileEvents(scoped, options, runId, ledger);
        const disputesCompared = await reconcileDisputes(scoped, since, ledger);
        const chargesCompared = await reconcileCharges(scoped, since, ledger);
        const directories = await reconcileDirectoriesWhenDue(scoped, options, ledger);
        const finishedAt = deps.clock.now();
        await finishReconcileRun(deps.db, runId, {
          finishedAt,
          eventsSeen: events.seen,
          eventsEnqueued:
            events.actions.enqueued + events.actions.retried + events.actions.requeued,
          drift: ledger.drift,
          repaired: ledger.repaired,
          error: null,
          webhookDeliveries: events.webhookDeliveries,
        });
        const report: ReconcileReport = {
          runId,
          startedAt,
          finishedAt,
          since,
          events,
          chargesCompared,
          disputesCompared,
          directoriesCompared: directories.compared,
          directoriesWalkedAt: directories.walkedAt,
          drift: ledger.drift,
          repaired: ledger.repaired,
          examples: ledger.examples,
        };
        log.info(
          {
            drift: ledger.drift,
            repaired: ledger.repaired,
            examples: ledger.examples,
            webhookDeliveries: events.webhookDeliveries,
          },
          'reconcile finished',
        );
        return report;
      } catch (error) {
        await finishReconcileRun(deps.db, runId, {
          finishedAt: deps.clock.now(),
          eventsSeen: events?.seen ?? 0,
          eventsEnqueued:
            events === undefined
              ? 0
              : events.actions.enqueued + events.actions.retried + events.actions.requeued,
          drift: ledger.drift,
          repaired: ledger.repaired,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }).catch((recordError: unknown) =>
          log.error({ err: recordError }, 'could not record the failed run'),
        );
        throw error;
      }
    },
    deps.leaseTtlMs,
  );
}
