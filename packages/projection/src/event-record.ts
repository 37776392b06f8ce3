import {
  type IgnoredEventJob,
  type OmiseEventJob,
  eventHistoryPayload,
  toStorableText,
} from '@omise-sync/core';
import {
  type Database,
  type EventRecord,
  MAX_ROWS_PER_RECORDSET,
  type RecordsetColumn,
  chunk,
  recordsetUpsert,
} from '@omise-sync/db';
import type { Kysely } from 'kysely';

/** Builds the `omise.events` record of a job. */
export function eventRecord(
  job: OmiseEventJob,
  outcome: EventRecord['outcome'],
  processedAt: Date,
  error: string | null = null,
): EventRecord {
  return {
    id: job.eventId,
    account: job.account,
    key: toStorableText(job.key),
    resource_type: job.resourceType,
    resource_id: toStorableText(job.resourceId),
    livemode: job.livemode,
    created_at: job.eventCreatedAt,
    received_at: job.receivedAt,
    processed_at: processedAt,
    outcome,
    origin: job.origin,
    error: toStorableText(error),
    raw: eventHistoryPayload(job.event),
  };
}

/** The `omise.events` record of an event about an object omise-sync does not project. */
export function ignoredEventRecord(job: IgnoredEventJob, processedAt: Date): EventRecord {
  return {
    id: job.eventId,
    account: job.account,
    key: toStorableText(job.key),
    resource_type: toStorableText(job.objectType),
    resource_id: toStorableText(job.objectId),
    livemode: job.livemode,
    created_at: job.eventCreatedAt,
    received_at: job.receivedAt,
    processed_at: processedAt,
    outcome: 'ignored',
    origin: job.origin,
    error: null,
    raw: eventHistoryPayload(job.event),
  };
}

const EVENT_COLUMNS: readonly RecordsetColumn<EventRecord>[] = [
  ['id', 'text'],
  ['account', 'text'],
  ['key', 'text'],
  ['resource_type', 'text'],
  ['resource_id', 'text'],
  ['livemode', 'boolean'],
  ['created_at', 'timestamptz'],
  ['received_at', 'timestamptz'],
  ['processed_at', 'timestamptz'],
  ['outcome', 'text'],
  ['origin', 'text'],
  ['error', 'text'],
  ['raw', 'jsonb'],
];

/**
 * The event id (with its `created_at`, which Omise never changes: `omise.events` is
 * partitioned by it) is the key, so a redelivered or replayed event keeps one row: the latest
 * processing wins, except that an event already `projected` is never downgraded (a later
 * failed retry of a redelivery does not undo the projection that happened), `received_at`
 * keeps the first arrival, a record without `raw` keeps the stored one, and a row never moves
 * to another account.
 */
const eventUpsertStatement = recordsetUpsert<EventRecord>({
  table: 'omise.events',
  columns: EVENT_COLUMNS,
  conflictTarget: 'id, created_at',
  onConflict: [
    'key = excluded.key',
    'resource_type = excluded.resource_type',
    'resource_id = excluded.resource_id',
    'livemode = excluded.livemode',
    'received_at = least(omise.events.received_at, excluded.received_at)',
    'processed_at = excluded.processed_at',
    'outcome = excluded.outcome',
    'origin = excluded.origin',
    'error = excluded.error',
    'raw = coalesce(excluded.raw, omise.events.raw)',
  ]
    .join(', ')
    .concat(
      ' WHERE omise.events.account = excluded.account' +
        " AND (omise.events.outcome <> 'projected' OR excluded.outcome = 'projected')",
    ),
});

/**
 * Records what came of processing Omise events (the one writer of `omise.events`). Several
 * records of one event keep the last; rows are written in id order, so two writers never
 * lock the same event rows in opposite orders.
 */
export async function recordEvents(
  db: Kysely<Database>,
  records: readonly EventRecord[],
): Promise<void> {
  const byId = [...new Map(records.map((record) => [record.id, record])).values()].sort((a, b) =>
    a.id < b.id ? -1 : 1,
  );
  for (const part of chunk(byId, MAX_ROWS_PER_RECORDSET)) {
    await eventUpsertStatement(part).execute(db);
  }
}
