import type {
  DefaultTimestamp,
  JsonObject,
  NullableTimestamp,
  Origin,
  Timestamp,
} from './column-types';

/** `omise.disputes`: each dispute (chargeback) as last fetched. */
export interface DisputeTable {
  id: string;
  charge_id: string;
  livemode: boolean;
  amount: number;
  currency: string;
  /** open | pending | won | lost, or a newer value kept as is. */
  status: string;
  reason_code: string | null;
  reason_message: string | null;
  message: string | null;
  admin_message: string | null;
  metadata: JsonObject;
  created_at: Timestamp;
  closed_at: NullableTimestamp;
  raw: JsonObject;
  origin: Origin;
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}

/** `omise.dispute_documents`: evidence uploaded to a dispute; `deleted` once removed. */
export interface DisputeDocumentTable {
  id: string;
  dispute_id: string;
  livemode: boolean;
  filename: string | null;
  kind: string | null;
  download_uri: string | null;
  deleted: boolean;
  created_at: Timestamp;
  raw: JsonObject;
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}

export type DisputeSeverity = 'low' | 'medium' | 'high' | 'critical';

/**
 * `omise.dispute_flags`: one per dispute, written the first time omise-sync sees it, whatever
 * its state (a dispute first seen won or lost gets a flag resolved at once).
 */
export interface DisputeFlagTable {
  dispute_id: string;
  /** The dispute's status when omise-sync first saw it (`open`, `pending`, `won`, `lost`…). */
  first_seen_status: string;
  flagged_at: DefaultTimestamp;
  severity: DisputeSeverity;
  reasons: string[];
  origin: Origin;
  /** Whether a notification is owed (only flags from live webhooks notify). */
  notify: boolean;
  notify_attempted_at: NullableTimestamp;
  notified_at: NullableTimestamp;
  notify_error: string | null;
  resolved_at: NullableTimestamp;
  /** won | lost once the dispute closes. */
  resolution: string | null;
}
