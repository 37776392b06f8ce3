import {
  type CardState,
  type ChargeState,
  type CustomerState,
  type DisputeState,
  type DocumentState,
  type EventState,
  type LinkState,
  type OccurrenceState,
  type RecipientState,
  type ScheduleState,
  type RefundState,
  type TokenState,
  type ReceiptState,
  type TransactionState,
  type TransferState,
  type WebhookDeliveryRecord,
} from './resource-types';
import { chargeFees } from './state/fees';

/**
 * Renders internal state as API version 2019-05-29 objects, key for key in the order of the
 * 2025 omise-php fixtures: `created_at`, uppercase currencies, `refunded_amount`, nested lists.
 */

export type Json = Record<string, unknown>;

export interface RenderContext {
  now(): number;
  /** Base URL of this emulator (for `download_uri`). */
  baseUrl(): string;
  findDispute(id: string): DisputeState | undefined;
}

const ISO_CACHE_SIZE = 4096;
const isoCacheSeconds = new Float64Array(ISO_CACHE_SIZE).fill(Number.NaN);
const isoCacheTexts: string[] = new Array<string>(ISO_CACHE_SIZE).fill('');

/**
 * ISO 8601 UTC with second precision, as Omise writes it (`2025-03-20T09:24:15Z`). Rendering a
 * list page formats several timestamps per item, mostly of a few nearby seconds, so recent
 * seconds are remembered (a pure function of its input: the cache only saves the formatting).
 */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  const slot = ((second % ISO_CACHE_SIZE) + ISO_CACHE_SIZE) % ISO_CACHE_SIZE;
  if (isoCacheSeconds[slot] === second) return isoCacheTexts[slot] as string;
  const text = `${new Date(second * 1000).toISOString().slice(0, -5)}Z`;
  isoCacheSeconds[slot] = second;
  isoCacheTexts[slot] = text;
  return text;
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : isoSeconds(ms));

/** The list embedded in a parent object (`charge.refunds`, `dispute.documents`). */
export function nestedList(location: string, data: Json[], total: number, nowMs: number): Json {
  return {
    object: 'list',
    data,
    limit: 20,
    offset: 0,
    total,
    location,
    order: 'chronological',
    from: '1970-01-01T00:00:00Z',
    to: isoSeconds(nowMs),
  };
}

export function renderCard(card: CardState): Json {
  return {
    object: 'card',
    id: card.id,
    livemode: false,
    location: card.customerId === null ? null : `/customers/${card.customerId}/cards/${card.id}`,
    deleted: false,
    street1: null,
    street2: null,
    city: card.city,
    state: null,
    phone_number: null,
    postal_code: card.postalCode,
    country: card.country,
    financing: card.financing,
    bank: card.bank,
    brand: card.brand,
    fingerprint: card.fingerprint,
    first_digits: null,
    last_digits: card.lastDigits,
    name: card.name,
    expiration_month: card.expirationMonth,
    expiration_year: card.expirationYear,
    security_code_check: card.securityCodeCheck,
    tokenization_method: null,
    created_at: isoSeconds(card.createdAt),
  };
}

export function renderToken(token: TokenState): Json {
  return {
    object: 'token',
    id: token.id,
    livemode: false,
    location: `https://vault.omise.co/tokens/${token.id}`,
    used: token.used,
    charge_status: 'unknown',
    card: renderCard(token.card),
    created_at: isoSeconds(token.createdAt),
  };
}

export function renderCustomer(customer: CustomerState, nowMs: number): Json {
  const location = `/customers/${customer.id}`;
  return {
    object: 'customer',
    id: customer.id,
    livemode: false,
    location,
    deleted: false,
    metadata: customer.metadata,
    cards: nestedList(
      `${location}/cards`,
      customer.cards.slice(0, 20).map(renderCard),
      customer.cards.length,
      nowMs,
    ),
    default_card: customer.defaultCardId,
    description: customer.description,
    email: customer.email,
    created_at: isoSeconds(customer.createdAt),
  };
}

/** The charge's fee, VAT and net, as its ledger movement records them. */
function fees(charge: ChargeState): { fee: number; feeVat: number; net: number; funding: number } {
  const funding = charge.capturedAmount ?? charge.amount;
  if (charge.status === 'failed') return { fee: 0, feeVat: 0, net: 0, funding };
  const { fee, feeVat } = chargeFees(funding);
  return { fee, feeVat, net: funding - fee - feeVat, funding };
}

