import type { ColumnType, Generated } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** Nullable timestamptz. */
export type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** timestamptz with a database default (`now()`). */
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb holding a JSON object. */
export type JsonObject = ColumnType<
  Record<string, unknown>,
  Record<string, unknown> | string,
  Record<string, unknown> | string
>;
/** How a row came to be projected; only 'webhook' triggers notifications. */
export type Origin = 'webhook' | 'replay' | 'reconcile' | 'backfill';
/**
 * The Omise account a row belongs to (`[a-z0-9-]{1,32}`); the database fills in `default`,
 * the account of the single-account variables, when a write does not name one.
 */
export type Account = ColumnType<string, string | undefined, string>;
export type { Generated };
