/*
 * Omise adds statuses, reason codes and event keys over time, so schemas keep these fields
 * as plain strings; the values known today are exported for callers that want to branch on
 * them (API-NOTES §1.3, §4).
 */

/** Charge statuses known today (omise-node `ChargeStatus`, omise-dotnet). */
export const CHARGE_STATUSES = ['pending', 'successful', 'failed', 'expired', 'reversed'] as const;
export type KnownChargeStatus = (typeof CHARGE_STATUSES)[number];

/** Dispute statuses an object can carry. `closed` is only a list filter (won + lost). */
export const DISPUTE_STATUSES = ['open', 'pending', 'won', 'lost'] as const;
export type KnownDisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Filters for `GET /disputes/{status}`. */
export const DISPUTE_LIST_STATUSES = ['open', 'pending', 'closed'] as const;
export type DisputeListStatus = (typeof DISPUTE_LIST_STATUSES)[number];

/** Refund statuses seen in official code (omise-java knows only `closed`). */
export const REFUND_STATUSES = ['closed'] as const;
export type KnownRefundStatus = (typeof REFUND_STATUSES)[number];

/** Dispute reason codes from omise-java / omise-swift; seed 001's `fraudulent` is not one. */
export const DISPUTE_REASON_CODES = [
  'cancelled_recurring_transaction',
  'credit_not_processed',
  'duplicate_processing',
  'expired_card',
  'goods_or_services_not_provided',
  'incorrect_currency',
  'incorrect_transaction_amount',
  'late_presentment',
  'non_matching_account_number',
  'not_as_described_or_defective_merchandise',
  'not_available',
  'not_recorded',
  'other',
  'paid_by_other_means',
  'transaction_not_recognised',
  'unauthorized_charge',
] as const;
export type KnownDisputeReasonCode = (typeof DISPUTE_REASON_CODES)[number];

/** Event keys for the resources this project projects. Others arrive and are kept as strings. */
export const EVENT_KEYS = [
  'charge.create',
  'charge.update',
  'charge.capture',
  'charge.complete',
  'charge.reverse',
  'charge.expire',
  'refund.create',
  'dispute.create',
  'dispute.update',
  'dispute.accept',
  'dispute.close',
] as const;
export type KnownEventKey = (typeof EVENT_KEYS)[number];

/** Narrows a string to one of a list of known values. */
export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/** Currencies are lowercase before API 2019-05-29 (`thb`); compare through this. */
export function normalizeCurrency(currency: string): string {
  return currency.toUpperCase();
}
