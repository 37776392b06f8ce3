import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../database';
import { json } from './rows';

/** A column written from a JSON recordset: its name and its SQL type in the table. */
export type RecordsetColumn = readonly [name: string, type: string];

/**
 * The SET list of a guarded upsert: every column but `id` from `excluded`, and `projected_at`.
 * For the Kysely form of the same upsert (`chargeUpsertQuery`, `refundUpsertQuery`), so that one
 * column list serves both forms.
 */
export function excludedUpdateSet(
  columns: readonly RecordsetColumn[],
): Record<string, RawBuilder<unknown>> {
  const set: Record<string, RawBuilder<unknown>> = {};
  for (const [name] of columns) if (name !== 'id') set[name] = sql.ref(`excluded.${name}`);
  set['projected_at'] = sql`now()`;
  return set;
}

/**
 * Rows per statement. The batch travels as one jsonb parameter, so Postgres' limit of 65,535
 * bind parameters does not apply; the cap only bounds the size of one JSON document.
 */
const MAX_ROWS_PER_RECORDSET = 5_000;

/** jsonb columns may be given as JSON text (see `JsonObject`); in the document they are values. */
function withJsonValues<T extends object>(row: T, jsonColumns: readonly (keyof T)[]): T {
  let copy: T | undefined;
  for (const column of jsonColumns) {
    const value = row[column];
    if (typeof value !== 'string') continue;
    copy ??= { ...row };
    copy[column] = JSON.parse(value) as T[keyof T];
  }
  return copy ?? row;
}

/**
 * A guarded multi-row upsert whose rows travel as ONE jsonb parameter, expanded in Postgres by
 * `jsonb_to_recordset`. Against a VALUES list with one bind parameter per cell, this skips
 * compiling a query of tens of thousands of parameters and serialising each of them, and the
 * `raw` and `metadata` objects are stringified once, inside the document, instead of one by
 * one. A row is only replaced by an observation at least as new (`observed_at`).
 * @returns the ids actually written (rows refused by the guard are not listed)
 */
export function createRecordsetUpsert<T extends { id: string }>(
  table: 'omise.charges' | 'omise.refunds',
  columns: readonly RecordsetColumn[],
): (db: Kysely<Database>, rows: readonly T[]) => Promise<string[]> {
  const names = columns.map(([name]) => name);
  const jsonColumns = columns
    .filter(([, type]) => type === 'jsonb')
    .map(([name]) => name as keyof T & string);
  const statement = (document: string) => sql<{ id: string }>`
    INSERT INTO ${sql.raw(table)} (${sql.raw(names.join(', '))})
    SELECT ${sql.raw(names.join(', '))}
    FROM jsonb_to_recordset(${document}::jsonb)
      AS r(${sql.raw(columns.map(([name, type]) => `${name} ${type}`).join(', '))})
    ON CONFLICT (id) DO UPDATE SET
      ${sql.raw(
        names
          .filter((name) => name !== 'id')
          .map((name) => `${name} = excluded.${name}`)
          .join(', '),
      )},
      projected_at = now()
    WHERE ${sql.raw(table)}.observed_at <= excluded.observed_at
    RETURNING id`;
  return async (db, rows) => {
    const written: string[] = [];
    for (let start = 0; start < rows.length; start += MAX_ROWS_PER_RECORDSET) {
      const batch = rows
        .slice(start, start + MAX_ROWS_PER_RECORDSET)
        .map((row) => withJsonValues(row, jsonColumns));
      const result = await statement(json(batch)).execute(db);
      for (const { id } of result.rows) written.push(id);
    }
    return written;
  };
}
