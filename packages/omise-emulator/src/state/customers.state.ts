import {
  type CreateCustomerParams,
  type UpdateCardParams,
  type UpdateCustomerParams,
} from '../request-params';
import { renderCard, renderCustomer, renderDeleted } from '../resource-render';
import { type CardState, type CustomerState } from '../resource-types';
import { notFound } from '../omise-api-error';
import { type EmulatorStore } from './emulator-store';
import { emitEvent } from './events.state';
import { useToken } from './tokens.state';

export function createCustomer(store: EmulatorStore, params: CreateCustomerParams): CustomerState {
  const customer: CustomerState = {
    id: store.newId('cust'),
    createdAt: store.stamp(),
    email: params.email ?? null,
    description: params.description ?? null,
    metadata: params.metadata ?? {},
    cards: [],
    defaultCardId: null,
  };
  if (params.card !== undefined) {
    const token = useToken(store, params.card);
    const card = { ...token.card, customerId: customer.id };
    customer.cards.push(card);
    customer.defaultCardId = card.id;
  }
  store.customers.add(customer);
  emitEvent(store, 'customer.create', renderCustomer(customer, store.now()));
  return customer;
}

/** Changes a customer; a `card` token adds its card (`customer.update.card`). */
export function updateCustomer(
  store: EmulatorStore,
  id: string,
  params: UpdateCustomerParams,
): CustomerState {
  const customer = store.customers.get(id);
  if (params.email !== undefined) customer.email = params.email;
  if (params.description !== undefined) customer.description = params.description;
  if (params.metadata !== undefined) customer.metadata = params.metadata;
  if (params.card !== undefined) {
    const card = { ...useToken(store, params.card).card, customerId: customer.id };
    customer.cards.push(card);
    customer.defaultCardId ??= card.id;
    emitEvent(store, 'customer.update.card', renderCustomer(customer, store.now()));
  } else {
    emitEvent(store, 'customer.update', renderCustomer(customer, store.now()));
  }
  return customer;
}

/** Deletes a customer with its cards; later reads answer 404. */
export function destroyCustomer(store: EmulatorStore, id: string): CustomerState {
  const customer = store.customers.get(id);
  store.customers.delete(customer);
  emitEvent(store, 'customer.destroy', renderDeleted('customer', id));
  return customer;
}

export function getCard(store: EmulatorStore, customerId: string, cardId: string): CardState {
  const card = store.customers.get(customerId).cards.find((c) => c.id === cardId);
  if (card === undefined) throw notFound('card', cardId);
  return card;
}

/** Changes a saved card's holder name or address (`card.update`). */
export function updateCard(
  store: EmulatorStore,
  customerId: string,
  cardId: string,
  params: UpdateCardParams,
): CardState {
  const card = getCard(store, customerId, cardId);
  if (params.name !== undefined) card.name = params.name;
  if (params.city !== undefined) card.city = params.city;
  if (params.postal_code !== undefined) card.postalCode = params.postal_code;
  emitEvent(store, 'card.update', renderCard(card));
  return card;
}

/**
 * Deletes a saved card: `card.destroy` carries only the deleted stub, then
 * `customer.update.card` the customer without it, as Omise does.
 */
export function destroyCard(store: EmulatorStore, customerId: string, cardId: string): CardState {
  const customer = store.customers.get(customerId);
  const card = getCard(store, customerId, cardId);
  customer.cards = customer.cards.filter((c) => c.id !== cardId);
  if (customer.defaultCardId === cardId) customer.defaultCardId = customer.cards[0]?.id ?? null;
  emitEvent(store, 'card.destroy', renderDeleted('card', cardId));
  emitEvent(store, 'customer.update.card', renderCustomer(customer, store.now()));
  return card;
}
