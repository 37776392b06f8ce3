import { type CreateRecipientParams, type UpdateRecipientParams } from '../request-params';
import { renderDeleted, renderRecipient } from '../resource-render';
import { type RecipientState } from '../resource-types';
import { type EmulatorStore } from './emulator-store';
import { emitEvent } from './events.state';

export function createRecipient(
  store: EmulatorStore,
  params: CreateRecipientParams,
): RecipientState {
  const recipient: RecipientState = {
    id: store.newId('recp'),
    createdAt: store.stamp(),
    name: params.name,
    email: params.email ?? null,
    description: params.description ?? null,
    type: params.type,
    taxId: params.tax_id ?? null,
    metadata: params.metadata ?? {},
    bankBrand: params.bank_account.brand,
    bankLastDigits: params.bank_account.number.slice(-4),
    bankAccountName: params.bank_account.name,
    verified: false,
    active: false,
  };
  store.recipients.add(recipient);
  emitEvent(store, 'recipient.create', renderRecipient(recipient));
  return recipient;
}

export function updateRecipient(
  store: EmulatorStore,
  id: string,
  params: UpdateRecipientParams,
): RecipientState {
  const recipient = store.recipients.get(id);
  if (params.name !== undefined) recipient.name = params.name;
  if (params.email !== undefined) recipient.email = params.email;
  if (params.description !== undefined) recipient.description = params.description;
  if (params.metadata !== undefined) recipient.metadata = params.metadata;
  emitEvent(store, 'recipient.update', renderRecipient(recipient));
  return recipient;
}

/** Test mode: verifies and activates a recipient (`recipient.verify`, `recipient.activate`). */
export function verifyRecipient(store: EmulatorStore, id: string): RecipientState {
  const recipient = store.recipients.get(id);
  recipient.verified = true;
  emitEvent(store, 'recipient.verify', renderRecipient(recipient));
  recipient.active = true;
  emitEvent(store, 'recipient.activate', renderRecipient(recipient));
  return recipient;
}

export function destroyRecipient(store: EmulatorStore, id: string): RecipientState {
  const recipient = store.recipients.get(id);
  store.recipients.delete(recipient);
  emitEvent(store, 'recipient.destroy', renderDeleted('recipient', id));
  return recipient;
}
