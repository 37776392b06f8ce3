export type { Database } from './database';
export type { MigrationTable } from './migration.table';
export type {
  DefaultTimestamp,
  JsonObject,
  NullableTimestamp,
  Origin,
  Timestamp,
} from './tables/column-types';
export type { ChargeTable } from './tables/charge.table';
export type { RefundTable } from './tables/refund.table';
export type {
  CardTable,
  CustomerTable,
  LinkTable,
  RecipientTable,
  ScheduleOccurrenceTable,
  ScheduleTable,
} from './tables/directory.table';
export type {
  DisputeActionKind,
  DisputeActionResult,
  DisputeActionTable,
  DisputeDocumentTable,
  DisputeFlagTable,
  DisputeReminderTable,
  DisputeSeverity,
  DisputeTable,
} from './tables/dispute.table';
export type { EventOutcome, EventTable } from './tables/event.table';
export type {
  DriftCounts,
  ReconcileRunTable,
  SyncCheckpointTable,
  WebhookDeliverySummary,
} from './tables/sync.table';
export { createDatabase, type CreateDatabaseOptions, type DatabaseHandle } from './create-database';
export { migrateToLatest, MigrationFailedError, type MigrateOutcome } from './migrate';
export { migrations } from './migrations';
export * from './repositories';
export type {
  BalanceSnapshotTable,
  LedgerDailyTable,
  LedgerHourlyTable,
  ReceiptTable,
  TransactionTable,
  TransferTable,
} from './tables/ledger.table';
