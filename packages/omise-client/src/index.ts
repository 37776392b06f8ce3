export { createOmiseClient, type OmiseClient, type OmiseClientOptions } from './omise-client';
export {
  type ChargesResource,
  type CreateChargeParams,
  type UpdateChargeParams,
} from './resources/charges.resource';
export { type RefundsResource, type CreateRefundParams } from './resources/refunds.resource';
export {
  type DisputesResource,
  type UpdateDisputeParams,
  type ListDisputesParams,
} from './resources/disputes.resource';
export {
  MAX_DOCUMENT_BYTES,
  type DocumentsResource,
  type UploadDocumentParams,
} from './resources/documents.resource';
export { type EventsResource } from './resources/events.resource';
export { type TokensResource, type CreateTokenParams } from './resources/tokens.resource';
export {
  type CustomersResource,
  type LinksResource,
  type ReadableResource,
  type RecipientsResource,
  type SchedulesResource,
} from './resources/directory.resources';
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
export { type TransactionsResource } from './resources/transactions.resource';
export { type TransfersResource, type CreateTransferParams } from './resources/transfers.resource';
export { type BalanceResource } from './resources/balance.resource';
export { type ReceiptsResource } from './resources/receipts.resource';
export { Transaction } from './schemas/transaction.schema';
export { Transfer } from './schemas/transfer.schema';
export { Balance } from './schemas/balance.schema';
export { Receipt } from './schemas/receipt.schema';
export { Card, Customer, cardCustomerId } from './schemas/customer.schema';
export { Recipient } from './schemas/recipient.schema';
export { Occurrence, Schedule } from './schemas/schedule.schema';
export { Link } from './schemas/link.schema';