export function renderRefund(refund: RefundState): Json {
  return {
    object: 'refund',
    id: refund.id,
    location: `/charges/${refund.chargeId}/refunds/${refund.id}`,
    livemode: false,
    voided: refund.voided,
    currency: refund.currency,
    amount: refund.amount,
    metadata: refund.metadata,
    charge: refund.chargeId,
    capture: null,
    terminal: null,
    transaction: refund.transactionId,
    status: 'closed',
    funding_amount: refund.amount,
    funding_currency: refund.currency,
    created_at: isoSeconds(refund.createdAt),
    acquirer_reference_number: null,
    approval_code: null,
  };
}

export function isCapturable(charge: ChargeState): boolean {
  return charge.status === 'pending' && charge.authorized && !charge.paid;
}

export function refundableAmount(charge: ChargeState): number {
  if (!charge.paid) return 0;
  return (charge.capturedAmount ?? charge.amount) - charge.refundedAmount;
}

export function renderCharge(charge: ChargeState, ctx: RenderContext): Json {
  const location = `/charges/${charge.id}`;
  const { fee, feeVat, net, funding } = fees(charge);
  const dispute = charge.disputeId === null ? undefined : ctx.findDispute(charge.disputeId);
  const refundable = refundableAmount(charge) > 0;
  const capturable = isCapturable(charge);
  return {
    object: 'charge',
    id: charge.id,
    location,
    amount: charge.amount,
    authorization_type: charge.authorizationType,
    authorized_amount: charge.authorized ? charge.amount : 0,
    captured_amount: charge.capturedAmount ?? 0,
    acquirer_reference_number: null,
    net,
    fee,
    fee_vat: feeVat,
    interest: 0,
    interest_vat: 0,
    funding_amount: funding,
    refunded_amount: charge.refundedAmount,
    transaction_fees: { fee_flat: '0.0', fee_rate: '3.65', vat_rate: '7.0' },
    platform_fee: { fixed: null, amount: null, percentage: null },
    currency: charge.currency,
    funding_currency: charge.currency,
    ip: charge.ip,
    refunds: nestedList(
      `${location}/refunds`,
      charge.refunds.slice(0, 20).map(renderRefund),
      charge.refunds.length,
      ctx.now(),
    ),
    link: null,
    description: charge.description,
    metadata: charge.metadata,
    card: charge.card === null ? null : renderCard(charge.card),
    source: null,
    schedule: null,
    linked_account: null,
    customer: charge.customerId,
    dispute: dispute === undefined ? null : renderDispute(dispute, ctx),
    transaction: charge.transactionId,
    failure_code: charge.failureCode,
    failure_message: charge.failureMessage,
    merchant_advice: null,
    merchant_advice_code: null,
    status: charge.status,
    authorize_uri: null,
    return_uri: charge.returnUri,
    created_at: isoSeconds(charge.createdAt),
    paid_at: isoOrNull(charge.paidAt),
    authorized_at: isoOrNull(charge.authorizedAt),
    expires_at: isoOrNull(charge.expiresAt),
    expired_at: isoOrNull(charge.expiredAt),
    reversed_at: isoOrNull(charge.reversedAt),
    multi_capture: false,
    zero_interest_installments: false,
    branch: null,
    terminal: null,
    device: null,
    authorized: charge.authorized,
    capturable,
    capture: charge.capture,
    disputable: charge.paid && charge.disputeId === null,
    livemode: false,
    refundable,
    partially_refundable: refundable,
    reversed: charge.reversed,
    reversible: capturable,
    voided: false,
    paid: charge.paid,
    expired: charge.expired,
    can_perform_void: charge.paid && charge.refundedAmount === 0,
    approval_code: null,
  };
}

export function renderTransaction(tx: TransactionState): Json {
  return {
    object: 'transaction',
    id: tx.id,
    livemode: false,
    currency: tx.currency,
    amount: tx.amount,
    location: `/transactions/${tx.id}`,
    direction: tx.direction,
    key: tx.key,
    origin: tx.origin,
    transferable_at: isoSeconds(tx.transferableAt),
    created_at: isoSeconds(tx.createdAt),
  };
}

export function renderDocument(doc: DocumentState, ctx: RenderContext): Json {
  const location = `/disputes/${doc.disputeId}/documents/${doc.id}`;
  return {
    object: 'document',
    id: doc.id,
    livemode: false,
    location,
    deleted: false,
    filename: doc.filename,
    kind: doc.kind,
    download_uri: `${ctx.baseUrl()}${location}/downloads/${doc.downloadKey}`,
    created_at: isoSeconds(doc.createdAt),
  };
}

