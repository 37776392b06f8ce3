import { type CreateCustomerParams } from '../request-params';
import { renderCustomer } from '../resource-render';
import { type CustomerState } from '../resource-types';
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
