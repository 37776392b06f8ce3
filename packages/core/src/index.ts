export { ConfigError, envFields, loadBoth, parseEnv } from './parse-env';
export {
  AccountName,
  DEFAULT_ACCOUNT,
  loadOmiseAccounts,
  type LoadOmiseAccountsOptions,
  type OmiseAccount,
} from './omise-accounts';
export { onShutdownSignal } from './shutdown-signals';
export {
  createLogger,
  REDACT_PATHS,
  REDACTION_CENSOR,
  type CreateLoggerOptions,
  type Logger,
} from './logger';
export {
  EventOrigin,
  IgnoredEventJob,
  NotifyDisputeFlagJob,
  DisputeReminderJob,
  OmiseEventJob,
  ProjectedResource,
  eventQueueName,
  jobCatalog,
  type JobCatalog,
} from './job-catalog';
export {
  BatchCommitter,
  MissingSettlementError,
  type BatchCommitterOptions,
  type BatchSettlement,
  type CommitBatch,
} from './batch-committer';
export { systemClock, type Clock } from './clock';
export { eventHistoryPayload } from './event-history';
export {
  MAX_STORED_JSON_DEPTH,
  TRUNCATED_JSON,
  toStorableJson,
  toStorableText,
} from './storable-json';
export {
  OmiseEventEnvelope,
  OmiseEventId,
  describeIssues,
  omiseIdPattern,
  toEventDisposition,
  type EventDisposition,
} from './omise-event-envelope';
export {
  CLUSTER_BULLMQ_PREFIX,
  RedisEnv,
  checkRedisEnv,
  createRedisConnection,
  describeRedisTarget,
  redisEnvFields,
  toRedisConfig,
  type RedisAddress,
  type RedisConfig,
  type RedisConnection,
  type RedisConnectionOptions,
} from './redis-connection';
export {
  JobTraceContext,
  SpanKind,
  TRACER_NAME,
  activeContext,
  contextOfHeaders,
  contextOfJob,
  currentJobTraceContext,
  isTracingEnabled,
  recordSpanError,
  runInSpan,
  startSpan,
  startTracing,
  withSpan,
  type Context,
  type Span,
  type SpanOptions,
  type Tracing,
} from './tracing';
export {
  PiiEnv,
  PII_SALT_REQUIRED,
  hasPiiSalt,
  piiEnvShape,
  protectPii,
  toPiiPolicy,
  type PiiPolicy,
} from './pii-policy';
