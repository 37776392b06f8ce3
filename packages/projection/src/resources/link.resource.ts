import { omiseIdPattern } from '@omise-sync/core';
import {
  type NewLink,
  findStoredObservations,
  guardedRecordsetUpsert,
  markDirectoryRowsDeleted,
} from '@omise-sync/db';
import type { Link } from '@omise-sync/omise-client';
import type { ProjectionContext } from '../projection-context';
import type { ResourceModule } from '../resource-module';
import { DIRECTORY_COLUMNS, directoryColumns, storable, text } from './directory-rows';

/** A payment link as fetched. */
export interface LinkObservation {
  link: Link;
}

/** Maps a link to its `omise.links` row (without `account`). Pure. */
export function toLinkRow(link: Link, context: ProjectionContext): Omit<NewLink, 'account'> {
  return {
    ...directoryColumns(link, context),
    amount: link.amount,
    currency: link.currency.toUpperCase(),
    used: link.used ?? false,
    multiple: link.multiple ?? false,
    title: text(link.title),
    description: text(link.description),
    payment_uri: text(link.payment_uri),
    // Its charges are projected as charges; the embedded page would only go stale here.
    raw: storable({ ...link, charges: undefined }),
  };
}

const LINKS = guardedRecordsetUpsert<NewLink>('omise.links', [
  ...DIRECTORY_COLUMNS,
  ['amount', 'bigint'],
  ['currency', 'text'],
  ['used', 'boolean'],
  ['multiple', 'boolean'],
  ['title', 'text'],
  ['description', 'text'],
  ['payment_uri', 'text'],
]);

/** Payment links (`link.create`; later changes are seen by backfill and reconcile). */
export const linkResource: ResourceModule<LinkObservation> = {
  type: 'link',
  idPattern: omiseIdPattern('link'),
  fetch: async (omise, id) => ({ link: await omise.links.retrieve(id) }),
  idOf: (observation) => observation.link.id,
  findObservedAt: (db, ids) => findStoredObservations(db, 'omise.links', ids),
  async write(trx, items, { account }) {
    const written = new Set(
      await LINKS.upsert(
        trx,
        items.map((item) => ({ ...toLinkRow(item.observation.link, item), account })),
      ),
    );
    return items.map(({ observation }) => ({
      written: written.has(observation.link.id),
      children: 0,
    }));
  },
  markDeleted: (trx, ids, deletedAt, { account }) =>
    markDirectoryRowsDeleted(trx, 'omise.links', account, ids, deletedAt),
};
