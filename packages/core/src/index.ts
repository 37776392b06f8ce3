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
  PiiEnv,
  PII_SALT_REQUIRED,
  hasPiiSalt,
  piiEnvShape,
  protectPii,
  toPiiPolicy,
  type PiiPolicy,
} from './pii-policy';
