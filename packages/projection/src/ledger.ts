import { type AccountName, toStorableJson, toStorableText } from '@omise-sync/core';
import {
  type Database,
  type NewBalanceSnapshot,
  type NewReceipt,
  type NewTransaction,
  RECEIPTS,
  findChargeFees,
  insertBalanceSnapshot,
  insertTransactions,
} from '@omise-sync/db';
import {
  type Balance,
  type OmiseClient,
  OmiseNotFoundError,
  type Receipt,
  type Transaction,
} from '@omise-sync/omise-client';
import type { Kysely } from 'kysely';
import { type ProjectionContext, expandableId } from './projection-context';

// The polled resources (no events): the ledger sync reads them page by page and writes them
// here. Transactions and receipts are keyed by Omise's id, so reading a page twice (a resumed
// run) changes nothing; balance snapshots are keyed by the time they were taken.

function storableObject(value: object): Record<string, unknown> {
  return toStorableJson(value) as Record<string, unknown>;
}

/** The fee and its VAT a movement's amount is already net of. */
export interface MovementFees {
  fee: number;
  fee_vat: number;
}

const NO_FEES: MovementFees = { fee: 0, fee_vat: 0 };

/** The charge whose fees a movement is net of: a captured charge's net credit. */
function chargeNettedBy(transaction: Transaction): string | null {
  const origin = expandableId(transaction.origin);
  return origin !== null && origin.startsWith('chrg_') && transaction.key?.endsWith('.net') === true
    ? origin
    : null;
}

/**
 * The fees each of `transactions` is net of, by transaction id (movements net of none are
 * absent). Omise credits a captured charge with its net and shows the fee only on the charge:
 * it comes from the stored charge, else from Omise (a charge not projected yet); a charge Omise
 * no longer has counts none.
 */
export async function findNetMovementFees(
  db: Kysely<Database>,
  omise: OmiseClient,
  transactions: readonly Transaction[],
): Promise<Map<string, MovementFees>> {
  const netted = transactions.flatMap((transaction) => {
    const chargeId = chargeNettedBy(transaction);
    return chargeId === null ? [] : [{ id: transaction.id, chargeId }];
  });
  const fees = await findChargeFees(db, [...new Set(netted.map((n) => n.chargeId))]);
  for (const { chargeId } of netted) {
    if (fees.has(chargeId)) continue;
    try {
      const charge = await omise.charges.retrieve(chargeId);
      fees.set(chargeId, { fee: charge.fee ?? 0, fee_vat: charge.fee_vat ?? 0 });
    } catch (error) {
      if (!(error instanceof OmiseNotFoundError)) throw error;
      fees.set(chargeId, NO_FEES);
    }
  }
  return new Map(netted.map(({ id, chargeId }) => [id, fees.get(chargeId) ?? NO_FEES]));
}

/** Maps a ledger movement, and the fees it is net of, to its `omise.transactions` row. Pure. */
export function toTransactionRow(
  transaction: Transaction,
  account: AccountName,
  context: ProjectionContext,
  { fee, fee_vat }: MovementFees = NO_FEES,
): NewTransaction {
  return {
    id: transaction.id,
    account,
    livemode: transaction.livemode ?? null,
    direction: toStorableText(transaction.direction),
    key: toStorableText(transaction.key ?? null),
    amount: transaction.amount,
    currency: transaction.currency.toUpperCase(),
    origin_id: toStorableText(expandableId(transaction.origin)),
    transferable_at: transaction.transferable_at ?? null,
    created_at: transaction.created_at,
    fee,
    fee_vat,
    raw: storableObject(transaction),
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/** Maps a balance to its snapshot row, taken when it was requested. Pure. */
export function toBalanceSnapshotRow(
  balance: Balance,
  account: AccountName,
  takenAt: Date,
): NewBalanceSnapshot {
  return {
    account,
    taken_at: takenAt,
    currency: balance.currency.toUpperCase(),
    livemode: balance.livemode ?? null,
    total: balance.total,
    transferable: balance.transferable ?? balance.available ?? null,
    reserve: balance.reserve ?? null,
    raw: storableObject(balance),
  };
}

/** Maps a fee receipt to its `omise.receipts` row. Pure. */
export function toReceiptRow(
  receipt: Receipt,
  account: AccountName,
  context: ProjectionContext,
): NewReceipt {
  return {
    id: receipt.id,
    account,
    number: toStorableText(receipt.number ?? null),
    date: receipt.date,
    currency: receipt.currency.toUpperCase(),
    charge_fee: receipt.charge_fee,
    voided_fee: receipt.voided_fee ?? 0,
    transfer_fee: receipt.transfer_fee,
    subtotal: receipt.subtotal,
    vat: receipt.vat,
    wht: receipt.wht,
    total: receipt.total,
    credit_note: receipt.credit_note,
    raw: storableObject(receipt),
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/**
 * Writes a page of ledger movements (and the summaries) in one statement, each with the fees
 * it is net of (`findNetMovementFees`).
 * @returns how many were new
 */
export function writeTransactions(
  db: Kysely<Database>,
  account: AccountName,
  transactions: readonly Transaction[],
  context: ProjectionContext,
  fees: ReadonlyMap<string, MovementFees>,
): Promise<number> {
  return insertTransactions(
    db,
    transactions.map((t) => toTransactionRow(t, account, context, fees.get(t.id))),
  );
}

/** Records the balance as observed at `takenAt`. */
export function writeBalanceSnapshot(
  db: Kysely<Database>,
  account: AccountName,
  balance: Balance,
  takenAt: Date,
): Promise<void> {
  return insertBalanceSnapshot(db, toBalanceSnapshotRow(balance, account, takenAt));
}

/**
 * Writes a page of receipts, guarded by `observed_at`.
 * @returns how many rows were written
 */
export async function writeReceipts(
  db: Kysely<Database>,
  account: AccountName,
  receipts: readonly Receipt[],
  context: ProjectionContext,
): Promise<number> {
  return (
    await RECEIPTS.upsert(
      db,
      receipts.map((r) => toReceiptRow(r, account, context)),
    )
  ).length;
}
