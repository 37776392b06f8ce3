import { OmiseApiError } from '../omise-api-error';
import { renderTransfer } from '../resource-render';
import {
  type ChargeState,
  type ReceiptState,
  type TransactionState,
  type TransferState,
} from '../resource-types';
import { type EmulatorStore } from './emulator-store';
import { emitEvent } from './events.state';
import { VAT_RATE, chargeFees } from './fees';

// The balance ledger, as Omise keeps it: every money movement of a charge, refund, dispute
// or transfer is a transaction, and the balance is their sum. A captured charge is credited
// its net (`charge.captured.net`, as Omise's recorded transactions show): the fee and the fee's
// VAT never appear as movements of their own, only on the charge (`fee`, `fee_vat`).

/** A payout's flat fee (THB 25). */
export const TRANSFER_FEE = 2500;

/** Timestamps in the API have whole seconds; payout windows compare what the API shows. */
const second = (ms: number): number => Math.floor(ms / 1000);

export function recordTransaction(
  store: EmulatorStore,
  movement: Omit<TransactionState, 'id' | 'createdAt' | 'transferableAt'>,
  at: number = store.stamp(),
): TransactionState {
  const transaction: TransactionState = {
    ...movement,
    id: store.newId('trxn'),
    createdAt: at,
    transferableAt: at,
  };
  store.transactions.add(transaction);
  return transaction;
}

/** The movement of a captured charge: its net credit, with the fees it was net of. */
export function recordChargeCapture(store: EmulatorStore, charge: ChargeState, at: number): string {
  const amount = charge.capturedAmount ?? charge.amount;
  const { fee, feeVat } = chargeFees(amount);
  return recordTransaction(
    store,
    {
      currency: charge.currency,
      origin: charge.id,
      amount: amount - fee - feeVat,
      direction: 'credit',
      key: 'charge.captured.net',
      fees: { fee, feeVat },
    },
    at,
  ).id;
}

function signed(tx: TransactionState): number {
  return tx.direction === 'credit' ? tx.amount : -tx.amount;
}

/** The balance: every movement (`total`), and those already transferable. */
export function balanceOf(store: EmulatorStore): { total: number; transferable: number } {
  const now = store.now();
  let total = 0;
  let transferable = 0;
  for (const tx of store.transactions.items) {
    total += signed(tx);
    if (tx.transferableAt <= now) transferable += signed(tx);
  }
  return { total, transferable };
}

/** A payout that still counts: not failed and not deleted. */
function lastPayout(store: EmulatorStore): TransferState | undefined {
  const payouts = store.transfers.items.filter((t) => t.failureCode === null);
  return payouts[payouts.length - 1];
}

/**
 * What a payout created now would settle: the movements (other than payouts') that became
 * transferable since the previous payout, by the whole-second times the API shows:
 * previous payout's created_at <= transferable_at < this payout's created_at.
 */
function settleable(store: EmulatorStore, at: number): number {
  const previous = lastPayout(store);
  const from = previous === undefined ? -Infinity : second(previous.createdAt);
  const until = second(at);
  let net = 0;
  for (const tx of store.transactions.items) {
    if (tx.origin.startsWith('trsf_')) continue;
    const t = second(tx.transferableAt);
    if (t >= from && t < until) net += signed(tx);
  }
  return net;
}

function emitTransfer(store: EmulatorStore, key: string, transfer: TransferState): void {
  emitEvent(store, key, renderTransfer(transfer));
}

/**
 * Pays out everything settled since the previous payout (`transfer.create`); its fee and VAT
 * come out of the amount. Undefined when there is too little to pay out.
 */
export function createPayout(store: EmulatorStore, currency = 'THB'): TransferState | undefined {
  const at = store.stamp();
  const amount = settleable(store, at);
  const fee = TRANSFER_FEE;
  const feeVat = Math.round(fee * VAT_RATE);
  if (amount <= fee + feeVat) return undefined;
  return createTransfer(store, { amount, currency, fee, feeVat, metadata: {} }, at);
}

export function createTransfer(
  store: EmulatorStore,
  params: {
    amount: number;
    currency: string;
    fee?: number;
    feeVat?: number;
    metadata: Record<string, unknown>;
  },
  at: number = store.stamp(),
): TransferState {
  const fee = params.fee ?? TRANSFER_FEE;
  const feeVat = params.feeVat ?? Math.round(fee * VAT_RATE);
  if (params.amount <= fee + feeVat) {
    throw new OmiseApiError(400, 'invalid_amount', `amount must be greater than ${fee + feeVat}`);
  }
  const id = store.newId('trsf');
  const base = { currency: params.currency, origin: id, direction: 'debit' as const };
  const principal = recordTransaction(
    store,
    { ...base, amount: params.amount - fee - feeVat, key: 'transfer.created.debit' },
    at,
  );
  recordTransaction(store, { ...base, amount: fee, key: 'transfer.fee' }, at);
  recordTransaction(store, { ...base, amount: feeVat, key: 'transfer.fee_vat' }, at);
  const transfer: TransferState = {
    id,
    createdAt: at,
    amount: params.amount,
    fee,
    feeVat,
    currency: params.currency,
    metadata: params.metadata,
    sent: false,
    paid: false,
    sentAt: null,
    paidAt: null,
    failureCode: null,
    failureMessage: null,
    transactionId: principal.id,
  };
  store.transfers.add(transfer);
  emitTransfer(store, 'transfer.create', transfer);
  return transfer;
}

