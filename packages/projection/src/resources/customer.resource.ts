import { omiseIdPattern } from '@omise-sync/core';
import {
  type NewCard,
  type NewCustomer,
  findStoredObservations,
  guardedRecordsetUpsert,
  markCardsDeletedExcept,
  markDirectoryRowsDeleted,
} from '@omise-sync/db';
import { type Card, type Customer, cardCustomerId } from '@omise-sync/omise-client';
import type { PiiPolicy } from '@omise-sync/core';
import { type ProjectionContext, collect } from '../projection-context';
import type { ResourceModule, WriteOutcome } from '../resource-module';
import {
  DIRECTORY_COLUMNS,
  directoryColumns,
  personal,
  piiPolicy,
  rawOf,
  storable,
  text,
} from './directory-rows';

/** A customer with its complete list of cards. */
export interface CustomerObservation {
  customer: Customer;
  cards: readonly Card[];
}

/** Card fields that may be stored; expiry, fingerprint, city, postal code… are dropped. */
const STORED_CARD_FIELDS = [
  'object',
  'id',
  'livemode',
  'location',
  'brand',
  'last_digits',
  'name',
  'country',
  'bank',
  'financing',
  'created_at',
] as const;

/** Maps a customer to its `omise.customers` row (without `account`). Pure. */
export function toCustomerRow(
  customer: Customer,
  context: ProjectionContext,
  policy: PiiPolicy,
): Omit<NewCustomer, 'account'> {
  return {
    ...directoryColumns(customer, context),
    email: personal(customer.email, policy),
    description: personal(customer.description, policy),
    default_card_id: text(customer.default_card),
    metadata: storable(customer.metadata ?? {}),
    raw: rawOf(customer, ['email', 'description'], policy, {
      cards: undefined,
    }),
  };
}

/** Maps a card to its `omise.cards` row (without `account`): never more than these fields. Pure. */
export function toCardRow(
  card: Card,
  customer: Pick<Customer, 'id' | 'livemode'>,
  context: ProjectionContext,
  policy: PiiPolicy,
): Omit<NewCard, 'account'> {
  const kept: Record<string, unknown> = {};
  for (const key of STORED_CARD_FIELDS) if (card[key] !== undefined) kept[key] = card[key];
  return {
    ...directoryColumns(card, context, customer.livemode ?? false),
    customer_id: cardCustomerId(card.location) ?? customer.id,
    brand: text(card.brand),
    last_digits: text(card.last_digits),
    name: personal(card.name, policy),
    country: text(card.country),
    bank: text(card.bank),
    financing: text(card.financing),
    raw: rawOf(kept, ['name'], policy),
  };
}

/** The cards embedded in a customer when the embedded list is complete. */
export function embeddedCards(customer: Customer): Card[] | undefined {
  const list = customer.cards;
  if (list === undefined) return undefined;
  return list.data.length >= list.total ? list.data : undefined;
}

const CUSTOMERS = guardedRecordsetUpsert<NewCustomer>('omise.customers', [
  ...DIRECTORY_COLUMNS,
  ['email', 'text'],
  ['description', 'text'],
  ['default_card_id', 'text'],
  ['metadata', 'jsonb'],
]);

const CARDS = guardedRecordsetUpsert<NewCard>('omise.cards', [
  ...DIRECTORY_COLUMNS,
  ['customer_id', 'text'],
  ['brand', 'text'],
  ['last_digits', 'text'],
  ['name', 'text'],
  ['country', 'text'],
  ['bank', 'text'],
  ['financing', 'text'],
]);

/**
 * Customers, each with all of its cards; `card.*` events project the card's customer. A card
 * missing from its customer's complete list has been deleted and becomes a tombstone.
 */
export const customerResource: ResourceModule<CustomerObservation> = {
  type: 'customer',
  idPattern: omiseIdPattern('cust'),

  async fetch(omise, customerId) {
    const customer = await omise.customers.retrieve(customerId);
    const cards = embeddedCards(customer) ?? (await collect(omise.customers.cards(customerId)));
    return { customer, cards };
  },

  idOf: (observation) => observation.customer.id,

  findObservedAt: (db, ids) => findStoredObservations(db, 'omise.customers', ids),

  async write(trx, items, deps) {
    const policy = piiPolicy(deps);
    const { account } = deps;
    const written = new Set(
      await CUSTOMERS.upsert(
        trx,
        items.map((item) => ({
          ...toCustomerRow(item.observation.customer, item, policy),
          account,
        })),
      ),
    );
    const cards = await CARDS.upsert(
      trx,
      items.flatMap((item) =>
        item.observation.cards.map((card) => ({
          ...toCardRow(card, item.observation.customer, item, policy),
          account,
        })),
      ),
    );
    const cardOwner = new Map(
      items.flatMap((item) =>
        item.observation.cards.map((c) => [c.id, item.observation.customer.id]),
      ),
    );
    for (const item of items) {
      if (!written.has(item.observation.customer.id)) continue;
      await markCardsDeletedExcept(
        trx,
        account,
        item.observation.customer.id,
        item.observation.cards.map((card) => card.id),
        item.observedAt,
      );
    }
    return items.map(({ observation }): WriteOutcome => ({
      written: written.has(observation.customer.id),
      children: cards.filter((id) => cardOwner.get(id) === observation.customer.id).length,
    }));
  },

  async markDeleted(trx, ids, deletedAt, { account }) {
    const marked = await markDirectoryRowsDeleted(trx, 'omise.customers', account, ids, deletedAt);
    // A deleted customer's cards are gone with it.
    for (const id of marked) await markCardsDeletedExcept(trx, account, id, [], deletedAt);
    return marked;
  },
};
