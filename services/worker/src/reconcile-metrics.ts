import { Gauge, type Registry } from 'prom-client';

/** What the reconcile gauges need from an account's latest finished `omise.reconcile_runs` row. */
export interface ReconcileRunSummary {
  account: string;
  finished_at: Date | null;
  drift: Record<string, number>;
  error: string | null;
  /** Omise's record of delivering the events the run read; `{}` on runs before it was kept. */
  webhook_deliveries: { byStatus?: Record<string, number>; eventsFailed?: number };
}

const DRIFT = 'omise_sync_reconcile_drift';

/**
 * Exports each account's latest reconciliation (written by `omise-sync reconcile`, usually the
 * CronJob) as gauges read from Postgres at scrape time, labelled by account: drift by kind,
 * Omise's record of delivering the events it read, when it last ran, and whether it succeeded.
 * An account without a run (or every account, when the read fails, which must not fail the
 * whole scrape) has no sample.
 * Registering twice on one registry is a no-op.
 */
export function registerReconcileMetrics(
  registry: Registry,
  readLatestRuns: () => Promise<readonly ReconcileRunSummary[]>,
): void {
  if (registry.getSingleMetric(DRIFT) !== undefined) return;
  // Read at scrape time (one indexed query per gauge), so nothing polls between.
  const latest = () => readLatestRuns().catch(() => []);
  new Gauge({
    name: DRIFT,
    help: 'Differences the last reconcile found between Postgres and the Omise API, by account and kind',
    labelNames: ['account', 'kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const run of await latest()) {
        for (const [kind, count] of Object.entries(run.drift)) {
          this.set({ account: run.account, kind }, count);
        }
      }
    },
  });
  new Gauge({
    name: 'omise_sync_omise_webhook_deliveries',
    help: "Webhook delivery attempts Omise recorded for the events the account's last reconcile read, by the status the endpoint answered (0 = no response)",
    labelNames: ['account', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const run of await latest()) {
        for (const [status, count] of Object.entries(run.webhook_deliveries.byStatus ?? {})) {
          this.set({ account: run.account, status }, count);
        }
      }
    },
  });
  new Gauge({
    name: 'omise_sync_omise_webhook_failed_events',
    help: "Events the account's last reconcile read whose every webhook delivery attempt failed, as Omise recorded them",
    labelNames: ['account'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const run of await latest()) {
        const failed = run.webhook_deliveries.eventsFailed;
        if (failed !== undefined) this.set({ account: run.account }, failed);
      }
    },
  });
  new Gauge({
    name: 'omise_sync_reconcile_last_run_timestamp_seconds',
    help: "When the account's last reconcile finished (Unix seconds)",
    labelNames: ['account'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const run of await latest()) {
        if (run.finished_at !== null) {
          this.set({ account: run.account }, run.finished_at.getTime() / 1000);
        }
      }
    },
  });
  new Gauge({
    name: 'omise_sync_reconcile_last_run_success',
    help: "1 when the account's last reconcile completed, 0 when it failed",
    labelNames: ['account'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const run of await latest()) {
        this.set({ account: run.account }, run.error === null ? 1 : 0);
      }
    },
  });
}
