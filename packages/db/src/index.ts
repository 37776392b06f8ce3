export type { Database } from './database';
export type { MigrationTable } from './migration.table';
export { createDatabase, type CreateDatabaseOptions, type DatabaseHandle } from './create-database';
export { migrateToLatest, MigrationFailedError, type MigrateOutcome } from './migrate';
export { migrations } from './migrations';
