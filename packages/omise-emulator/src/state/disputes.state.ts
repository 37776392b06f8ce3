import { OmiseApiError, badRequest } from '../omise-api-error';
import {
  type CloseDisputeParams,
  type CreateDisputeParams,
  type UpdateDisputeParams,
} from '../request-params';
import { renderDispute } from '../resource-render';
import { type DisputeState, type DisputeStatus } from '../resource-types';
import { type EmulatorStore } from './emulator-store';
import { emitEvent } from './events.state';
import { recordTransaction } from './ledger.state';

/** Documented reason codes (omise-java `DisputeReasonCode`) with the emulator's messages. */
const DISPUTE_REASONS: Readonly<Record<string, string>> = {
  goods_or_services_not_provided: 'Merchandise/Services Not Received',
  credit_not_processed: 'Credit Not Processed',
  duplicate_processing: 'Duplicate Processing',
  incorrect_transaction_amount: 'Incorrect Transaction Amount',
  not_as_described_or_defective_merchandise: 'Not as Described or Defective Merchandise',
  transaction_not_recognised: 'Transaction Not Recognised',
  unauthorized_charge: 'Unauthorized Charge',
  cancelled_recurring_transaction: 'Cancelled Recurring Transaction',
  paid_by_other_means: 'Paid by Other Means',
  other: 'Other',
};

/** The statuses each `/disputes/:filter` list shows; `closed` means won or lost. */
export const DISPUTE_LIST_FILTERS = {
  open: ['open'],
  pending: ['pending'],
  closed: ['won', 'lost'],
} as const satisfies Record<string, readonly DisputeStatus[]>;
export type DisputeListFilter = keyof typeof DISPUTE_LIST_FILTERS;

function emitDispute(store: EmulatorStore, key: string, dispute: DisputeState): void {
  emitEvent(store, key, renderDispute(dispute, store));
}

function assertNotClosed(dispute: DisputeState, action: string): void {
  if (dispute.status === 'won' || dispute.status === 'lost') {
    throw badRequest(`dispute is already closed (${dispute.status}) and cannot be ${action}`);
  }
}

export function createDispute(
  store: EmulatorStore,
  chargeId: string,
  params: CreateDisputeParams,
): DisputeState {
  const charge = store.charges.get(chargeId);
  if (charge.disputeId !== null) {
    throw new OmiseApiError(400, 'invalid_charge', 'charge already has a dispute');
  }
  if (!charge.paid) throw new OmiseApiError(400, 'invalid_charge', 'charge is not disputable');
  const reasonCode = params.reason_code ?? 'goods_or_services_not_provided';
  const createdAt = store.stamp();
  const id = store.newId('dspt');
  const amount = charge.capturedAmount ?? charge.amount;
  const dispute: DisputeState = {
    id,
    createdAt,
    chargeId,
    amount,
    currency: charge.currency,
    status: 'open',
    message: null,
    adminMessage: null,
    metadata: {},
    reasonCode,
    reasonMessage: DISPUTE_REASONS[reasonCode] ?? 'Other',
    closedAt: null,
    documents: [],
    transactions: [
      recordTransaction(
        store,
        {
          amount,
          currency: charge.currency,
          direction: 'debit',
          key: 'dispute.started.debit',
          origin: id,
        },
        createdAt,
      ),
    ],
  };
  charge.disputeId = id;
  store.disputes.add(dispute);
  emitDispute(store, 'dispute.create', dispute);
  return dispute;
}

/** A message is the merchant's response: an open dispute moves to `pending` when it gets one. */
export function updateDispute(
  store: EmulatorStore,
  id: string,
  params: UpdateDisputeParams,
): DisputeState {
  const dispute = store.disputes.get(id);
  assertNotClosed(dispute, 'updated');
  if (params.metadata !== undefined) dispute.metadata = params.metadata;
  if (params.message !== undefined) {
    dispute.message = params.message;
    if (dispute.status === 'open' && params.message !== null && params.message !== '') {
      dispute.status = 'pending';
    }
  }
  emitDispute(store, 'dispute.update', dispute);
  return dispute;
}

export function acceptDispute(store: EmulatorStore, id: string): DisputeState {
  const dispute = store.disputes.get(id);
  assertNotClosed(dispute, 'accepted');
  dispute.status = 'lost';
  dispute.closedAt = store.stamp();
  dispute.message = 'Merchant accepts the dispute';
  emitDispute(store, 'dispute.accept', dispute);
  return dispute;
}

export function closeDispute(
  store: EmulatorStore,
  id: string,
  params: CloseDisputeParams,
): DisputeState {
  const dispute = store.disputes.get(id);
  assertNotClosed(dispute, 'closed again');
  const now = store.stamp();
  dispute.status = params.status;
  dispute.closedAt = now;
  if (params.status === 'won') {
    dispute.transactions.push(
      recordTransaction(
        store,
        {
          amount: dispute.amount,
          currency: dispute.currency,
          direction: 'credit',
          key: 'dispute.won.credit',
          origin: dispute.id,
        },
        now,
      ),
    );
  }
  emitDispute(store, 'dispute.close', dispute);
  return dispute;
}
