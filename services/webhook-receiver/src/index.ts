export { createApp, WEBHOOK_PATH, type ReceiverAppDeps } from './app';
export { BacklogMonitor, type BacklogMonitorOptions } from './backlog-monitor';
export {
  loadConfig,
  ReceiverEnv,
  VerificationMode,
  type ReceiverAccount,
  type ReceiverConfig,
} from './config';
export {
  createFetchVerifier,
  createSignatureVerifier,
  type Delivery,
  type DeliveryVerifier,
  type FetchVerifierOptions,
  type SignatureVerifierOptions,
  type VerifiedDelivery,
} from './delivery-verifier';
export {
  EventEnqueuer,
  QueueUnavailableError,
  type EventEnqueuerOptions,
  type OmiseEventQueue,
} from './event-enqueuer';
export {
  closeEventQueues,
  createEventQueue,
  createProducerConnection,
  type ProducerConnectionOptions,
} from './event-queue';
export { startReceiver, type RunningReceiver, type StartReceiverOptions } from './main';
export {
  ReceiverMetrics,
  type DeliveryOutcome,
  type ReceiverMetricsOptions,
  type VerificationFailureReason,
} from './metrics';
export {
  BadUpstreamEventError,
  InternalReceiverError,
  InvalidEventError,
  PayloadTooLargeError,
  ReceiverError,
  RequestAbortedError,
  ServiceUnavailableError,
  UnauthenticatedDeliveryError,
} from './receiver-errors';
export {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  type SignatureFailureReason,
  type SignatureVerification,
  type VerifySignatureInput,
} from './webhook-signature';
