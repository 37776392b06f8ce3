import { type PiiPolicy, omiseIdPattern } from '@omise-sync/core';
import {
  type NewRecipient,
  findStoredObservations,
  guardedRecordsetUpsert,
  markDirectoryRowsDeleted,
} from '@omise-sync/db';
import type { Recipient } from '@omise-sync/omise-client';
import type { ProjectionContext } from '../projection-context';
import type { ResourceModule } from '../resource-module';
import {
  DIRECTORY_COLUMNS,
  directoryColumns,
  personal,
  piiPolicy,
  rawOf,
  storable,
  text,
} from './directory-rows';

/** A recipient as fetched. */
export interface RecipientObservation {
  recipient: Recipient;
}

/** Maps a recipient to its `omise.recipients` row (without `account`). Pure. */
export function toRecipientRow(
  recipient: Recipient,
  context: ProjectionContext,
  policy: PiiPolicy,
): Omit<NewRecipient, 'account'> {
  const bank = recipient.bank_account ?? null;
  return {
    ...directoryColumns(recipient, context),
    name: personal(recipient.name, policy),
    email: personal(recipient.email, policy),
    description: personal(recipient.description, policy),
    type: text(recipient.type),
    verified: recipient.verified ?? false,
    active: recipient.active ?? false,
    is_default: recipient.default ?? false,
    failure_code: text(recipient.failure_code),
    bank_brand: text(bank?.brand),
    bank_last_digits: text(bank?.last_digits),
    metadata: storable(recipient.metadata ?? {}),
    // The tax id and the account holder's name are personal too; only what is typed stays.
    raw: rawOf(recipient, ['name', 'email', 'description'], policy, {
      tax_id: undefined,
      bank_account:
        bank === null ? null : { brand: bank.brand ?? null, last_digits: bank.last_digits ?? null },
    }),
  };
}

const RECIPIENTS = guardedRecordsetUpsert<NewRecipient>('omise.recipients', [
  ...DIRECTORY_COLUMNS,
  ['name', 'text'],
  ['email', 'text'],
  ['description', 'text'],
  ['type', 'text'],
  ['verified', 'boolean'],
  ['active', 'boolean'],
  ['is_default', 'boolean'],
  ['failure_code', 'text'],
  ['bank_brand', 'text'],
  ['bank_last_digits', 'text'],
  ['metadata', 'jsonb'],
]);

/** Transfer recipients. */
export const recipientResource: ResourceModule<RecipientObservation> = {
  type: 'recipient',
  idPattern: omiseIdPattern('recp'),
  fetch: async (omise, id) => ({ recipient: await omise.recipients.retrieve(id) }),
  idOf: (observation) => observation.recipient.id,
  findObservedAt: (db, ids) => findStoredObservations(db, 'omise.recipients', ids),
  async write(trx, items, deps) {
    const policy = piiPolicy(deps);
    const written = new Set(
      await RECIPIENTS.upsert(
        trx,
        items.map((item) => ({
          ...toRecipientRow(item.observation.recipient, item, policy),
          account: deps.account,
        })),
      ),
    );
    return items.map(({ observation }) => ({
      written: written.has(observation.recipient.id),
      children: 0,
    }));
  },
  markDeleted: (trx, ids, deletedAt, { account }) =>
    markDirectoryRowsDeleted(trx, 'omise.recipients', account, ids, deletedAt),
};
