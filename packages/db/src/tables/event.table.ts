import type { ColumnType } from 'kysely';
import type { Account, NullableTimestamp, Origin, Timestamp } from './column-types';

export type EventOutcome = 'projected' | 'ignored' | 'not_found' | 'failed';

/** `omise.events`: every Omise event omise-sync has processed, and what came of it. */
export interface EventTable {
  /** The Omise account the row belongs to. */
  account: Account;
  id: string;
  key: string;
  resource_type: string;
  resource_id: string;
  livemode: boolean;
  /** When Omise created the event. */
  created_at: Timestamp;
  /** When omise-sync received it (webhook delivery, or read from the Events API). */
  received_at: Timestamp;
  processed_at: NullableTimestamp;
  outcome: EventOutcome;
  origin: Origin;
  error: string | null;
  raw: ColumnType<Record<string, unknown> | null, string | null, string | null>;
}
