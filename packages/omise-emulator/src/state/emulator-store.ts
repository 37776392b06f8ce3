import { type RenderContext } from '../resource-render';
import {
  type ChargeState,
  type CustomerState,
  type DisputeState,
  type DocumentState,
  type EventState,
  type ReceiptState,
  type LinkState,
  type RecipientState,
  type RefundState,
  type ScheduleState,
  type TokenState,
  type TransactionState,
  type TransferState,
} from '../resource-types';
import { type SeededRandom, createOmiseId } from '../seeded-random';
import { ChargeJsonCache } from './charge-json-cache';
import { Collection } from './collection';

export type EventListener = (event: EventState) => void;

/** The kinds of object the emulator keeps, as `listAll` and `count` name them. */
export const RESOURCE_KINDS = [
  'charges',
  'refunds',
  'disputes',
  'documents',
  'events',
  'tokens',
  'customers',
  'transactions',
  'transfers',
  'receipts',
  'recipients',
  'schedules',
  'links',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/**
 * All of the emulator's Omise objects and what every resource's rules share: the clock, ids,
 * and the hand-off of events to webhooks. The rules themselves live in one `*.state.ts` module
 * per resource; the HTTP routes, the in-process actions and the scenarios all go through
 * them, so each change produces its event the same way whichever door it came through.
 */
export class EmulatorStore implements RenderContext {
  readonly tokens = new Collection<TokenState>('token');
  readonly customers = new Collection<CustomerState>('customer');
  readonly charges = new Collection<ChargeState>('charge');
  readonly refunds = new Collection<RefundState>('refund');
  readonly disputes = new Collection<DisputeState>('dispute');
  readonly documents = new Collection<DocumentState>('document');
  readonly events = new Collection<EventState>('event');
  readonly transactions = new Collection<TransactionState>('transaction');
  readonly transfers = new Collection<TransferState>('transfer');
  readonly receipts = new Collection<ReceiptState>('receipt');
  readonly recipients = new Collection<RecipientState>('recipient');
  readonly schedules = new Collection<ScheduleState>('schedule');
  readonly links = new Collection<LinkState>('link');
  readonly chargeJson = new ChargeJsonCache();
  private lastCreatedAt = 0;
  private deliverEvents = true;

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
    return this.disputes.find(id);
  }

  /**
   * Creation time for a new object. Lists are kept in creation order and paged by binary
   * search on it, so it never goes backwards even if an injected clock does.
   */
  stamp(): number {
    const t = Math.max(this.clock(), this.lastCreatedAt);
    this.lastCreatedAt = t;
    return t;
  }

  /** Makes later stamps no earlier than a restored object's creation time. */
  noteCreatedAt(ms: number): void {
    this.lastCreatedAt = Math.max(this.lastCreatedAt, ms);
  }

  newId(prefix: string): string {
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

  /** Hands a recorded event to the webhook dispatcher, unless inside `withoutWebhooks`. */
  deliver(event: EventState): void {
    if (this.deliverEvents) this.onEvent(event);
  }

  count(kind: ResourceKind): number {
    return this[kind].size;
  }

  counts(): Record<ResourceKind, number> {
    return {
      charges: this.charges.size,
      refunds: this.refunds.size,
      disputes: this.disputes.size,
      documents: this.documents.size,
      events: this.events.size,
      tokens: this.tokens.size,
      customers: this.customers.size,
      transactions: this.transactions.size,
      transfers: this.transfers.size,
      receipts: this.receipts.size,
      recipients: this.recipients.size,
      schedules: this.schedules.size,
      links: this.links.size,
    };
  }

  clear(): void {
    for (const kind of RESOURCE_KINDS) this[kind].clear();
    this.chargeJson.clear();
  }
}
