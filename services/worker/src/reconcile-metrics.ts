import { Gauge, type Registry } from 'prom-client';

/** What the reconcile gauges need from the latest finished `omise.reconcile_runs` row. */
export interface ReconcileRunSummary {
  finished_at: Date | null;
  drift: Record<string, number>;
  error: string | null;
}

const DRIFT = 'omise_sync_reconcile_drift';

/**
 * Exports the latest reconciliation (written by `omise-sync reconcile`, usually the CronJob)
 * as gauges read from Postgres at scrape time: drift by kind, when it last ran, and whether
 * it succeeded. Before any run (or when the read fails, which must not fail the whole scrape)
 * there is no drift sample and the two unlabelled gauges read 0.
 * Registering twice on one registry is a no-op.
 */
export function registerReconcileMetrics(
  registry: Registry,
  readLatestRun: () => Promise<ReconcileRunSummary | undefined>,
): void {
  if (registry.getSingleMetric(DRIFT) !== undefined) return;
  // Read at scrape time (an indexed single-row query per gauge), so nothing polls between.
  const latest = () => readLatestRun().catch(() => undefined);
  new Gauge({
    name: DRIFT,
    help: 'Differences the last reconcile found between Postgres and the Omise API, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const run = await latest();
      for (const [kind, count] of Object.entries(run?.drift ?? {})) this.set({ kind }, count);
    },
  });
  new Gauge({
    name: 'omise_sync_reconcile_last_run_timestamp_seconds',
    help: 'When the last reconcile finished (Unix seconds)',
    registers: [registry],
    async collect() {
      this.reset();
      const run = await latest();
      if (run?.finished_at != null) this.set(run.finished_at.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'omise_sync_reconcile_last_run_success',
    help: '1 when the last reconcile completed, 0 when it failed',
    registers: [registry],
    async collect() {
      this.reset();
      const run = await latest();
      if (run !== undefined) this.set(run.error === null ? 1 : 0);
    },
  });
}
