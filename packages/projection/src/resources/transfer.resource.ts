import { omiseIdPattern, toStorableJson, toStorableText } from '@omise-sync/core';
import {
  type NewTransfer,
  TRANSFERS,
  findStoredObservations,
  markTransfersDeleted,
} from '@omise-sync/db';
import { OmiseNotFoundError, type Transfer } from '@omise-sync/omise-client';
import { type ProjectionContext, expandableId } from '../projection-context';
import type { ResourceModule, WriteOutcome } from '../resource-module';

/**
 * A transfer as Omise answered, or `transfer: null` when Omise answered 404: a destroyed
 * transfer is gone from the API, and its stored row gets `deleted_at`.
 */
export interface TransferObservation {
  id: string;
  transfer: Transfer | null;
}

/** Fields Omise leaves out of a bank account for us: only brand and last digits are kept. */
const STORED_BANK_ACCOUNT_FIELDS = ['object', 'brand', 'last_digits'] as const;

function storableObject(value: object): Record<string, unknown> {
  return toStorableJson(value) as Record<string, unknown>;
}

function redactBankAccount(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const account = value as Record<string, unknown>;
  return Object.fromEntries(
    STORED_BANK_ACCOUNT_FIELDS.filter((key) => account[key] !== undefined).map((key) => [
      key,
      account[key],
    ]),
  );
}

/**
 * Maps a transfer to its `omise.transfers` row. Pure. Older API versions have no `fee_vat`
 * or `net`: VAT is then 0 and net is the amount. The bank account keeps brand and last digits.
 */
export function toTransferRow(transfer: Transfer, context: ProjectionContext): NewTransfer {
  const fee = transfer.fee ?? 0;
  const feeVat = transfer.fee_vat ?? 0;
  const raw =
    transfer['bank_account'] === undefined
      ? transfer
      : { ...transfer, bank_account: redactBankAccount(transfer['bank_account']) };
  return {
    id: transfer.id,
    livemode: transfer.livemode ?? false,
    amount: transfer.amount,
    fee,
    fee_vat: feeVat,
    net: transfer.net ?? transfer.amount,
    currency: transfer.currency.toUpperCase(),
    sent: transfer.sent ?? false,
    paid: transfer.paid ?? false,
    failure_code: toStorableText(transfer.failure_code ?? null),
    failure_message: toStorableText(transfer.failure_message ?? null),
    recipient_id: toStorableText(expandableId(transfer.recipient)),
    transaction_id: toStorableText(expandableId(transfer.transaction)),
    metadata: storableObject(transfer.metadata ?? {}),
    created_at: transfer.created_at,
    sent_at: transfer.sent_at ?? null,
    paid_at: transfer.paid_at ?? null,
    deleted_at: transfer.deleted === true ? context.observedAt : null,
    raw: storableObject(raw),
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/** Payouts; `transfer.destroy` (a 404 on re-fetch) sets `deleted_at`. No follow-up steps. */
export const transferResource: ResourceModule<TransferObservation> = {
  type: 'transfer',
  idPattern: omiseIdPattern('trsf'),

  async fetch(omise, id) {
    try {
      return { id, transfer: await omise.transfers.retrieve(id) };
    } catch (error) {
      if (error instanceof OmiseNotFoundError) return { id, transfer: null };
      throw error;
    }
  },

  idOf: (observation) => observation.id,

  findObservedAt: (db, ids) => findStoredObservations(db, 'omise.transfers', ids),

  async write(trx, items, deps) {
    const rows = items.flatMap(({ observation, ...context }) =>
      observation.transfer === null
        ? []
        : [{ ...toTransferRow(observation.transfer, context), account: deps.account }],
    );
    const written = new Set(await TRANSFERS.upsert(trx, rows));
    const gone = items.filter((item) => item.observation.transfer === null);
    const deleted = new Set<string>();
    for (const item of gone) {
      for (const id of await markTransfersDeleted(
        trx,
        deps.account,
        [item.observation.id],
        item.observedAt,
      )) {
        deleted.add(id);
      }
    }
    return items.map(({ observation }): WriteOutcome => ({
      written: written.has(observation.id) || deleted.has(observation.id),
      children: 0,
    }));
  },
};
