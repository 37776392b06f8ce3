/** Kysely's record of applied migrations (written by the migrator, read by `status`). */
export interface MigrationTable {
  name: string;
  timestamp: string;
}
