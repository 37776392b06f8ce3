import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database';

/** Options for {@link createDatabase}. */
export interface CreateDatabaseOptions {
  /** Postgres connection string, e.g. `postgres://user@host:5432/db`. */
  connectionString: string;
  /**
   * Most connections the pool opens.
   * @defaultValue 10
   */
  maxConnections?: number;
  /**
   * Name reported to Postgres (`pg_stat_activity.application_name`).
   * @defaultValue 'omise-sync'
   */
  applicationName?: string;
  /**
   * Milliseconds a statement may run before Postgres cancels it; 0 means no limit.
   * @defaultValue 30000
   */
  statementTimeoutMs?: number;
}

const INT8_OID = 20;

/**
 * int8 (bigint) arrives from pg as a string. Money in this schema is bigint in the smallest
 * currency unit, always far below 2^53, so it is read back as a number; a value that would
 * lose precision throws instead of being silently rounded.
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`bigint ${value} does not fit in a JavaScript number`);
  }
  return n;
}

// pg-types declares its parsers as returning `any`; this narrows them to what they are.
const builtinParser = pg.types.getTypeParser as (
  oid: number,
  format?: 'text' | 'binary',
) => (value: string) => unknown;

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : builtinParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A Kysely instance and the pg pool under it; `destroy()` closes both. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  destroy(): Promise<void>;
}

/** Opens a pool to `connectionString`. The caller owns it and must call `destroy()`. */
export function createDatabase(options: CreateDatabaseOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'omise-sync',
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    types,
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process. The next query gets a fresh connection instead.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    destroy: () => db.destroy(),
  };
}