export function renderDispute(dispute: DisputeState, ctx: RenderContext): Json {
  const location = `/disputes/${dispute.id}`;
  return {
    object: 'dispute',
    id: dispute.id,
    livemode: false,
    location,
    currency: dispute.currency,
    amount: dispute.amount,
    funding_amount: dispute.amount,
    funding_currency: dispute.currency,
    metadata: dispute.metadata,
    charge: dispute.chargeId,
    documents: nestedList(
      `${location}/documents`,
      dispute.documents.slice(0, 20).map((d) => renderDocument(d, ctx)),
      dispute.documents.length,
      ctx.now(),
    ),
    transactions: dispute.transactions.map(renderTransaction),
    admin_message: dispute.adminMessage,
    message: dispute.message,
    reason_code: dispute.reasonCode,
    reason_message: dispute.reasonMessage,
    status: dispute.status,
    closed_at: isoOrNull(dispute.closedAt),
    created_at: isoSeconds(dispute.createdAt),
  };
}

/** `webhook_delivery.created_at` is not ISO 8601 in Omise's recordings; the emulator matches. */
function deliveryTimestamp(ms: number): string {
  return isoSeconds(ms).replace('T', ' ').replace('Z', ' UTC');
}

export function renderDeliveryRecord(record: WebhookDeliveryRecord, payload: string): Json {
  return {
    object: 'webhook_delivery',
    id: record.id,
    uri: record.uri,
    status: record.status,
    key: record.key,
    error: record.error,
    payload,
    created_at: deliveryTimestamp(record.createdAt),
  };
}

/**
 * The event envelope. `webhookDeliveries` is `[]` in the POSTed body (as in Omise's recorded
 * payloads) and the delivery records when read back through the Events API.
 */
export function renderEvent(event: EventState, webhookDeliveries: Json[]): Json {
  return {
    object: 'event',
    id: event.id,
    livemode: false,
    location: `/events/${event.id}`,
    webhook_deliveries: webhookDeliveries,
    data: event.data,
    key: event.key,
    created_at: isoSeconds(event.createdAt),
  };
}

/** An event as the Events API shows it: with a record of every delivery attempt. */
export function renderEventForApi(event: EventState): Json {
  const payload = event.payload ?? '';
  return renderEvent(
    event,
    event.deliveries.map((d) => renderDeliveryRecord(d, payload)),
  );
}

/** Omise answers with pretty-printed JSON (two spaces) and a trailing newline. */
export function toOmiseJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function renderTransfer(transfer: TransferState): Json {
  return {
    object: 'transfer',
    id: transfer.id,
    livemode: false,
    location: `/transfers/${transfer.id}`,
    deleted: false,
    amount: transfer.amount,
    fee: transfer.fee,
    fee_vat: transfer.feeVat,
    net: transfer.amount - transfer.fee - transfer.feeVat,
    currency: transfer.currency,
    bank_account: {
      object: 'bank_account',
      brand: 'test',
      last_digits: '6789',
      name: 'DEFAULT BANK ACCOUNT',
    },
    recipient: null,
    transaction: transfer.transactionId,
    sent: transfer.sent,
    paid: transfer.paid,
    sent_at: isoOrNull(transfer.sentAt),
    paid_at: isoOrNull(transfer.paidAt),
    failure_code: transfer.failureCode,
    failure_message: transfer.failureMessage,
    fail_fast: false,
    metadata: transfer.metadata,
    created_at: isoSeconds(transfer.createdAt),
  };
}

export function renderReceipt(receipt: ReceiptState): Json {
  const subtotal = receipt.chargeFee + receipt.transferFee;
  return {
    object: 'receipt',
    id: receipt.id,
    number: receipt.number,
    location: `/receipts/${receipt.id}`,
    date: isoSeconds(receipt.date),
    customer_name: 'Emulated Merchant',
    company_name: 'Omise Company Limited',
    charge_fee: receipt.chargeFee,
    voided_fee: 0,
    transfer_fee: receipt.transferFee,
    subtotal,
    vat: receipt.vat,
    wht: 0,
    total: subtotal + receipt.vat,
    credit_note: false,
    currency: receipt.currency,
  };
}

