import {
  type ListParams,
  type OmiseList,
  type OmiseListIterable,
  MAX_PAGE_SIZE,
} from '@omise-sync/omise-client';
import {
  type ChargeObservation,
  type DisputeObservation,
  type ProjectionRequest,
  type TransferObservation,
  collect,
  embeddedDocuments,
  embeddedRefunds,
} from '@omise-sync/projection';
import { type BackfillDeps } from './backfill.types';

/** Items per list page. */
export const PAGE_SIZE = MAX_PAGE_SIZE;

/** Per resource: how to list a window and how to write a batch of it. */
export interface ResourceWalker<T> {
  list(from: string, to: string | undefined): { page(offset: number): Promise<OmiseList<T>> };
  /** Completes what a page lacks (refund or document lists truncated in the page). */
  complete(items: T[]): Promise<T[]>;
  /** The projection requests of a batch (origin `backfill`). */
  requests(items: T[], observedAt: Date): ProjectionRequest[];
}

/**
 * One chronological window of a list endpoint, addressable by offset (the `to` bound is fixed,
 * so pages stay stable while items are added), each item wrapped for its walker.
 */
function windowPages<R, T>(
  list: (params: ListParams) => OmiseListIterable<R>,
  wrap: (item: R) => T,
): ResourceWalker<T>['list'] {
  return (from, to) => {
    const iterable = list({
      from,
      ...(to === undefined ? {} : { to }),
      limit: PAGE_SIZE,
      order: 'chronological',
    });
    return {
      page: async (offset) => {
        const page = await iterable.page(offset);
        return { ...page, data: page.data.map(wrap) };
      },
    };
  };
}

export function chargeWalker(deps: BackfillDeps): ResourceWalker<ChargeObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.charges.list(params),
      (charge) => ({ charge, refunds: [] }),
    ),
    complete: (items) =>
      Promise.all(
        items.map(async ({ charge }): Promise<ChargeObservation> => {
          // The page embeds the first refunds of each charge; only a charge with more pages
          // of refunds costs another call.
          const refunds =
            embeddedRefunds(charge) ?? (await collect(deps.omise.refunds.list(charge.id)));
          return { charge, refunds };
        }),
      ),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'charge',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}

export function disputeWalker(deps: BackfillDeps): ResourceWalker<DisputeObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.disputes.list(params),
      (dispute): DisputeObservation => ({ dispute, documents: [] }),
    ),
    complete: (items) =>
      Promise.all(
        items.map(async ({ dispute }) => ({
          dispute,
          documents:
            embeddedDocuments(dispute) ?? (await collect(deps.omise.documents.list(dispute.id))),
        })),
      ),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'dispute',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}

export function transferWalker(deps: BackfillDeps): ResourceWalker<TransferObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.transfers.list(params),
      (transfer): TransferObservation => ({ id: transfer.id, transfer }),
    ),
    complete: (items) => Promise.resolve(items),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'transfer',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}
