import type { ColumnType, Generated } from 'kysely';
import type {
  Account,
  DefaultTimestamp,
  JsonObject,
  NullableTimestamp,
  Origin,
  Timestamp,
} from './column-types';

/** `omise.disputes`: each dispute (chargeback) as last fetched. */
export interface DisputeTable {
  /** The Omise account the row belongs to. */
  account: Account;
  id: string;
  charge_id: string;
  /**
   * The disputed charge's customer, NULL when it has none or is gone. Omise never moves a
   * charge to another customer, so it is copied once and holds.
   */
  customer_id: string | null;
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
  /** When the merchant's answer is due: `created_at` + DISPUTE_RESPONSE_DAYS. */
  respond_by: Timestamp;
  raw: JsonObject;
  origin: Origin;
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}

/** `omise.dispute_documents`: evidence uploaded to a dispute; `deleted` once removed. */
export interface DisputeDocumentTable {
  /** The Omise account the row belongs to. */
  account: Account;
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
  /** The Omise account the row belongs to. */
  account: Account;
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

/** What the dispute desk did: `message`, `upload`, `delete_document` or `accept`. */
export type DisputeActionKind = 'message' | 'upload' | 'delete_document' | 'accept';

/**
 * `started` until Omise answered; `ok`; `failed` when Omise refused it; `unknown` when the
 * request may have reached Omise but no answer came back.
 */
export type DisputeActionResult = 'started' | 'ok' | 'failed' | 'unknown';

/** `omise.dispute_actions`: the dispute desk's log, one row per action taken. */
export interface DisputeActionTable {
  /** The Omise account the row belongs to. */
  account: Account;
  /** bigint, read as a string. */
  id: Generated<string>;
  dispute_id: string;
  action: DisputeActionKind;
  /** Who took it (`--actor`, or the OS user). */
  actor: string;
  /** What was sent and what came back (document id, kind, file name and size…). */
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** Hex sha256 of an uploaded file; null for other actions. */
  sha256: string | null;
  result: DisputeActionResult;
  /** Omise's error code and message, or why the outcome is unknown. */
  error: string | null;
  at: DefaultTimestamp;
  finished_at: NullableTimestamp;
}

/**
 * `omise.dispute_reminders`: one deadline reminder of an open dispute (`kind` is how long
 * before `respond_by` it is due, e.g. `72h`).
 */
export interface DisputeReminderTable {
  /** The Omise account the row belongs to. */
  account: Account;
  dispute_id: string;
  kind: string;
  due_at: Timestamp;
  created_at: DefaultTimestamp;
  /** Set by the one worker that claimed it for sending. */
  attempted_at: NullableTimestamp;
  sent_at: NullableTimestamp;
  /** Set when the dispute closed (or was answered) before the reminder was sent. */
  cancelled_at: NullableTimestamp;
  error: string | null;
}
