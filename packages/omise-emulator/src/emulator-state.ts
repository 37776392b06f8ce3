import { createHash } from 'node:crypto';
import { OmiseApiError, badRequest, notFound } from './omise-api-error';
import {
  type CaptureChargeParams,
  type CloseDisputeParams,
  type CreateChargeParams,
  type CreateCustomerParams,
  type CreateDisputeParams,
  type CreateRefundParams,
  type CreateTokenParams,
  type DocumentKind,
  type UpdateChargeParams,
  type UpdateDisputeParams,
} from './request-params';
import {
  type CardState,
  type ChargeState,
  type CustomerState,
  type DisputeState,
  type DocumentState,
  type EventState,
  type RefundState,
  type TokenState,
} from './resource-types';
import {
  type Json,
  type RenderContext,
  isCapturable,
  refundableAmount,
  renderCharge,
  renderCustomer,
  renderDispute,
  renderRefund,
  toOmiseJson,
} from './resource-render';
import { type SeededRandom, createOmiseId } from './seeded-random';
import { FAILING_TEST_CARDS, FAILURE_MESSAGES, cardBrand, isLuhnValid } from './test-cards';

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

/** Documented reason codes (omise-java `DisputeReasonCode`) with the emulator's messages. */
export const DISPUTE_REASONS: Readonly<Record<string, string>> = {
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

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const AUTHORIZATION_TTL_MS = 7 * 24 * 3600 * 1000;

export type EventListener = (event: EventState) => void;

export interface UploadDocumentInput {
  filename: string;
  content: Buffer;
  kind?: DocumentKind | undefined;
}

/**
 * All of the emulator's Omise state and every rule that changes it. The HTTP API, the
 * in-process actions and the scenarios all call these methods, so each change produces its
 * event (and its webhook deliveries) the same way whichever door it came through.
 */
export class EmulatorState implements RenderContext {
  readonly tokens = new Map<string, TokenState>();
  readonly customers = new Map<string, CustomerState>();
  readonly charges = new Map<string, ChargeState>();
  readonly chargeList: ChargeState[] = [];
  readonly refunds = new Map<string, RefundState>();
  readonly refundList: RefundState[] = [];
  readonly disputes = new Map<string, DisputeState>();
  readonly disputeList: DisputeState[] = [];
  readonly documents = new Map<string, DocumentState>();
  readonly events = new Map<string, EventState>();
  readonly eventList: EventState[] = [];
  private lastCreatedAt = 0;
  private deliverEvents = true;
  private readonly chargeJsonCache = new Map<
    string,
    { revision: number; second: number; text: string }
  >();

  constructor(
    private readonly clock: () => number,
    readonly random: SeededRandom,
    private readonly onEvent: EventListener,
    private readonly base: () => string,
  ) {}

  now(): number {
    return this.clock();
  }

  baseUrl(): string {
    return this.base();
  }

  findDispute(id: string): DisputeState | undefined {
    return this.disputes.get(id);
  }

  /**
   * Creation time for a new object. Lists are kept in creation order and paged by binary
   * search on it, so it never goes backwards even if an injected clock does.
   */
  private stamp(): number {
    const t = Math.max(this.clock(), this.lastCreatedAt);
    this.lastCreatedAt = t;
    return t;
  }

  private id(prefix: string): string {
    return createOmiseId(this.random, prefix);
  }

  /** Runs `fn` with events recorded but not delivered (bulk seeding for backfill benchmarks). */
  withoutWebhooks<T>(fn: () => T): T {
    const previous = this.deliverEvents;
    this.deliverEvents = false;
    try {
      return fn();
    } finally {
      this.deliverEvents = previous;
    }
  }

  private emit(key: string, data: Json, endpointOverride: string[] | null = null): EventState {
    const event: EventState = {
      id: this.id('evnt'),
      createdAt: this.stamp(),
      key,
      data,
      deliveries: [],
      endpointOverride,
      payload: null,
    };
    this.events.set(event.id, event);
    this.eventList.push(event);
    this.touchCharge(data);
    if (this.deliverEvents) this.onEvent(event);
    return event;
  }

  /** Every change emits an event, so this is where a charge's cached JSON goes stale. */
  private touchCharge(data: Json): void {
    const chargeId = data.object === 'charge' ? data.id : data.charge;
    if (typeof chargeId !== 'string') return;
    const charge = this.charges.get(chargeId);
    if (charge !== undefined) charge.revision++;
  }

  /**
   * The charge as the API's response body. `GET /charges/:id` is the hot path of every
   * benchmark, so the pretty-printed text is cached until the charge changes or the second
   * rolls over (the nested `refunds.to` is "now").
   */
  chargeJson(charge: ChargeState): string {
    const second = Math.floor(this.clock() / 1000);
    const cached = this.chargeJsonCache.get(charge.id);
    if (cached !== undefined && cached.revision === charge.revision && cached.second === second) {
      return cached.text;
    }
    const text = toOmiseJson(renderCharge(charge, this));
    if (this.chargeJsonCache.size >= 20_000) this.chargeJsonCache.clear();
    this.chargeJsonCache.set(charge.id, { revision: charge.revision, second, text });
    return text;
  }

  /** Restores an event from a snapshot without delivering it again. */
  restoreEvent(event: EventState): void {
    this.events.set(event.id, event);
    this.eventList.push(event);
    this.lastCreatedAt = Math.max(this.lastCreatedAt, event.createdAt);
  }

  noteRestoredTime(ms: number): void {
    this.lastCreatedAt = Math.max(this.lastCreatedAt, ms);
  }

  clear(): void {
    for (const collection of [
      this.tokens,
      this.customers,
      this.charges,
      this.refunds,
      this.disputes,
      this.documents,
      this.events,
    ]) {
      collection.clear();
    }
    this.chargeJsonCache.clear();
    this.chargeList.length = 0;
    this.refundList.length = 0;
    this.disputeList.length = 0;
    this.eventList.length = 0;
  }

  getCharge(id: string): ChargeState {
    const charge = this.charges.get(id);
    if (charge === undefined) throw notFound('charge', id);
    return charge;
  }

  getDispute(id: string): DisputeState {
    const dispute = this.disputes.get(id);
    if (dispute === undefined) throw notFound('dispute', id);
    return dispute;
  }

  getToken(id: string): TokenState {
    const token = this.tokens.get(id);
    if (token === undefined) throw notFound('token', id);
    return token;
  }

  getCustomer(id: string): CustomerState {
    const customer = this.customers.get(id);
    if (customer === undefined) throw notFound('customer', id);
    return customer;
  }

  getRefund(chargeId: string, refundId: string): RefundState {
    const refund = this.refunds.get(refundId);
    if (refund === undefined || refund.chargeId !== chargeId) throw notFound('refund', refundId);
    return refund;
  }

  getDocument(disputeId: string, documentId: string): DocumentState {
    const doc = this.documents.get(documentId);
    if (doc === undefined || doc.disputeId !== disputeId) throw notFound('document', documentId);
    return doc;
  }

  getEvent(id: string): EventState {
    const event = this.events.get(id);
    if (event === undefined) throw notFound('event', id);
    return event;
  }

  createToken(params: CreateTokenParams): TokenState {
    const { card } = params;
    const invalidCard = (message: string): OmiseApiError =>
      new OmiseApiError(400, 'invalid_card', message);
    const digits = card.number.replace(/[\s-]/g, '');
    const brand = cardBrand(digits);
    if (!/^\d{12,19}$/.test(digits) || !isLuhnValid(digits) || brand === undefined) {
      throw invalidCard(`number is invalid and brand not supported (${brand ?? 'unknown'})`);
    }
    const month = card.expiration_month;
    const year = card.expiration_year < 100 ? 2000 + card.expiration_year : card.expiration_year;
    if (month < 1 || month > 12) throw invalidCard('expiration month is not between 1 and 12');
    const now = new Date(this.clock());
    if (
      year < now.getUTCFullYear() ||
      (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)
    ) {
      throw invalidCard('expiration date cannot be in the past');
    }
    const createdAt = this.stamp();
    const cardState: CardState = {
      id: this.id('card'),
      createdAt,
      brand,
      lastDigits: digits.slice(-4),
      name: card.name,
      expirationMonth: month,
      expirationYear: year,
      // A stable per-number fingerprint, like Omise's; the number itself is not kept.
      fingerprint: createHash('sha256').update(`omise-emulator:${digits}`).digest('base64'),
      city: card.city ?? null,
      postalCode: card.postal_code ?? null,
      country: card.country ?? 'th',
      bank: 'Bank of the Unbanked',
      financing: 'credit',
      securityCodeCheck: card.security_code !== undefined && card.security_code !== '',
      customerId: null,
      failureCode: FAILING_TEST_CARDS[digits] ?? null,
    };
    const token: TokenState = { id: this.id('tokn'), createdAt, used: false, card: cardState };
    this.tokens.set(token.id, token);
    return token;
  }

  private useToken(tokenId: string): TokenState {
    const token = this.tokens.get(tokenId);
    if (token === undefined) throw notFound('token', tokenId);
    if (token.used) throw new OmiseApiError(400, 'used_token', 'token was already used');
    token.used = true;
    return token;
  }

  createCustomer(params: CreateCustomerParams): CustomerState {
    const customer: CustomerState = {
      id: this.id('cust'),
      createdAt: this.stamp(),
      email: params.email ?? null,
      description: params.description ?? null,
      metadata: params.metadata ?? {},
      cards: [],
      defaultCardId: null,
    };
    if (params.card !== undefined) {
      const token = this.useToken(params.card);
      const card = { ...token.card, customerId: customer.id };
      customer.cards.push(card);
      customer.defaultCardId = card.id;
    }
    this.customers.set(customer.id, customer);
    this.emit('customer.create', renderCustomer(customer, this.clock()));
    return customer;
  }

  createCharge(params: CreateChargeParams): ChargeState {
    const currency = params.currency.toUpperCase();
    const minimum = MINIMUM_AMOUNTS[currency];
    const invalidCharge = (message: string): OmiseApiError =>
      new OmiseApiError(400, 'invalid_charge', message);
    if (minimum === undefined) throw invalidCharge('currency is currently not supported');
    if (params.amount < minimum) {
      throw invalidCharge(
        `amount must be greater than or equal to ${minimum} (${currency.toLowerCase()} subunits)`,
      );
    }
    let card: CardState;
    let customerId: string | null = null;
    if (params.customer !== undefined) {
      const customer = this.getCustomer(params.customer);
      const cardId = params.card ?? customer.defaultCardId;
      if (cardId === null) {
        throw new OmiseApiError(400, 'missing_card', 'customer has no card to charge');
      }
      const found = customer.cards.find((c) => c.id === cardId);
      if (found === undefined) throw notFound('card', cardId);
      card = found;
      customerId = customer.id;
    } else if (params.card !== undefined) {
      card = this.useToken(params.card).card;
    } else {
      throw invalidCharge('card or customer is required');
    }
    const createdAt = this.stamp();
    const capture = params.capture ?? true;
    const failureCode = card.failureCode;
    const charge: ChargeState = {
      id: this.id('chrg'),
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
    if (failureCode !== null) {
      charge.status = 'failed';
      charge.failureCode = failureCode;
      charge.failureMessage =
        FAILURE_MESSAGES[failureCode as keyof typeof FAILURE_MESSAGES] ?? failureCode;
    } else {
      charge.authorized = true;
      charge.authorizedAt = createdAt;
      if (capture) {
        charge.status = 'successful';
        charge.paid = true;
        charge.paidAt = createdAt;
        charge.capturedAmount = params.amount;
        charge.transactionId = this.id('trxn');
      }
    }
    this.charges.set(charge.id, charge);
    this.chargeList.push(charge);
    this.emitCharge('charge.create', charge);
    return charge;
  }

  private emitCharge(key: string, charge: ChargeState): void {
    this.emit(key, renderCharge(charge, this), charge.webhookEndpoints);
  }

  updateCharge(id: string, params: UpdateChargeParams): ChargeState {
    const charge = this.getCharge(id);
    if (params.description !== undefined) charge.description = params.description;
    if (params.metadata !== undefined) charge.metadata = params.metadata;
    this.emitCharge('charge.update', charge);
    return charge;
  }

  captureCharge(id: string, params: CaptureChargeParams): ChargeState {
    const charge = this.getCharge(id);
    const failedCapture = (message: string): OmiseApiError =>
      new OmiseApiError(400, 'failed_capture', message);
    if (!isCapturable(charge)) {
      throw failedCapture(
        charge.paid ? 'charge was already captured' : `${charge.status} charges cannot be captured`,
      );
    }
    const amount = params.capture_amount ?? charge.amount;
    if (amount <= 0 || amount > charge.amount) {
      throw failedCapture(
        'capture_amount must be greater than 0 and at most the authorized amount',
      );
    }
    const now = this.stamp();
    charge.status = 'successful';
    charge.paid = true;
    charge.paidAt = now;
    charge.capturedAmount = amount;
    charge.transactionId = this.id('trxn');
    if (amount < charge.amount && charge.authorizationType === null) {
      charge.authorizationType = 'pre_auth';
    }
    this.emitCharge('charge.capture', charge);
    return charge;
  }

  reverseCharge(id: string): ChargeState {
    const charge = this.getCharge(id);
    if (!isCapturable(charge)) {
      throw new OmiseApiError(
        400,
        'failed_reverse',
        'only uncaptured authorized charges can be reversed',
      );
    }
    charge.status = 'reversed';
    charge.reversed = true;
    charge.reversedAt = this.stamp();
    this.emitCharge('charge.reverse', charge);
    return charge;
  }

  expireCharge(id: string): ChargeState {
    const charge = this.getCharge(id);
    if (charge.status !== 'pending') {
      throw new OmiseApiError(400, 'failed_expire', 'only pending charges can be expired');
    }
    const now = this.stamp();
    charge.status = 'expired';
    charge.expired = true;
    charge.expiredAt = now;
    charge.expiresAt = now;
    this.emitCharge('charge.expire', charge);
    return charge;
  }

  markChargeAsPaid(id: string): ChargeState {
    const charge = this.getCharge(id);
    if (charge.status !== 'pending') throw badRequest('only pending charges can be marked as paid');
    const now = this.stamp();
    charge.status = 'successful';
    charge.authorized = true;
    charge.authorizedAt ??= now;
    charge.paid = true;
    charge.paidAt = now;
    charge.capturedAmount = charge.amount;
    charge.transactionId = this.id('trxn');
    this.emitCharge('charge.complete', charge);
    return charge;
  }

  markChargeAsFailed(id: string): ChargeState {
    const charge = this.getCharge(id);
    if (charge.status !== 'pending') {
      throw badRequest('only pending charges can be marked as failed');
    }
    charge.status = 'failed';
    charge.failureCode = 'payment_rejected';
    charge.failureMessage = FAILURE_MESSAGES.payment_rejected;
    this.emitCharge('charge.complete', charge);
    return charge;
  }

  createRefund(chargeId: string, params: CreateRefundParams): RefundState {
    const charge = this.getCharge(chargeId);
    const failedRefund = (message: string): OmiseApiError =>
      new OmiseApiError(400, 'failed_refund', message);
    if (!charge.paid) throw failedRefund('charge has not been captured');
    const available = refundableAmount(charge);
    if (available <= 0) throw failedRefund('charge has been fully refunded');
    if (params.amount <= 0) throw failedRefund('amount must be greater than 0');
    if (params.amount > available) {
      throw failedRefund(`amount must be less than or equal to ${available}`);
    }
    const refund: RefundState = {
      id: this.id('rfnd'),
      createdAt: this.stamp(),
      chargeId,
      amount: params.amount,
      currency: charge.currency,
      metadata: params.metadata ?? {},
      voided: params.void ?? false,
      transactionId: this.id('trxn'),
    };
    charge.refundedAmount += refund.amount;
    charge.refunds.push(refund);
    this.refunds.set(refund.id, refund);
    this.refundList.push(refund);
    this.emit('refund.create', renderRefund(refund), charge.webhookEndpoints);
    return refund;
  }

  createDispute(chargeId: string, params: CreateDisputeParams): DisputeState {
    const charge = this.getCharge(chargeId);
    if (charge.disputeId !== null) {
      throw new OmiseApiError(400, 'invalid_charge', 'charge already has a dispute');
    }
    if (!charge.paid) throw new OmiseApiError(400, 'invalid_charge', 'charge is not disputable');
    const reasonCode = params.reason_code ?? 'goods_or_services_not_provided';
    const createdAt = this.stamp();
    const id = this.id('dspt');
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
        {
          id: this.id('trxn'),
          createdAt,
          amount,
          currency: charge.currency,
          direction: 'debit',
          key: 'dispute.started.debit',
          origin: id,
        },
      ],
    };
    charge.disputeId = id;
    this.disputes.set(id, dispute);
    this.disputeList.push(dispute);
    this.emit('dispute.create', renderDispute(dispute, this));
    return dispute;
  }

  private assertNotClosed(dispute: DisputeState, action: string): void {
    if (dispute.status === 'won' || dispute.status === 'lost') {
      throw badRequest(`dispute is already closed (${dispute.status}) and cannot be ${action}`);
    }
  }

  /** A message is the merchant's response: an open dispute moves to `pending` when it gets one. */
  updateDispute(id: string, params: UpdateDisputeParams): DisputeState {
    const dispute = this.getDispute(id);
    this.assertNotClosed(dispute, 'updated');
    if (params.metadata !== undefined) dispute.metadata = params.metadata;
    if (params.message !== undefined) {
      dispute.message = params.message;
      if (dispute.status === 'open' && params.message !== null && params.message !== '') {
        dispute.status = 'pending';
      }
    }
    this.emit('dispute.update', renderDispute(dispute, this));
    return dispute;
  }

  acceptDispute(id: string): DisputeState {
    const dispute = this.getDispute(id);
    this.assertNotClosed(dispute, 'accepted');
    dispute.status = 'lost';
    dispute.closedAt = this.stamp();
    dispute.message = 'Merchant accepts the dispute';
    this.emit('dispute.accept', renderDispute(dispute, this));
    return dispute;
  }

  closeDispute(id: string, params: CloseDisputeParams): DisputeState {
    const dispute = this.getDispute(id);
    this.assertNotClosed(dispute, 'closed again');
    const now = this.stamp();
    dispute.status = params.status;
    dispute.closedAt = now;
    if (params.status === 'won') {
      dispute.transactions.push({
        id: this.id('trxn'),
        createdAt: now,
        amount: dispute.amount,
        currency: dispute.currency,
        direction: 'credit',
        key: 'dispute.won.credit',
        origin: dispute.id,
      });
    }
    this.emit('dispute.close', renderDispute(dispute, this));
    return dispute;
  }

  private assertDocumentsEditable(dispute: DisputeState): void {
    if (dispute.status !== 'open') {
      throw new OmiseApiError(400, 'documents_locked', 'documents list cannot be modified');
    }
  }

  /** Checks a dispute can take a document before the upload is read (HTTP streams it). */
  assertCanUpload(disputeId: string): DisputeState {
    const dispute = this.getDispute(disputeId);
    this.assertDocumentsEditable(dispute);
    return dispute;
  }

  uploadDocument(disputeId: string, input: UploadDocumentInput): DocumentState {
    const dispute = this.assertCanUpload(disputeId);
    if (input.content.length === 0) throw badRequest('file is empty');
    if (input.content.length > MAX_DOCUMENT_BYTES) throw fileTooLarge();
    const contentType = sniffDocumentType(input.content);
    if (contentType === undefined) {
      throw new OmiseApiError(400, 'invalid_file_type', 'invalid content-type');
    }
    const doc: DocumentState = {
      id: this.id('docu'),
      createdAt: this.stamp(),
      disputeId,
      filename: input.filename,
      kind: input.kind ?? null,
      contentType,
      content: input.content,
      downloadKey: createHash('sha1')
        .update(this.id('dl'))
        .digest('hex')
        .slice(0, 16)
        .toUpperCase(),
    };
    this.documents.set(doc.id, doc);
    dispute.documents.push(doc);
    this.emit('dispute.update', renderDispute(dispute, this));
    return doc;
  }

  deleteDocument(disputeId: string, documentId: string): DocumentState {
    const dispute = this.getDispute(disputeId);
    const doc = this.getDocument(disputeId, documentId);
    this.assertDocumentsEditable(dispute);
    this.documents.delete(doc.id);
    dispute.documents.splice(dispute.documents.indexOf(doc), 1);
    this.emit('dispute.update', renderDispute(dispute, this));
    return doc;
  }
}

export const fileTooLarge = (): OmiseApiError =>
  new OmiseApiError(413, 'file_too_large', 'file must not be larger than 10 MB');

/** PNG, JPEG or PDF by their magic bytes (the declared content type is not trusted). */
export function sniffDocumentType(content: Buffer): string | undefined {
  if (
    content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'image/png';
  }
  if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return undefined;
}
