export {
  AccountConflictError,
  projectBatch,
  isRowError,
  type EventRequest,
  type ObservedRequest,
  type ProjectBatchOptions,
  type ProjectionDeps,
  type ProjectionRequest,
  type ProjectionResult,
  type RefetchRequest,
} from './project-batch';
export type { FollowUpDeps, Observed, ResourceModule, WriteOutcome } from './resource-module';
export { collect, expandableId, type ProjectionContext } from './projection-context';
export { eventRecord, ignoredEventRecord, recordEvents } from './event-record';
export {
  InvalidResourceError,
  RESOURCE_TYPES,
  eventResource,
  lockKey,
  resourceModules,
  type ObservationOf,
  type ResourceRef,
  type ResourceType,
} from './resources';
export {
  embeddedRefunds,
  redactCard,
  toChargeRow,
  toRefundRow,
  type ChargeObservation,
} from './resources/charge.resource';
export {
  DEFAULT_DISPUTE_RESPONSE_DAYS,
  DisputeResponseDays,
  dependsOnCardCountry,
  disputeRespondBy,
  disputeResponseDays,
} from './resources/dispute-deadline';
export {
  disputeChargeId,
  embeddedDocuments,
  isDisputeActive,
  isDisputeClosed,
  toDisputeDocumentRow,
  toDisputeRow,
  type DisputeObservation,
} from './resources/dispute.resource';
export type { WrittenFlag } from './resources/dispute-flags';
export {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DisputeSeverityRules,
  SEVERITIES,
  assessDisputeSeverity,
  type DisputeFacts,
  type SeverityAssessment,
} from './resources/dispute-severity';
export { toTransferRow, type TransferObservation } from './resources/transfer.resource';
export {
  findNetMovementFees,
  type MovementFees,
  toBalanceSnapshotRow,
  toReceiptRow,
  toTransactionRow,
  writeBalanceSnapshot,
  writeReceipts,
  writeTransactions,
} from './ledger';
export {
  embeddedCards,
  toCardRow,
  toCustomerRow,
  type CustomerObservation,
} from './resources/customer.resource';
export { toRecipientRow, type RecipientObservation } from './resources/recipient.resource';
export {
  embeddedOccurrences,
  toOccurrenceRow,
  toScheduleRow,
  type ScheduleObservation,
} from './resources/schedule.resource';
export { toLinkRow, type LinkObservation } from './resources/link.resource';
