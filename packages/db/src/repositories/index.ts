export type {
  ChargeRow,
  DisputeActionRow,
  DisputeReminderRow,
  DisputeDocumentRow,
  DisputeFlagRow,
  DisputeRow,
  EventRow,
  NewCharge,
  NewDispute,
  NewDisputeDocument,
  NewDisputeFlag,
  NewEvent,
  NewRefund,
  RefundRow,
  CardRow,
  CustomerRow,
  LinkRow,
  NewCard,
  NewCustomer,
  NewLink,
  NewRecipient,
  NewSchedule,
  NewScheduleOccurrence,
  RecipientRow,
  ScheduleOccurrenceRow,
  ScheduleRow,
} from './rows';
export { MAX_ROWS_PER_STATEMENT, chunk, json, newestPerId } from './rows';
export {
  MAX_ROWS_PER_RECORDSET,
  guardedRecordsetUpsert,
  recordsetUpsert,
  type GuardedRecordsetUpsert,
  type RecordsetColumn,
  type RecordsetTable,
  type RecordsetType,
} from './json-recordset';
export * from './charge.repository';
export * from './refund.repository';
export * from './dispute.repository';
export * from './dispute-flag.repository';
export * from './dispute-action.repository';
export * from './dispute-reminder.repository';
export * from './event.repository';
export * from './resource-lock.repository';
export * from './sync-lease.repository';
export * from './sync-state.repository';
export * from './event-partition.repository';
export * from './ledger.repository';
export * from './charge-daily.repository';
export * from './directory.repository';
