import type { Charge, Refund } from '@omise-sync/omise-client';
import {
  type Database,
  type NewCharge,
  type NewRefund,
  upsertCharges,
  upsertRefunds,
} from '@omise-sync/db';
import type { Kysely } from 'kysely';
import { type ProjectionContext, expandableId } from './projection-context';

/** Card fields that may be stored; everything else (name, expiry, fingerprint, BIN…) is dropped. */
const STORED_CARD_FIELDS = ['object', 'id', 'livemode', 'brand', 'last_digits'] as const;

function stringField(source: Record<string, unknown> | null | undefined, key: string) {
  const value = source?.[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The card as stored in `raw`: brand and last digits only. Card data beyond that is never
 * persisted, even in the raw JSON that BI users can read.
 */
export function redactCard(card: Charge['card']): Record<string, unknown> | null | undefined {
  if (card === null || card === undefined) return card;
  return Object.fromEntries(
    STORED_CARD_FIELDS.filter((key) => card[key] !== undefined).map((key) => [key, card[key]]),
  );
}

/**
 * Charges from API versions before 2015 have no `status`; it is derived from their flags the
 * way later versions define it.
 */
function chargeStatus(charge: Charge): string {
  if (charge.status !== undefined) return charge.status;
  if (charge.failure_code) return 'failed';
  if (charge.reversed === true) return 'reversed';
  if (charge.expired === true) return 'expired';
  if (isPaid(charge)) return 'successful';
  return 'pending';
}

/** `paid` since 2015; the oldest charges only say `captured`. */
function isPaid(charge: Charge): boolean {
  return charge.paid ?? charge['captured'] === true;
}

/** Maps a charge as Omise returned it to its `omise.charges` row. Pure. */
export function toChargeRow(charge: Charge, context: ProjectionContext): NewCharge {
  const card = charge.card ?? null;
  return {
    id: charge.id,
    livemode: charge.livemode,
    amount: charge.amount,
    currency: charge.currency.toUpperCase(),
    status: chargeStatus(charge),
    authorized: charge.authorized ?? false,
    paid: isPaid(charge),
    capturable: charge.capturable ?? false,
    reversed: charge.reversed ?? false,
    expired: charge.expired ?? false,
    // `refunded` before API 2019-05-29, `refunded_amount` since.
    refunded_amount: charge.refunded_amount ?? charge.refunded ?? 0,
    failure_code: charge.failure_code ?? null,
    failure_message: charge.failure_message ?? null,
    customer_id: expandableId(charge.customer),
    card_brand: stringField(card, 'brand'),
    card_last_digits: stringField(card, 'last_digits'),
    description: charge.description ?? null,
    metadata: charge.metadata ?? {},
    created_at: charge.created_at,
    authorized_at: charge.authorized_at ?? null,
    paid_at: charge.paid_at ?? null,
    expires_at: charge.expires_at ?? null,
    reversed_at: charge.reversed_at ?? null,
    raw: card === null ? { ...charge } : { ...charge, card: redactCard(card) },
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/** Maps a refund to its `omise.refunds` row; `charge` supplies what old refunds lack. Pure. */
export function toRefundRow(
  refund: Refund,
  charge: Pick<Charge, 'id' | 'livemode'>,
  context: ProjectionContext,
): NewRefund {
  return {
    id: refund.id,
    charge_id: expandableId(refund.charge) ?? charge.id,
    livemode: refund.livemode ?? charge.livemode,
    amount: refund.amount,
    currency: refund.currency.toUpperCase(),
    // Refunds before API 2017 carry no status; omise-java knows only `closed` today.
    status: refund.status ?? 'unknown',
    voided: refund.voided ?? false,
    metadata: refund.metadata ?? {},
    created_at: refund.created_at,
    raw: { ...refund },
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/** A charge with its complete list of refunds (not just the first embedded page). */
export interface ChargeObservation {
  charge: Charge;
  refunds: readonly Refund[];
}

/**
 * The refunds embedded in a charge, when the embedded list is complete; `undefined` when it
 * is missing or truncated and must be paged through `refunds.list`.
 */
export function embeddedRefunds(charge: Charge): Refund[] | undefined {
  const list = charge.refunds;
  if (list === undefined) return undefined;
  return list.data.length >= list.total ? list.data : undefined;
}

/**
 * Writes charges and all their refunds, as observed in `context`. Batched, so the backfill
 * writes thousands per call through the same path as the worker; the `observed_at` guard keeps
 * the newer row whenever an older observation arrives late.
 * @returns the ids written (charges and refunds refused by the guard are not listed)
 */
export async function projectCharges(
  db: Kysely<Database>,
  observations: readonly ChargeObservation[],
  context: ProjectionContext,
): Promise<{ charges: string[]; refunds: string[] }> {
  const charges = await upsertCharges(
    db,
    observations.map((o) => toChargeRow(o.charge, context)),
  );
  const refunds = await upsertRefunds(
    db,
    observations.flatMap((o) => o.refunds.map((refund) => toRefundRow(refund, o.charge, context))),
  );
  return { charges, refunds };
}

/** {@link projectCharges} for one charge; refunds default to the complete embedded list. */
export async function projectCharge(
  db: Kysely<Database>,
  charge: Charge,
  context: ProjectionContext,
  refunds: readonly Refund[] = embeddedRefunds(charge) ?? charge.refunds?.data ?? [],
): Promise<{ charges: string[]; refunds: string[] }> {
  return projectCharges(db, [{ charge, refunds }], context);
}
