import { type CreateLinkParams } from '../request-params';
import { renderLink } from '../resource-render';
import { type LinkState } from '../resource-types';
import { type EmulatorStore } from './emulator-store';
import { emitEvent } from './events.state';

export function createLink(store: EmulatorStore, params: CreateLinkParams): LinkState {
  const link: LinkState = {
    id: store.newId('link'),
    createdAt: store.stamp(),
    amount: params.amount,
    currency: params.currency,
    title: params.title,
    description: params.description,
    multiple: params.multiple ?? false,
    used: false,
  };
  store.links.add(link);
  emitEvent(store, 'link.create', renderLink(link, store.now()));
  return link;
}

/** Deletes a link; Omise sends no event for it, later reads answer 404. */
export function destroyLink(store: EmulatorStore, id: string): LinkState {
  const link = store.links.get(id);
  store.links.delete(link);
  return link;
}
