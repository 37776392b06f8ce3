import { type Json } from '../resource-render';
import { type EventState } from '../resource-types';
import { type EmulatorStore } from './emulator-store';

/**
 * Records that something happened and delivers it to webhooks. Every change emits an event,
 * so this is also where the cached JSON of the charge it concerns goes stale.
 */
export function emitEvent(
  store: EmulatorStore,
  key: string,
  data: Json,
  endpointOverride: string[] | null = null,
): EventState {
  const event: EventState = {
    id: store.newId('evnt'),
    createdAt: store.stamp(),
    key,
    data,
    deliveries: [],
    endpointOverride,
    payload: null,
  };
  store.events.add(event);
  const chargeId = data.object === 'charge' ? data.id : data.charge;
  if (typeof chargeId === 'string') {
    const charge = store.charges.find(chargeId);
    if (charge !== undefined) charge.revision++;
  }
  store.deliver(event);
  return event;
}

/** The events of a charge, its refunds and its dispute, oldest first. */
export function chargeEvents(store: EmulatorStore, chargeId: string): EventState[] {
  store.charges.get(chargeId); // an unknown charge is a 404, not an empty list
  return store.events.items.filter(
    (e) =>
      (e.data as { id?: unknown }).id === chargeId ||
      (e.data as { charge?: unknown }).charge === chargeId,
  );
}

/** Restores an event from a snapshot without delivering it again. */
export function restoreEvent(store: EmulatorStore, event: EventState): void {
  store.events.add(event);
  store.noteCreatedAt(event.createdAt);
}
