/** Internal state of each Omise object. The API shapes are rendered from these on demand. */

export type Metadata = Record<string, unknown>;

export interface CardState {
  id: string;
  createdAt: number;
  brand: string;
  lastDigits: string;
  name: string;
  expirationMonth: number;
  expirationYear: number;
  fingerprint: string;
  city: string | null;
  postalCode: string | null;
  country: string;
  bank: string;
  financing: string;
  securityCodeCheck: boolean;
  customerId: string | null;
  /** What a charge on this card does; the full number itself is never kept. */
  failureCode: string | null;
}

export interface TokenState {
  id: string;
  createdAt: number;
  used: boolean;
  card: CardState;
}

export interface CustomerState {
  id: string;
  createdAt: number;
  email: string | null;
  description: string | null;
  metadata: Metadata;
  cards: CardState[];
  defaultCardId: string | null;
}

export type ChargeStatus = 'pending' | 'successful' | 'failed' | 'reversed' | 'expired';

export interface ChargeState {
  id: string;
  createdAt: number;
  amount: number;
  currency: string;
  description: string | null;
  metadata: Metadata;
  ip: string | null;
  returnUri: string | null;
  capture: boolean;
  authorizationType: string | null;
  status: ChargeStatus;
  card: CardState | null;
  customerId: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  authorized: boolean;
  paid: boolean;
  reversed: boolean;
  expired: boolean;
  authorizedAt: number | null;
  paidAt: number | null;
  expiresAt: number | null;
  expiredAt: number | null;
  reversedAt: number | null;
  capturedAmount: number | null;
  refundedAmount: number;
  transactionId: string | null;
  refunds: RefundState[];
  disputeId: string | null;
  /** Per-charge webhook endpoints (seed 003 `webhook_endpoints`), or null for the defaults. */
  webhookEndpoints: string[] | null;
  /** Bumped whenever the charge or anything rendered inside it changes (cache key). */
  revision: number;
}

export interface RefundState {
  id: string;
  createdAt: number;
  chargeId: string;
  amount: number;
  currency: string;
  metadata: Metadata;
  voided: boolean;
  transactionId: string;
}

export type DisputeStatus = 'open' | 'pending' | 'won' | 'lost';

export interface TransactionState {
  id: string;
  createdAt: number;
  amount: number;
  currency: string;
  direction: 'debit' | 'credit';
  key: string;
  origin: string;
  /** When the amount becomes part of the transferable balance. */
  transferableAt: number;
  /**
   * The fee and its VAT this movement is net of (a captured charge's). Not rendered: Omise
   * shows them on the charge; the emulator keeps them here to issue receipts.
   */
  fees?: { fee: number; feeVat: number };
}

export interface TransferState {
  id: string;
  createdAt: number;
  amount: number;
  fee: number;
  feeVat: number;
  currency: string;
  metadata: Metadata;
  sent: boolean;
  paid: boolean;
  sentAt: number | null;
  paidAt: number | null;
  failureCode: string | null;
  failureMessage: string | null;
  transactionId: string;
}

export interface ReceiptState {
  id: string;
  createdAt: number;
  number: string;
  /** The end of the period covered (the receipt's `date`). */
  date: number;
  currency: string;
  chargeFee: number;
  transferFee: number;
  vat: number;
}

export interface DocumentState {
  id: string;
  createdAt: number;
  disputeId: string;
  filename: string;
  kind: string | null;
  contentType: string;
  content: Buffer;
  downloadKey: string;
}

export interface DisputeState {
  id: string;
  createdAt: number;
  chargeId: string;
  amount: number;
  currency: string;
  status: DisputeStatus;
  message: string | null;
  adminMessage: string | null;
  metadata: Metadata;
  reasonCode: string;
  reasonMessage: string;
  closedAt: number | null;
  documents: DocumentState[];
  transactions: TransactionState[];
}

/** A record of one delivery attempt outcome, shown in the event's `webhook_deliveries`. */
export interface WebhookDeliveryRecord {
  id: string;
  uri: string;
  status: number | null;
  key: string;
  error: string | null;
  createdAt: number;
}

export interface EventState {
  id: string;
  createdAt: number;
  key: string;
  /** The object as it was when the event happened (already rendered, never mutated). */
  data: Record<string, unknown>;
  deliveries: WebhookDeliveryRecord[];
  /** Per-charge endpoints that replace the configured ones for this event, if any. */
  endpointOverride: string[] | null;
  /** The exact body POSTed to webhooks, kept once the event has been delivered. */
  payload: string | null;
}

export interface RecipientState {
  id: string;
  createdAt: number;
  name: string;
  email: string | null;
  description: string | null;
  type: string;
  taxId: string | null;
  metadata: Metadata;
  bankBrand: string;
  /** Only the last digits of the account number are kept. */
  bankLastDigits: string;
  bankAccountName: string;
  verified: boolean;
  active: boolean;
}

export interface OccurrenceState {
  id: string;
  createdAt: number;
  scheduleId: string;
  scheduleDate: string;
  status: 'successful' | 'failed';
  message: string | null;
  resultId: string | null;
  processedAt: number;
}

export interface ScheduleState {
  id: string;
  createdAt: number;
  every: number;
  period: 'day' | 'week' | 'month';
  startDate: string;
  endDate: string;
  status: 'active' | 'suspended' | 'deleted';
  customerId: string;
  cardId: string | null;
  amount: number;
  currency: string;
  description: string | null;
  occurrences: OccurrenceState[];
}

export interface LinkState {
  id: string;
  createdAt: number;
  amount: number;
  currency: string;
  title: string;
  description: string;
  multiple: boolean;
  used: boolean;
}