export function renderBalance(balance: { total: number; transferable: number }): Json {
  return {
    object: 'balance',
    livemode: false,
    location: '/balance',
    currency: 'THB',
    total: balance.total,
    transferable: balance.transferable,
    reserve: 0,
    created_at: null,
  };
}
export function renderRecipient(recipient: RecipientState): Json {
  return {
    object: 'recipient',
    id: recipient.id,
    livemode: false,
    location: `/recipients/${recipient.id}`,
    deleted: false,
    verified: recipient.verified,
    active: recipient.active,
    name: recipient.name,
    email: recipient.email,
    description: recipient.description,
    type: recipient.type,
    tax_id: recipient.taxId,
    bank_account: {
      object: 'bank_account',
      brand: recipient.bankBrand,
      last_digits: recipient.bankLastDigits,
      name: recipient.bankAccountName,
      created_at: isoSeconds(recipient.createdAt),
    },
    failure_code: null,
    metadata: recipient.metadata,
    created_at: isoSeconds(recipient.createdAt),
  };
}

export function renderOccurrence(occurrence: OccurrenceState): Json {
  return {
    object: 'occurrence',
    id: occurrence.id,
    livemode: false,
    location: `/occurrences/${occurrence.id}`,
    schedule: occurrence.scheduleId,
    schedule_date: occurrence.scheduleDate,
    retry_date: null,
    processed_at: isoSeconds(occurrence.processedAt),
    status: occurrence.status,
    message: occurrence.message,
    result: occurrence.resultId,
    created_at: isoSeconds(occurrence.createdAt),
  };
}

/** The calendar date `n` periods after `start` (UTC). */
export function addPeriods(start: string, period: ScheduleState['period'], n: number): string {
  const date = new Date(`${start}T00:00:00Z`);
  if (period === 'day') date.setUTCDate(date.getUTCDate() + n);
  else if (period === 'week') date.setUTCDate(date.getUTCDate() + 7 * n);
  else date.setUTCMonth(date.getUTCMonth() + n);
  return date.toISOString().slice(0, 10);
}

/** Up to `count` run dates from today (as `nowMs` says) to the schedule's end. */
export function nextOccurrenceDates(schedule: ScheduleState, nowMs: number, count = 3): string[] {
  if (schedule.status !== 'active') return [];
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const dates: string[] = [];
  for (let n = 0; dates.length < count && n < 10_000; n += schedule.every) {
    const date = addPeriods(schedule.startDate, schedule.period, n);
    if (date > schedule.endDate) break;
    if (date >= today) dates.push(date);
  }
  return dates;
}

export function renderSchedule(schedule: ScheduleState, nowMs: number): Json {
  const location = `/schedules/${schedule.id}`;
  return {
    object: 'schedule',
    id: schedule.id,
    livemode: false,
    location,
    status: schedule.status,
    deleted: schedule.status === 'deleted',
    active: schedule.status === 'active',
    every: schedule.every,
    period: schedule.period,
    on: {},
    in_words: `Every ${schedule.every} ${schedule.period}(s)`,
    start_date: schedule.startDate,
    end_date: schedule.endDate,
    charge: {
      object: 'scheduled_charge',
      amount: schedule.amount,
      currency: schedule.currency,
      description: schedule.description,
      customer: schedule.customerId,
      card: schedule.cardId,
    },
    occurrences: nestedList(
      `${location}/occurrences`,
      schedule.occurrences.slice(0, 20).map(renderOccurrence),
      schedule.occurrences.length,
      nowMs,
    ),
    next_occurrences_on: nextOccurrenceDates(schedule, nowMs),
    created_at: isoSeconds(schedule.createdAt),
  };
}

export function renderLink(link: LinkState, nowMs: number): Json {
  const location = `/links/${link.id}`;
  return {
    object: 'link',
    id: link.id,
    livemode: false,
    location,
    deleted: false,
    amount: link.amount,
    currency: link.currency,
    used: link.used,
    multiple: link.multiple,
    title: link.title,
    description: link.description,
    charges: nestedList(`${location}/charges`, [], 0, nowMs),
    payment_uri: `https://link.omise.co/${link.id.slice(-8).toUpperCase()}`,
    created_at: isoSeconds(link.createdAt),
  };
}

/** What Omise answers for a deleted object, and what its `*.destroy` event carries. */
export function renderDeleted(object: string, id: string): Json {
  return { object, id, livemode: false, deleted: true };
}
