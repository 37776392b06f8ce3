import { OmiseApiError, notFound } from '../omise-api-error';
import { type CreateRefundParams } from '../request-params';
import { refundableAmount, renderRefund } from '../resource-render';
import { type RefundState } from '../resource-types';
import { type EmulatorStore } from './emulator-store';
import { emitEvent } from './events.state';
import { recordTransaction } from './ledger.state';

const failedRefund = (message: string): OmiseApiError =>
  new OmiseApiError(400, 'failed_refund', message);

export function createRefund(
  store: EmulatorStore,
  chargeId: string,
  params: CreateRefundParams,
): RefundState {
  const charge = store.charges.get(chargeId);
  if (!charge.paid) throw failedRefund('charge has not been captured');
  const available = refundableAmount(charge);
  if (available <= 0) throw failedRefund('charge has been fully refunded');
  if (params.amount <= 0) throw failedRefund('amount must be greater than 0');
  if (params.amount > available) {
    throw failedRefund(`amount must be less than or equal to ${available}`);
  }
  const refundId = store.newId('rfnd');
  const refund: RefundState = {
    id: refundId,
    createdAt: store.stamp(),
    chargeId,
    amount: params.amount,
    currency: charge.currency,
    metadata: params.metadata ?? {},
    voided: params.void ?? false,
    transactionId: recordTransaction(store, {
      amount: params.amount,
      currency: charge.currency,
      direction: 'debit',
      key: 'refund.created.debit',
      origin: refundId,
    }).id,
  };
  charge.refundedAmount += refund.amount;
  charge.refunds.push(refund);
  store.refunds.add(refund);
  emitEvent(store, 'refund.create', renderRefund(refund), charge.webhookEndpoints);
  return refund;
}

/** A refund of the given charge; one of another charge is not found. */
export function getRefund(store: EmulatorStore, chargeId: string, refundId: string): RefundState {
  const refund = store.refunds.find(refundId);
  if (refund === undefined || refund.chargeId !== chargeId) throw notFound('refund', refundId);
  return refund;
}
