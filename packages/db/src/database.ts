import type { MigrationTable } from './migration.table';
import type { ChargeTable } from './tables/charge.table';
import type {
  DisputeActionTable,
  DisputeDocumentTable,
  DisputeFlagTable,
  DisputeReminderTable,
  DisputeTable,
} from './tables/dispute.table';
import type {
  CardTable,
  CustomerTable,
  LinkTable,
  RecipientTable,
  ScheduleOccurrenceTable,
  ScheduleTable,
} from './tables/directory.table';
import type { EventTable } from './tables/event.table';
import type {
  BalanceSnapshotTable,
  LedgerDailyTable,
  LedgerHourlyTable,
  ReceiptTable,
  TransactionTable,
  TransferTable,
} from './tables/ledger.table';
import type { RefundTable } from './tables/refund.table';
import type {
  ReconcileRunTable,
  ResourceLockTable,
  SyncCheckpointTable,
  SyncLeaseTable,
} from './tables/sync.table';

/**
 * The Kysely type of the whole database. Tables live in the Postgres schema `omise`
 * (current state and event history) and `bi` (views for BI tools); keys are schema-qualified
 * so queries read `db.selectFrom('omise.charges')`. Each table's row type is declared in its
 * own `*.table.ts` file.
 */
export interface Database {
  'public.kysely_migration': MigrationTable;
  'omise.charges': ChargeTable;
  'omise.refunds': RefundTable;
  'omise.disputes': DisputeTable;
  'omise.dispute_documents': DisputeDocumentTable;
  'omise.dispute_flags': DisputeFlagTable;
  'omise.dispute_actions': DisputeActionTable;
  'omise.dispute_reminders': DisputeReminderTable;
  'omise.events': EventTable;
  'omise.sync_checkpoints': SyncCheckpointTable;
  'omise.reconcile_runs': ReconcileRunTable;
  'omise.sync_leases': SyncLeaseTable;
  'omise.resource_locks': ResourceLockTable;
  'omise.transactions': TransactionTable;
  'omise.ledger_daily': LedgerDailyTable;
  'omise.ledger_hourly': LedgerHourlyTable;
  'omise.transfers': TransferTable;
  'omise.balance_snapshots': BalanceSnapshotTable;
  'omise.receipts': ReceiptTable;
  'omise.customers': CustomerTable;
  'omise.cards': CardTable;
  'omise.recipients': RecipientTable;
  'omise.schedules': ScheduleTable;
  'omise.schedule_occurrences': ScheduleOccurrenceTable;
  'omise.links': LinkTable;
}
