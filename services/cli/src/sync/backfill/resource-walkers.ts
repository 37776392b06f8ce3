import {
  type ListParams,
  type OmiseList,
  type OmiseListIterable,
  MAX_PAGE_SIZE,
} from '@omise-sync/omise-client';
import {
  type ChargeObservation,
  type CustomerObservation,
  type DisputeObservation,
  type LinkObservation,
  type RecipientObservation,
  type ScheduleObservation,
  type ProjectionRequest,
  type TransferObservation,
  collect,
  embeddedCards,
  embeddedDocuments,
  embeddedOccurrences,
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

export function customerWalker(deps: BackfillDeps): ResourceWalker<CustomerObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.customers.list(params),
      (customer): CustomerObservation => ({ customer, cards: [] }),
    ),
    complete: (items) =>
      Promise.all(
        items.map(async ({ customer }) => ({
          customer,
          cards:
            embeddedCards(customer) ?? (await collect(deps.omise.customers.cards(customer.id))),
        })),
      ),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'customer',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}

export function scheduleWalker(deps: BackfillDeps): ResourceWalker<ScheduleObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.schedules.list(params),
      (schedule): ScheduleObservation => ({ schedule, occurrences: [] }),
    ),
    complete: (items) =>
      Promise.all(
        items.map(async ({ schedule }) => ({
          schedule,
          occurrences:
            embeddedOccurrences(schedule) ??
            (await collect(deps.omise.schedules.occurrences(schedule.id))),
        })),
      ),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'schedule',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}

export function recipientWalker(deps: BackfillDeps): ResourceWalker<RecipientObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.recipients.list(params),
      (recipient): RecipientObservation => ({ recipient }),
    ),
    complete: (items) => Promise.resolve(items),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'recipient',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}

export function linkWalker(deps: BackfillDeps): ResourceWalker<LinkObservation> {
  return {
    list: windowPages(
      (params) => deps.omise.links.list(params),
      (link): LinkObservation => ({ link }),
    ),
    complete: (items) => Promise.resolve(items),
    requests: (items, observedAt) =>
      items.map((observation) => ({
        kind: 'observed',
        type: 'link',
        observation,
        origin: 'backfill',
        observedAt,
      })),
  };
}
