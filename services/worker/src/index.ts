export { loadConfig, WorkerConfig } from './config';
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
export { eventRecord } from './charge-projection.batcher';
export { systemClock, type Clock } from './clock';
export {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DisputeSeverityRules,
  SEVERITIES,
  assessDisputeSeverity,
  type DisputeFacts,
  type SeverityAssessment,
} from './dispute-severity';
export { buildDisputeAlert, formatAmount, postAlert, type SlackMessage } from './dispute-alert';
export type { ProjectionContext } from './projection/projection-context';
export {
  embeddedRefunds,
  projectCharge,
  projectCharges,
  redactCard,
  toChargeRow,
  toRefundRow,
  type ChargeObservation,
} from './projection/charge.projector';
export {
  disputeChargeId,
  embeddedDocuments,
  isDisputeActive,
  isDisputeClosed,
  projectDispute,
  toDisputeDocumentRow,
  toDisputeRow,
  type DisputeProjection,
  type DisputeProjectionOptions,
  type WrittenFlag,
} from './projection/dispute.projector';
export {
  fetchChargeObservation,
  fetchDisputeObservation,
  type DisputeObservation,
} from './projection/omise-fetch';
export {
  createOmiseEventProcessor,
  parseEventJob,
  projectEvent,
  projectionTarget,
  MalformedJobError,
  type ProjectionResult,
  type ProjectionTarget,
} from './omise-event.processor';
export { isDatabaseUnavailable } from './database-errors';
export { runWorker } from './main';
export { registerReconcileMetrics, type ReconcileRunSummary } from './reconcile-metrics';