export function updateTransfer(
  store: EmulatorStore,
  id: string,
  metadata: Record<string, unknown> | undefined,
): TransferState {
  const transfer = store.transfers.get(id);
  if (metadata !== undefined) transfer.metadata = metadata;
  emitTransfer(store, 'transfer.update', transfer);
  return transfer;
}

function unfinished(transfer: TransferState, action: string): void {
  if (transfer.paid || transfer.failureCode !== null) {
    throw new OmiseApiError(400, 'bad_request', `transfer ${transfer.id} cannot be ${action}`);
  }
}

export function sendTransfer(store: EmulatorStore, id: string): TransferState {
  const transfer = store.transfers.get(id);
  unfinished(transfer, 'sent');
  if (transfer.sent) throw new OmiseApiError(400, 'bad_request', 'transfer was already sent');
  transfer.sent = true;
  transfer.sentAt = store.stamp();
  emitTransfer(store, 'transfer.send', transfer);
  return transfer;
}

export function payTransfer(store: EmulatorStore, id: string): TransferState {
  const transfer = store.transfers.get(id);
  unfinished(transfer, 'paid');
  if (!transfer.sent) throw new OmiseApiError(400, 'bad_request', 'transfer was not sent yet');
  transfer.paid = true;
  transfer.paidAt = store.stamp();
  emitTransfer(store, 'transfer.pay', transfer);
  return transfer;
}

/** The bank refused the payout: its whole amount returns to the balance. */
export function failTransfer(store: EmulatorStore, id: string): TransferState {
  const transfer = store.transfers.get(id);
  unfinished(transfer, 'failed');
  transfer.failureCode = 'transfer_failed';
  transfer.failureMessage = 'the bank rejected the transfer';
  recordTransaction(store, {
    currency: transfer.currency,
    origin: transfer.id,
    amount: transfer.amount,
    direction: 'credit',
    key: 'transfer.failed.credit',
  });
  emitTransfer(store, 'transfer.fail', transfer);
  return transfer;
}

/** Only a transfer not sent yet can be deleted; its amount returns to the balance. */
export function destroyTransfer(store: EmulatorStore, id: string): TransferState {
  const transfer = store.transfers.get(id);
  if (transfer.sent)
    throw new OmiseApiError(400, 'bad_request', 'a sent transfer cannot be deleted');
  recordTransaction(store, {
    currency: transfer.currency,
    origin: transfer.id,
    amount: transfer.amount,
    direction: 'credit',
    key: 'transfer.deleted.credit',
  });
  store.transfers.delete(transfer);
  emitEvent(store, 'transfer.destroy', {
    object: 'transfer',
    id: transfer.id,
    livemode: false,
    deleted: true,
  });
  return transfer;
}

const DAY_MS = 86_400_000;

/**
 * Issues the fee receipts not issued yet, one per UTC day with fee movements, up to `until`
 * (Omise issues them daily; a scenario closes the day so far). A receipt covers the fees
 * recorded after the previous receipt.
 */
export function issueReceipts(store: EmulatorStore, until: number = store.now()): ReceiptState[] {
  const issued: ReceiptState[] = [];
  const last = store.receipts.items[store.receipts.items.length - 1];
  let from = last === undefined ? -Infinity : last.date;
  const fees = store.transactions.items.filter(
    (tx) =>
      tx.createdAt > from &&
      tx.createdAt <= until &&
      (tx.fees !== undefined || /\.fee(_vat)?$/.test(tx.key)),
  );
  while (fees.length > 0) {
    const first = fees[0];
    if (first === undefined) break;
    const dayEnd = Math.floor(first.createdAt / DAY_MS) * DAY_MS + DAY_MS - 1;
    const date = Math.min(dayEnd, until);
    const ofDay = fees.filter((tx) => tx.createdAt <= date);
    fees.splice(0, ofDay.length);
    const sum = (amountOf: (tx: TransactionState) => number) =>
      ofDay.reduce((total, tx) => total + amountOf(tx), 0);
    const ofTransfer = (tx: TransactionState) => tx.origin.startsWith('trsf_');
    const receipt: ReceiptState = {
      id: store.newId('rcpt'),
      createdAt: store.stamp(),
      number: String(store.receipts.size + 1),
      date,
      currency: first.currency,
      chargeFee: sum((tx) => tx.fees?.fee ?? 0),
      transferFee: sum((tx) => (tx.key.endsWith('.fee') && ofTransfer(tx) ? tx.amount : 0)),
      vat: sum((tx) => tx.fees?.feeVat ?? (tx.key.endsWith('.fee_vat') ? tx.amount : 0)),
    };
    store.receipts.add(receipt);
    issued.push(receipt);
    from = date;
  }
  return issued;
}
