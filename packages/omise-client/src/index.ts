export {
  createOmiseClient,
  MAX_DOCUMENT_BYTES,
  type OmiseClient,
  type OmiseClientOptions,
  type ChargesResource,
  type RefundsResource,
  type DisputesResource,
  type DocumentsResource,
  type EventsResource,
  type TokensResource,
  type CreateChargeParams,
  type UpdateChargeParams,
  type CreateRefundParams,
  type UpdateDisputeParams,
  type ListDisputesParams,
  type CreateTokenParams,
  type UploadDocumentParams,
} from './omise-client';
export { type OmiseListIterable, type ListParams, MAX_PAGE_SIZE } from './omise-list-iterable';
export type { OmiseResponseInfo, FetchLike, FetchLikeResponse, HttpMethod } from './omise-request';
export {
  OmiseError,
  OmiseAuthenticationError,
  OmiseNotFoundError,
  OmiseRateLimitError,
  OmiseInvalidRequestError,
  OmiseServerError,
  OmiseConnectionError,
  OmiseResponseValidationError,
  isOmiseError,
  type OmiseErrorDetails,
} from './omise-error';
export {
  shouldRetry,
  backoffMs,
  retryDelayMs,
  parseRetryAfterMs,
  isTransientStatus,
  DEFAULT_RETRY_LIMITS,
  type RequestKind,
  type AttemptOutcome,
  type RetryLimits,
} from './retry-policy';
export {
  createTokenBucketRateLimiter,
  type RateLimiter,
  type TokenBucketRateLimiterOptions,
} from './rate-limiter';
export {
  createRedisRateLimiter,
  type RedisEvaluator,
  type RedisRateLimiterOptions,
} from './redis-rate-limiter';
export { Metadata, UnknownOmiseObject, Expandable, DeletedObject } from './schemas/common.schema';
export { OmiseTimestamp, normalizeOmiseTimestamp } from './schemas/timestamp.schema';
export * from './schemas/statuses';
export { OmiseList } from './schemas/list.schema';
export { DisputeDocument, OmiseDocument } from './schemas/document.schema';
export { Refund } from './schemas/refund.schema';
export { Dispute } from './schemas/dispute.schema';
export { Charge } from './schemas/charge.schema';
export {
  OmiseEvent,
  OmiseEventSummary,
  OmiseEventData,
  WebhookDelivery,
  isChargeData,
  isRefundData,
  isDisputeData,
  isDeletedData,
} from './schemas/event.schema';
export { OmiseErrorBody } from './schemas/error-body.schema';
export { Token } from './schemas/token.schema';
