import type { ColumnType, Generated } from 'kysely';
import type { Account, DefaultTimestamp, NullableTimestamp, Timestamp } from './column-types';

/** jsonb holding any JSON value the owner of the row defines (read as parsed JSON). */
type JsonValue = ColumnType<unknown, string, string>;

/**
 * `omise.sync_checkpoints`: where a resumable walk over the Omise API stands, one row per
 * walk (`backfill:charges`, `reconcile:events`…). The cursor's shape belongs to its walk.
 */
export interface SyncCheckpointTable {
  /** The Omise account the row belongs to. */
  account: Account;
  name: string;
  cursor: JsonValue;
  updated_at: DefaultTimestamp;
}

/** Drift or repair counts by kind (`charge_missing`, `dispute_stale`…). */
export type DriftCounts = Record<string, number>;

/**
 * What Omise recorded of its webhook deliveries for the events one reconcile read (their
 * `webhook_deliveries`): attempts by the status the endpoint answered, and events none of whose
 * attempts got a 2xx.
 */
export interface WebhookDeliverySummary {
  /** Events read that Omise had tried to deliver at least once. */
  eventsAttempted: number;
  /** Of those, events none of whose attempts got a 2xx (so far). */
  eventsFailed: number;
  /** Delivery attempts by the HTTP status the endpoint answered; `0` when it gave none. */
  byStatus: Record<string, number>;
  /** Up to five ids of events whose deliveries all failed. */
  failedExamples: string[];
}

/** `omise.reconcile_runs`: one row per reconciliation, with the drift it found and repaired. */
export interface ReconcileRunTable {
  /** The Omise account the row belongs to. */
  account: Account;
  id: Generated<number>;
  started_at: Timestamp;
  /** Null while the run is in progress (or when it died without recording its end). */
  finished_at: NullableTimestamp;
  /** Start of the window compared: events and charges created since then. */
  since: Timestamp;
  /** Charge, refund and dispute events read from the Events API. */
  events_seen: ColumnType<number, number | undefined, number>;
  /** Events not yet processed that were put (back) on the queue. */
  events_enqueued: ColumnType<number, number | undefined, number>;
  drift: ColumnType<DriftCounts, string | undefined, string>;
  repaired: ColumnType<DriftCounts, string | undefined, string>;
  /** Why the run failed or stopped early; null when it completed. */
  error: string | null;
  /** Omise's record of delivering the events read; `{}` for runs before it was kept. */
  webhook_deliveries: ColumnType<Partial<WebhookDeliverySummary>, string | undefined, string>;
}

/**
 * `omise.sync_leases`: who runs a singleton CLI command (`backfill`, `reconcile`) until when.
 * The holder renews its lease while it runs; an expired lease may be taken over.
 */
export interface SyncLeaseTable {
  /** The Omise account the row belongs to. */
  account: Account;
  name: string;
  holder: string;
  expires_at: Timestamp;
}

/** `omise.resource_locks`: one row per projected resource key, locked `FOR UPDATE` by writers. */
export interface ResourceLockTable {
  /** The Omise account the row belongs to. */
  account: Account;
  resource_key: string;
}
