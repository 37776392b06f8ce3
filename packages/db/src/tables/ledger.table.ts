import type { ColumnType } from 'kysely';
import type {
  Account,
  DefaultTimestamp,
  Generated,
  JsonObject,
  NullableTimestamp,
  Origin,
  Timestamp,
} from './column-types';

/**
 * `omise.transactions`: Omise's balance ledger, one row per movement. Omise never changes a
 * transaction, so a row is written once; `category`, `component` and `signed_amount` are
 * computed by Postgres.
 */
export interface TransactionTable {
  account: Account;
  id: string;
  livemode: boolean | null;
  direction: string;
  key: string | null;
  amount: number;
  currency: string;
  /** Omise's `origin`: the charge, refund, dispute, transfer or receipt that moved the balance. */
  origin_id: string | null;
  transferable_at: NullableTimestamp;
  created_at: Timestamp;
  /**
   * The fee and its VAT this movement's amount is already net of: a captured charge's
   * (`charge.captured.net`), from the charge; 0 for every other movement.
   */
  fee: number;
  fee_vat: number;
  category: Generated<string>;
  component: Generated<string>;
  signed_amount: Generated<number>;
  raw: JsonObject;
  origin: Origin;
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}

/** `omise.ledger_daily`: transactions summed per day, kept with every transaction insert. */
export interface LedgerDailyTable {
  account: string;
  currency: string;
  /** UTC day (`date`). */
  day: ColumnType<Date, string, string>;
  category: string;
  component: string;
  direction: string;
  movement_count: number;
  amount_total: number;
  signed_total: number;
  /** Sums of the movements' `fee` and `fee_vat` (fees they are net of). */
  fee_total: number;
  fee_vat_total: number;
}

/** `omise.ledger_hourly`: transactions summed per hour of transferable_at (payout windows). */
export interface LedgerHourlyTable {
  account: string;
  currency: string;
  hour: Timestamp;
  category: string;
  component: string;
  movement_count: number;
  principal_count: number;
  signed_total: number;
  /** Sums of the movements' `fee` and `fee_vat` (fees they are net of). */
  fee_total: number;
  fee_vat_total: number;
}

/** `omise.transfers`: payouts to a bank account, as last fetched. */
export interface TransferTable {
  account: Account;
  id: string;
  livemode: boolean;
  amount: number;
  fee: number;
  fee_vat: number;
  net: number;
  currency: string;
  sent: boolean;
  paid: boolean;
  failure_code: string | null;
  failure_message: string | null;
  recipient_id: string | null;
  transaction_id: string | null;
  metadata: JsonObject;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  paid_at: NullableTimestamp;
  /** Set when Omise deleted the transfer (`transfer.destroy`, or a 404 on re-fetch). */
  deleted_at: NullableTimestamp;
  raw: JsonObject;
  origin: Origin;
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}

/** `omise.balance_snapshots`: the account's balance each time the ledger sync ran. */
export interface BalanceSnapshotTable {
  account: Account;
  taken_at: Timestamp;
  currency: string;
  livemode: boolean | null;
  total: number;
  transferable: number | null;
  reserve: number | null;
  raw: JsonObject;
  projected_at: DefaultTimestamp;
}

/** `omise.receipts`: Omise's daily fee receipts (Thailand). */
export interface ReceiptTable {
  account: Account;
  id: string;
  number: string | null;
  date: Timestamp;
  currency: string;
  charge_fee: number;
  voided_fee: number;
  transfer_fee: number;
  subtotal: number;
  vat: number;
  wht: number;
  total: number;
  credit_note: boolean;
  raw: JsonObject;
  origin: Origin;
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}
