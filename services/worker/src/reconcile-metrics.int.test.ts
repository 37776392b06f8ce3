import { finishReconcileRun, findLatestReconcileRuns, insertReconcileRun } from '@omise-sync/db';
import { useTestDatabase } from '@omise-sync/testing';
import { Registry } from 'prom-client';
import { registerReconcileMetrics } from './reconcile-metrics';

describe('reconcile metrics', () => {
  const database = useTestDatabase();

  it('when no reconcile has run, there is no drift sample and the last run time reads 0', async () => {
    const registry = new Registry();
    registerReconcileMetrics(registry, () => findLatestReconcileRuns(database.handle.db));
    const text = await registry.metrics();
    expect(text).not.toMatch(/^omise_sync_reconcile_drift\{/m);
    // 0 makes "time() - last run > 30m" fire for a reconcile that never ran.
    expect(text).not.toMatch(/^omise_sync_reconcile_last_run_timestamp_seconds\{/m);
  });

  it('when runs finished, the latest one is exported: drift by kind, webhook deliveries Omise recorded, its end time and success', async () => {
    const { db } = database.handle;
    const older = await insertReconcileRun(db, {
      startedAt: new Date('2026-01-01T00:00:00Z'),
      since: new Date('2025-12-25T00:00:00Z'),
    });
    await finishReconcileRun(db, older, {
      finishedAt: new Date('2026-01-01T00:00:30Z'),
      eventsSeen: 1,
      eventsEnqueued: 1,
      drift: { charge_stale: 9 },
      repaired: { charge_stale: 9 },
      error: null,
    });
    const latest = await insertReconcileRun(db, {
      startedAt: new Date('2026-01-01T00:15:00Z'),
      since: new Date('2025-12-25T00:15:00Z'),
    });
    await finishReconcileRun(db, latest, {
      finishedAt: new Date('2026-01-01T00:15:40Z'),
      eventsSeen: 10,
      eventsEnqueued: 3,
      drift: { events_unprocessed: 3, dispute_stale: 1 },
      repaired: { events_unprocessed: 3, dispute_stale: 1 },
      error: null,
      webhookDeliveries: {
        eventsAttempted: 10,
        eventsFailed: 2,
        byStatus: { '200': 8, '500': 4, '0': 1 },
        failedExamples: ['evnt_test_1', 'evnt_test_2'],
      },
    });
    const registry = new Registry();
    registerReconcileMetrics(registry, () => findLatestReconcileRuns(db));
    registerReconcileMetrics(registry, () => findLatestReconcileRuns(db));
    const text = await registry.metrics();
    expect(text).toContain(
      'omise_sync_reconcile_drift{account="default",kind="events_unprocessed"} 3',
    );
    expect(text).toContain('omise_sync_reconcile_drift{account="default",kind="dispute_stale"} 1');
    expect(text).not.toContain('kind="charge_stale"');
    expect(text).toContain(
      `omise_sync_reconcile_last_run_timestamp_seconds{account="default"} ${Date.parse('2026-01-01T00:15:40Z') / 1000}`,
    );
    expect(text).toContain('omise_sync_reconcile_last_run_success{account="default"} 1');
    expect(text).toContain('omise_sync_omise_webhook_deliveries{account="default",status="500"} 4');
    expect(text).toContain('omise_sync_omise_webhook_deliveries{account="default",status="0"} 1');
    expect(text).toContain('omise_sync_omise_webhook_failed_events{account="default"} 2');
  });

  it('when Postgres cannot be read, the scrape still succeeds, with no drift sample', async () => {
    const registry = new Registry();
    registerReconcileMetrics(registry, () => Promise.reject(new Error('connection refused')));
    const text = await registry.metrics();
    expect(text).toContain('# TYPE omise_sync_reconcile_drift gauge');
    expect(text).not.toMatch(/^omise_sync_reconcile_drift\{/m);
    expect(text).not.toMatch(/^omise_sync_reconcile_last_run_timestamp_seconds\{/m);
  });
});
