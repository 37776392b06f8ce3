import { type NewCharge, type NewDispute, type NewRefund } from '@omise-sync/db';
import { isDeepStrictEqual } from 'node:util';

/** The kinds of difference a reconciliation looks for. */
export const DRIFT_KINDS = [
  /** A charge, refund or dispute event Omise has and omise-sync never processed. */
  'events_unprocessed',
  /** A charge Omise lists that Postgres does not have. */
  'charge_missing',
  /** A charge whose row differs from Omise (status, amounts, flags…). */
  'charge_stale',
  /** A refund Omise lists under its charge that Postgres does not have. */
  'refund_missing',
  /** A refund whose row differs from Omise. */
  'refund_stale',
  /** A charge in Postgres that Omise does not list in the window (reported, not repaired). */
  'charge_unknown',
  /** A dispute Omise lists (open or pending, or created in the window) that Postgres does not have. */
  'dispute_missing',
  /** A dispute in Postgres with no flag: the team was never told of it. */
  'dispute_unflagged',
  /** A dispute whose row differs from Omise (e.g. still open in Postgres, closed at Omise). */
  'dispute_stale',
  /** An active dispute in Postgres that Omise answers 404 for (reported, not repaired). */
  'dispute_unknown',
  /** A customer, recipient, schedule, link or transfer Omise lists that Postgres does not have. */
  'directory_missing',
  /** A customer, recipient, schedule, link or transfer whose row differs from Omise. */
  'directory_stale',
  /** A stored customer, recipient, schedule, link or transfer Omise no longer has: now a tombstone. */
  'directory_deleted',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];
export type DriftCounts = Record<DriftKind, number>;

export function emptyDrift(): DriftCounts {
  return Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as DriftCounts;
}

function sameInstant(a: Date | string | null | undefined, b: Date | string | null | undefined) {
  if (a == null || b == null) return a == null && b == null;
  return new Date(a).getTime() === new Date(b).getTime();
}

function sameJson(a: unknown, b: unknown): boolean {
  // jsonb does not keep key order; compare parsed values, whatever the order.
  const parse = (value: unknown) =>
    typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return isDeepStrictEqual(parse(a), parse(b));
}

/** The columns of a stored charge that reconciliation compares. */
export type StoredCharge = Pick<
  NewCharge,
  | 'status'
  | 'amount'
  | 'currency'
  | 'paid'
  | 'authorized'
  | 'capturable'
  | 'reversed'
  | 'expired'
  | 'refunded_amount'
  | 'failure_code'
  | 'description'
  | 'metadata'
  | 'paid_at'
  | 'reversed_at'
>;

const CHARGE_SCALARS = [
  'status',
  'amount',
  'currency',
  'paid',
  'authorized',
  'capturable',
  'reversed',
  'expired',
  'refunded_amount',
  'failure_code',
  'description',
] as const;

/**
 * The columns in which a stored charge differs from the row the worker's mapping makes of the
 * charge Omise returns (`expected`); empty when they agree.
 */
export function chargeDifferences(expected: NewCharge, stored: StoredCharge): string[] {
  const differing: string[] = CHARGE_SCALARS.filter(
    (column) => expected[column] !== stored[column],
  );
  if (!sameInstant(expected.paid_at, stored.paid_at)) differing.push('paid_at');
  if (!sameInstant(expected.reversed_at, stored.reversed_at)) differing.push('reversed_at');
  if (!sameJson(expected.metadata, stored.metadata)) differing.push('metadata');
  return differing;
}

/** The columns of a stored refund that reconciliation compares. */
export type StoredRefund = Pick<
  NewRefund,
  'charge_id' | 'amount' | 'currency' | 'status' | 'voided'
>;

export function refundDifferences(expected: NewRefund, stored: StoredRefund): string[] {
  return (['charge_id', 'amount', 'currency', 'status', 'voided'] as const).filter(
    (column) => expected[column] !== stored[column],
  );
}

/** The columns of a stored dispute that reconciliation compares. */
export type StoredDispute = Pick<
  NewDispute,
  | 'charge_id'
  | 'status'
  | 'amount'
  | 'currency'
  | 'reason_code'
  | 'message'
  | 'admin_message'
  | 'closed_at'
  | 'metadata'
>;

export function disputeDifferences(expected: NewDispute, stored: StoredDispute): string[] {
  const differing: string[] = (
    [
      'charge_id',
      'status',
      'amount',
      'currency',
      'reason_code',
      'message',
      'admin_message',
    ] as const
  ).filter((column) => expected[column] !== stored[column]);
  if (!sameInstant(expected.closed_at, stored.closed_at)) differing.push('closed_at');
  if (!sameJson(expected.metadata, stored.metadata)) differing.push('metadata');
  return differing;
}
