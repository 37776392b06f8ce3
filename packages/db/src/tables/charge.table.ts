import type {
  Account,
  DefaultTimestamp,
  JsonObject,
  NullableTimestamp,
  Origin,
  Timestamp,
} from './column-types';

/** `omise.charges`: the current state of each charge as last fetched from Omise. */
export interface ChargeTable {
  /** The Omise account the row belongs to. */
  account: Account;
  id: string;
  livemode: boolean;
  /** Smallest currency unit (satang for THB, yen for JPY). */
  amount: number;
  /** ISO 4217, uppercase. */
  currency: string;
  /** successful | failed | pending | expired | reversed, or a newer value kept as is. */
  status: string;
  authorized: boolean;
  paid: boolean;
  capturable: boolean;
  reversed: boolean;
  expired: boolean;
  refunded_amount: number;
  failure_code: string | null;
  failure_message: string | null;
  customer_id: string | null;
  card_brand: string | null;
  card_last_digits: string | null;
  description: string | null;
  metadata: JsonObject;
  created_at: Timestamp;
  authorized_at: NullableTimestamp;
  paid_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  reversed_at: NullableTimestamp;
  raw: JsonObject;
  origin: Origin;
  /** When omise-sync asked Omise for this state; an older observation never replaces it. */
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}
