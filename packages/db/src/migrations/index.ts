import type { Migration } from 'kysely';
import * as createOmiseSchema from './2026-11-23T10-00-00_create_omise_schema';
import * as createProjectionTables from './2026-11-23T11-00-00_create_projection_tables';
import * as createBiViews from './2026-11-23T11-10-00_create_bi_views';
import * as createSyncState from './2026-11-23T13-00-00_create_sync_state';
import * as compressRawWithLz4 from './2026-11-23T15-00-00_compress_raw_with_lz4';
import * as limitBiLogins from './2026-12-03T10-00-00_limit_bi_logins';
import * as createRuntimeRole from './2026-12-03T10-10-00_create_runtime_role';
import * as createProjectionLocks from './2026-12-03T16-00-00_create_projection_locks';
import * as redactEventHistory from './2026-12-03T16-10-00_redact_event_history';
import * as addDisputeRespondBy from './2026-12-03T17-00-00_add_dispute_respond_by';
import * as createDisputeDeskTables from './2026-12-03T17-10-00_create_dispute_desk_tables';
import * as createDisputeDeskViews from './2026-12-03T17-20-00_create_dispute_desk_views';
import * as addAccountColumns from './2026-12-03T18-00-00_add_account_columns';
import * as partitionEventsByMonth from './2026-12-04T12-00-00_partition_events_by_month';
import * as addReconcileWebhookDeliveries from './2026-12-04T13-00-00_add_reconcile_webhook_deliveries';
import * as createLedgerTables from './2026-12-04T10-00-00_create_ledger_tables';
import * as createMoneyViews from './2026-12-04T10-10-00_create_money_views';
import * as tuneBiQueries from './2026-12-04T10-20-00_tune_bi_queries';
import * as createChargeDaily from './2026-12-04T10-30-00_create_charge_daily';
import * as createDirectoryTables from './2026-12-04T11-00-00_create_directory_tables';
import * as createDirectoryBiViews from './2026-12-04T11-10-00_create_directory_bi_views';
import * as speedUpBiCustomers from './2026-12-04T14-00-00_speed_up_bi_customers';
import * as countFeesOfNetMovements from './2026-12-04T15-00-00_count_fees_of_net_movements';

/**
 * Every migration, keyed by name; Kysely applies them in name order. A static list (rather
 * than reading the folder) keeps them working from the compiled output and in bundles.
 * Add a new migration by creating `<iso-date>_<verb>_<thing>.ts` and listing it here.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-23T10-00-00_create_omise_schema': createOmiseSchema,
  '2026-11-23T11-00-00_create_projection_tables': createProjectionTables,
  '2026-11-23T11-10-00_create_bi_views': createBiViews,
  '2026-11-23T13-00-00_create_sync_state': createSyncState,
  '2026-11-23T15-00-00_compress_raw_with_lz4': compressRawWithLz4,
  '2026-12-03T10-00-00_limit_bi_logins': limitBiLogins,
  '2026-12-03T10-10-00_create_runtime_role': createRuntimeRole,
  '2026-12-03T16-00-00_create_projection_locks': createProjectionLocks,
  '2026-12-03T16-10-00_redact_event_history': redactEventHistory,
  '2026-12-03T17-00-00_add_dispute_respond_by': addDisputeRespondBy,
  '2026-12-03T17-10-00_create_dispute_desk_tables': createDisputeDeskTables,
  '2026-12-03T17-20-00_create_dispute_desk_views': createDisputeDeskViews,
  '2026-12-03T18-00-00_add_account_columns': addAccountColumns,
  '2026-12-04T12-00-00_partition_events_by_month': partitionEventsByMonth,
  '2026-12-04T13-00-00_add_reconcile_webhook_deliveries': addReconcileWebhookDeliveries,
  '2026-12-04T10-00-00_create_ledger_tables': createLedgerTables,
  '2026-12-04T10-10-00_create_money_views': createMoneyViews,
  '2026-12-04T10-20-00_tune_bi_queries': tuneBiQueries,
  '2026-12-04T10-30-00_create_charge_daily': createChargeDaily,
  '2026-12-04T11-00-00_create_directory_tables': createDirectoryTables,
  '2026-12-04T11-10-00_create_directory_bi_views': createDirectoryBiViews,
  '2026-12-04T14-00-00_speed_up_bi_customers': speedUpBiCustomers,
  '2026-12-04T15-00-00_count_fees_of_net_movements': countFeesOfNetMovements,
};
