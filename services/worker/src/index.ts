export { loadConfig, WorkerEnv, type WorkerAccountConfig, type WorkerConfig } from './config';
export {
  createWorker,
  notifyJobId,
  type CreateWorkerDeps,
  type CloseOptions,
  type OmiseSyncWorker,
} from './create-worker';
export {
  WorkerMetrics,
  type JobOutcome,
  type NotificationOutcome,
  type QueueProbe,
} from './metrics';
export {
  startMetricsServer,
  type MetricsServer,
  type MetricsServerOptions,
} from './metrics-server';
export { buildDisputeAlert, formatAmount, postAlert, type SlackMessage } from './dispute-alert';
export {
  createOmiseEventProcessor,
  parseEventJob,
  MalformedJobError,
} from './omise-event.processor';
export { ProjectionBatcher, type ProjectionBatcherOptions } from './projection.batcher';
export { isDatabaseUnavailable } from './database-errors';
export { runWorker } from './main';
export { registerReconcileMetrics, type ReconcileRunSummary } from './reconcile-metrics';
