import { OmiseApiError, badRequest, notFound } from '../omise-api-error';
import {
  type CaptureChargeParams,
  type CreateChargeParams,
  type UpdateChargeParams,
} from '../request-params';
import { isCapturable, renderCharge } from '../resource-render';
import { type CardState, type ChargeState } from '../resource-types';
import { FAILURE_MESSAGES } from '../test-cards';
import { type EmulatorStore } from './emulator-store';
import { recordChargeCapture } from './ledger.state';
import { emitEvent } from './events.state';
import { useToken } from './tokens.state';

/** Smallest amounts per currency, in subunits (THB from a real recording; others assumed). */
const MINIMUM_AMOUNTS: Readonly<Record<string, number>> = {
  THB: 2000,
  JPY: 100,
  SGD: 100,
  USD: 100,
  EUR: 100,
  GBP: 100,
  MYR: 200,
  AUD: 100,
  CAD: 100,
  CHF: 100,
  CNY: 100,
  DKK: 100,
  HKD: 100,
};

const AUTHORIZATION_TTL_MS = 7 * 24 * 3600 * 1000;

const invalidCharge = (message: string): OmiseApiError =>
  new OmiseApiError(400, 'invalid_charge', message);

function emitCharge(store: EmulatorStore, key: string, charge: ChargeState): void {
  emitEvent(store, key, renderCharge(charge, store), charge.webhookEndpoints);
}

/** The card a new charge pays with: a token's, or a customer's (default or chosen) card. */
function chargedCard(
  store: EmulatorStore,
  params: CreateChargeParams,
): { card: CardState; customerId: string | null } {
  if (params.customer !== undefined) {
    const customer = store.customers.get(params.customer);
    const cardId = params.card ?? customer.defaultCardId;
    if (cardId === null) {
      throw new OmiseApiError(400, 'missing_card', 'customer has no card to charge');
    }
    const card = customer.cards.find((c) => c.id === cardId);
    if (card === undefined) throw notFound('card', cardId);
    return { card, customerId: customer.id };
  }
  if (params.card !== undefined)
    return { card: useToken(store, params.card).card, customerId: null };
  throw invalidCharge('card or customer is required');
}

export function createCharge(store: EmulatorStore, params: CreateChargeParams): ChargeState {
  const currency = params.currency.toUpperCase();
  const minimum = MINIMUM_AMOUNTS[currency];
  if (minimum === undefined) throw invalidCharge('currency is currently not supported');
  if (params.amount < minimum) {
    throw invalidCharge(
      `amount must be greater than or equal to ${minimum} (${currency.toLowerCase()} subunits)`,
    );
  }
  const { card, customerId } = chargedCard(store, params);
  const createdAt = store.stamp();
  const capture = params.capture ?? true;
  const charge: ChargeState = {
    id: store.newId('chrg'),
    createdAt,
    amount: params.amount,
    currency,
    description: params.description ?? null,
    metadata: params.metadata ?? {},
    ip: params.ip ?? null,
    returnUri: params.return_uri ?? null,
    capture,
    authorizationType: params.authorization_type ?? null,
    status: 'pending',
    card,
    customerId,
    failureCode: null,
    failureMessage: null,
    authorized: false,
    paid: false,
    reversed: false,
    expired: false,
    authorizedAt: null,
    paidAt: null,
    expiresAt: createdAt + AUTHORIZATION_TTL_MS,
    expiredAt: null,
    reversedAt: null,
    capturedAmount: null,
    refundedAmount: 0,
    transactionId: null,
    refunds: [],
    disputeId: null,
    webhookEndpoints: params.webhook_endpoints ?? null,
    revision: 0,
  };
  if (card.failureCode !== null) {
    charge.status = 'failed';
    charge.failureCode = card.failureCode;
    charge.failureMessage =
      FAILURE_MESSAGES[card.failureCode as keyof typeof FAILURE_MESSAGES] ?? card.failureCode;
  } else {
    charge.authorized = true;
    charge.authorizedAt = createdAt;
    if (capture) {
      charge.status = 'successful';
      charge.paid = true;
      charge.paidAt = createdAt;
      charge.capturedAmount = params.amount;
      charge.transactionId = recordChargeCapture(store, charge, createdAt);
    }
  }
  store.charges.add(charge);
  emitCharge(store, 'charge.create', charge);
  return charge;
}

export function updateCharge(
  store: EmulatorStore,
  id: string,
  params: UpdateChargeParams,
): ChargeState {
  const charge = store.charges.get(id);
  if (params.description !== undefined) charge.description = params.description;
  if (params.metadata !== undefined) charge.metadata = params.metadata;
  emitCharge(store, 'charge.update', charge);
  return charge;
}

export function captureCharge(
  store: EmulatorStore,
  id: string,
  params: CaptureChargeParams,
): ChargeState {
  const charge = store.charges.get(id);
  const failedCapture = (message: string): OmiseApiError =>
    new OmiseApiError(400, 'failed_capture', message);
  if (!isCapturable(charge)) {
    throw failedCapture(
      charge.paid ? 'charge was already captured' : `${charge.status} charges cannot be captured`,
    );
  }
  const amount = params.capture_amount ?? charge.amount;
  if (amount <= 0 || amount > charge.amount) {
    throw failedCapture('capture_amount must be greater than 0 and at most the authorized amount');
  }
  const now = store.stamp();
  charge.status = 'successful';
  charge.paid = true;
  charge.paidAt = now;
  charge.capturedAmount = amount;
  charge.transactionId = recordChargeCapture(store, charge, now);
  if (amount < charge.amount && charge.authorizationType === null) {
    charge.authorizationType = 'pre_auth';
  }
  emitCharge(store, 'charge.capture', charge);
  return charge;
}

export function reverseCharge(store: EmulatorStore, id: string): ChargeState {
  const charge = store.charges.get(id);
  if (!isCapturable(charge)) {
    throw new OmiseApiError(
      400,
      'failed_reverse',
      'only uncaptured authorized charges can be reversed',
    );
  }
  charge.status = 'reversed';
  charge.reversed = true;
  charge.reversedAt = store.stamp();
  emitCharge(store, 'charge.reverse', charge);
  return charge;
}

export function expireCharge(store: EmulatorStore, id: string): ChargeState {
  const charge = store.charges.get(id);
  if (charge.status !== 'pending') {
    throw new OmiseApiError(400, 'failed_expire', 'only pending charges can be expired');
  }
  const now = store.stamp();
  charge.status = 'expired';
  charge.expired = true;
  charge.expiredAt = now;
  charge.expiresAt = now;
  emitCharge(store, 'charge.expire', charge);
  return charge;
}

export function markChargeAsPaid(store: EmulatorStore, id: string): ChargeState {
  const charge = store.charges.get(id);
  if (charge.status !== 'pending') throw badRequest('only pending charges can be marked as paid');
  const now = store.stamp();
  charge.status = 'successful';
  charge.authorized = true;
  charge.authorizedAt ??= now;
  charge.paid = true;
  charge.paidAt = now;
  charge.capturedAmount = charge.amount;
  charge.transactionId = recordChargeCapture(store, charge, now);
  emitCharge(store, 'charge.complete', charge);
  return charge;
}

export function markChargeAsFailed(store: EmulatorStore, id: string): ChargeState {
  const charge = store.charges.get(id);
  if (charge.status !== 'pending') throw badRequest('only pending charges can be marked as failed');
  charge.status = 'failed';
  charge.failureCode = 'payment_rejected';
  charge.failureMessage = FAILURE_MESSAGES.payment_rejected;
  emitCharge(store, 'charge.complete', charge);
  return charge;
}
