import type { Account, DefaultTimestamp, JsonObject, Origin, Timestamp } from './column-types';

/** `omise.refunds`: each refund as last fetched, with the charge it belongs to. */
export interface RefundTable {
  /** The Omise account the row belongs to. */
  account: Account;
  id: string;
  charge_id: string;
  livemode: boolean;
  amount: number;
  currency: string;
  status: string;
  voided: boolean;
  metadata: JsonObject;
  created_at: Timestamp;
  raw: JsonObject;
  origin: Origin;
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}
