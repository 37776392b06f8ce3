import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/** What one pass of {@link maintainEventPartitions} did, by partition name (`events_2026_12`). */
export interface EventPartitionMaintenance {
  /** Partitions created (months ahead, or months whose rows sat in the default partition). */
  created: string[];
  /** Partitions dropped because their whole month is older than the retention period. */
  dropped: string[];
  /** Partitions left for the next pass: their lock was not granted within 5 s. */
  busy: string[];
}

export interface EventPartitionOptions {
  /** The time maintenance runs at (an injectable clock's now). */
  at: Date;
  /**
   * Months after `at`'s month that get their partition now, so a month never starts in the
   * default partition. Between 0 and 24. @defaultValue 3
   */
  monthsAhead?: number;
  /**
   * Days of event history kept: a month's partition is dropped once its last day is this many
   * days old. 0 keeps every partition. The current-state tables are never touched.
   */
  retentionDays: number;
}

/**
 * Keeps `omise.events` partitioned by month (ADR 0006): creates the partitions of the coming
 * months and of any month whose rows landed in the default partition, and drops those older
 * than the retention period. The DDL runs inside `omise.maintain_event_partitions`, which
 * runs with its owner's rights, so the runtime role needs none; concurrent callers (every
 * worker at start, the reconcile job) take turns.
 */
export async function maintainEventPartitions(
  db: Kysely<Database>,
  options: EventPartitionOptions,
): Promise<EventPartitionMaintenance> {
  const { rows } = await sql<{ partition_name: string; action: 'created' | 'dropped' | 'busy' }>`
    SELECT partition_name, action
      FROM omise.maintain_event_partitions(${options.at}, ${options.monthsAhead ?? 3}, ${options.retentionDays})`.execute(
    db,
  );
  const result: EventPartitionMaintenance = { created: [], dropped: [], busy: [] };
  for (const row of rows) result[row.action].push(row.partition_name);
  return result;
}

/** The monthly partitions of `omise.events` (not the default one), oldest first. */
export async function listEventPartitions(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name
      FROM pg_catalog.pg_inherits i
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'omise.events'::regclass AND c.relname <> 'events_default'
     ORDER BY c.relname`.execute(db);
  return rows.map((row) => row.name);
}
