import type { MigrationTable } from './migration.table';

/**
 * The Kysely type of the whole database. Tables live in the Postgres schema `omise`
 * (current state and event history) and `bi` (views for BI tools); keys are schema-qualified
 * so queries read `db.selectFrom('omise.charges')`. Each table's row type is declared in its
 * own `*.table.ts` file.
 */
export interface Database {
  'public.kysely_migration': MigrationTable;
}
