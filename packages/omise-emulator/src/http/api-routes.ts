import { type IncomingMessage } from 'node:http';
import { type UncheckedActions } from '../emulator-actions';
import { parseListQuery, pageList } from '../list-page';
import { OmiseApiError } from '../omise-api-error';
import {
  type Json,
  renderCard,
  renderCustomer,
  renderDispute,
  renderLink,
  renderOccurrence,
  renderRecipient,
  renderSchedule,
  renderDocument,
  renderEventForApi,
  renderCharge,
  renderRefund,
  renderToken,
  renderBalance,
  renderReceipt,
  renderTransaction,
  renderTransfer,
} from '../resource-render';
import { DISPUTE_LIST_FILTERS, type DisputeListFilter } from '../state/disputes.state';
import { getDocument } from '../state/documents.state';
import { type EmulatorStore } from '../state/emulator-store';
import { chargeEvents } from '../state/events.state';
import { balanceOf, issueReceipts } from '../state/ledger.state';
import { getRefund } from '../state/refunds.state';
import { getCard } from '../state/customers.state';
import { type KeyKind } from './api-key-auth';
import { receiveDocumentUpload } from './document-upload';
import { type HttpMethod, type Route, type RouteParams, defineRoute } from './route-table';

/** What an API route's handler gets besides its path parameters. */
export interface ApiCall {
  readonly store: EmulatorStore;
  readonly actions: UncheckedActions;
  readonly query: URLSearchParams;
  readonly raw: IncomingMessage;
  /** The form or JSON body merged over the query parameters; read on first call. */
  readonly body: () => Promise<Record<string, unknown>>;
}

/** A non-JSON answer (document downloads). */
export class BinaryBody {
  constructor(
    readonly contentType: string,
    readonly content: Buffer,
  ) {}
}

/** An object to send as JSON, a body already serialized, or bytes. */
export type ApiReply = Json | string | BinaryBody;

export interface ApiRoute extends Route<ApiCall, ApiReply> {
  /** The key the route's resource is authenticated with. */
  readonly key: KeyKind;
}

export const notRoutable = (): OmiseApiError =>
  new OmiseApiError(404, 'not_found', 'the requested resource was not found');

function route<P extends string>(
  method: HttpMethod,
  pattern: P,
  key: KeyKind,
  handler: (call: ApiCall, params: RouteParams<P>) => ApiReply | Promise<ApiReply>,
): ApiRoute {
  return { ...defineRoute(method, pattern, handler), key };
}

/** One page of `items` (kept in creation order) for the request's list parameters. */
function page<T extends { createdAt: number }>(
  call: ApiCall,
  items: readonly T[],
  location: string,
  render: (item: T) => Json,
): Json {
  return pageList(items, parseListQuery(call.query, call.store.now()), location, render);
}

const startOfUtcDay = (ms: number): number => Math.floor(ms / 86_400_000) * 86_400_000;

function disputesPage(call: ApiCall, filter: DisputeListFilter): Json {
  const statuses: readonly string[] = DISPUTE_LIST_FILTERS[filter];
  const items = call.store.disputes.items.filter((d) => statuses.includes(d.status));
  return page(call, items, `/disputes/${filter}`, (d) => renderDispute(d, call.store));
}

/**
 * Omise's API and vault paths. The first matching row answers; literal paths come before
 * the `:id` patterns they would also match.
 */
export const API_ROUTES: readonly ApiRoute[] = [
  route('POST', '/tokens', 'public', async ({ actions, body }) =>
    actions.createToken(await body()),
  ),
  route('GET', '/tokens/:id', 'public', ({ store }, { id }) => renderToken(store.tokens.get(id))),

  route('POST', '/customers', 'secret', async ({ actions, body }) =>
    actions.createCustomer(await body()),
  ),
  route('GET', '/customers', 'secret', (call) =>
    page(call, call.store.customers.items, '/customers', (c) =>
      renderCustomer(c, call.store.now()),
    ),
  ),
  route('GET', '/customers/:id', 'secret', ({ store }, { id }) =>
    renderCustomer(store.customers.get(id), store.now()),
  ),
  route('PATCH', '/customers/:id', 'secret', async ({ actions, body }, { id }) =>
    actions.updateCustomer(id, await body()),
  ),
  route('DELETE', '/customers/:id', 'secret', ({ actions }, { id }) => actions.destroyCustomer(id)),
  route('GET', '/customers/:id/cards', 'secret', (call, { id }) =>
    page(call, call.store.customers.get(id).cards, `/customers/${id}/cards`, renderCard),
  ),
  route('GET', '/customers/:id/cards/:cardId', 'secret', ({ store }, { id, cardId }) =>
    renderCard(getCard(store, id, cardId)),
  ),
  route('PATCH', '/customers/:id/cards/:cardId', 'secret', async ({ actions, body }, params) =>
    actions.updateCard(params.id, params.cardId, await body()),
  ),
  route('DELETE', '/customers/:id/cards/:cardId', 'secret', ({ actions }, params) =>
    actions.destroyCard(params.id, params.cardId),
  ),

  route('GET', '/charges', 'secret', (call) =>
    page(call, call.store.charges.items, '/charges', (c) => renderCharge(c, call.store)),
  ),
  route('POST', '/charges', 'secret', async ({ actions, body }) =>
    actions.createCharge(await body()),
  ),
  route('GET', '/charges/:id', 'secret', ({ store }, { id }) =>
    store.chargeJson.text(store.charges.get(id), store),
  ),
  route('PATCH', '/charges/:id', 'secret', async ({ actions, body }, { id }) =>
    actions.updateCharge(id, await body()),
  ),
  route('POST', '/charges/:id/capture', 'secret', async ({ actions, body }, { id }) =>
    actions.captureCharge(id, await body()),
  ),
  route('POST', '/charges/:id/reverse', 'secret', ({ actions }, { id }) =>
    actions.reverseCharge(id),
  ),
  route('POST', '/charges/:id/expire', 'secret', ({ actions }, { id }) => actions.expireCharge(id)),
  route('POST', '/charges/:id/mark_as_paid', 'secret', ({ actions }, { id }) =>
    actions.markChargeAsPaid(id),
  ),
  route('POST', '/charges/:id/mark_as_failed', 'secret', ({ actions }, { id }) =>
    actions.markChargeAsFailed(id),
  ),
  route('GET', '/charges/:id/refunds', 'secret', (call, { id }) =>
    page(call, call.store.charges.get(id).refunds, `/charges/${id}/refunds`, renderRefund),
  ),
  route('POST', '/charges/:id/refunds', 'secret', async ({ actions, body }, { id }) =>
    actions.createRefund(id, await body()),
  ),
  route('GET', '/charges/:id/refunds/:refundId', 'secret', ({ store }, { id, refundId }) => {
    store.charges.get(id); // an unknown charge is reported as such, before its refund
    return renderRefund(getRefund(store, id, refundId));
  }),
  route('GET', '/charges/:id/events', 'secret', (call, { id }) =>
    page(call, chargeEvents(call.store, id), `/charges/${id}/events`, renderEventForApi),
  ),
  route('POST', '/charges/:id/disputes', 'secret', async ({ actions, body }, { id }) =>
    actions.createDispute(id, await body()),
  ),

  route('GET', '/refunds', 'secret', (call) =>
    page(call, call.store.refunds.items, '/refunds', renderRefund),
  ),

  route('GET', '/disputes', 'secret', (call) =>
    page(call, call.store.disputes.items, '/disputes', (d) => renderDispute(d, call.store)),
  ),
  route('GET', '/disputes/open', 'secret', (call) => disputesPage(call, 'open')),
  route('GET', '/disputes/pending', 'secret', (call) => disputesPage(call, 'pending')),
  route('GET', '/disputes/closed', 'secret', (call) => disputesPage(call, 'closed')),
  route('GET', '/disputes/:id', 'secret', ({ store }, { id }) =>
    renderDispute(store.disputes.get(id), store),
  ),
  route('PATCH', '/disputes/:id', 'secret', async ({ actions, body }, { id }) =>
    actions.updateDispute(id, await body()),
  ),
  route('PATCH', '/disputes/:id/accept', 'secret', ({ actions }, { id }) =>
    actions.acceptDispute(id),
  ),
  route('PATCH', '/disputes/:id/close', 'secret', async ({ actions, body }, { id }) =>
    actions.closeDispute(id, await body()),
  ),
  route('GET', '/disputes/:id/documents', 'secret', (call, { id }) =>
    page(call, call.store.disputes.get(id).documents, `/disputes/${id}/documents`, (d) =>
      renderDocument(d, call.store),
    ),
  ),
  route('POST', '/disputes/:id/documents', 'secret', async ({ store, raw }, { id }) =>
    renderDocument(await receiveDocumentUpload(store, raw, id), store),
  ),
  route('GET', '/disputes/:id/documents/:documentId', 'secret', ({ store }, params) =>
    renderDocument(getDocument(store, params.id, params.documentId), store),
  ),
  route('DELETE', '/disputes/:id/documents/:documentId', 'secret', ({ actions }, params) =>
    actions.deleteDocument(params.id, params.documentId),
  ),
  route(
    'GET',
    '/disputes/:id/documents/:documentId/downloads/:key',
    'secret',
    ({ store }, params) => {
      const doc = getDocument(store, params.id, params.documentId);
      if (params.key !== doc.downloadKey) throw notRoutable();
      return new BinaryBody(doc.contentType, doc.content);
    },
  ),

  route('GET', '/transactions', 'secret', (call) =>
    page(call, call.store.transactions.items, '/transactions', renderTransaction),
  ),
  route('GET', '/transactions/:id', 'secret', ({ store }, { id }) =>
    renderTransaction(store.transactions.get(id)),
  ),

  route('GET', '/transfers', 'secret', (call) =>
    page(call, call.store.transfers.items, '/transfers', renderTransfer),
  ),
  route('POST', '/transfers', 'secret', async ({ actions, body }) =>
    actions.createTransfer(await body()),
  ),
  route('GET', '/transfers/:id', 'secret', ({ store }, { id }) =>
    renderTransfer(store.transfers.get(id)),
  ),
  route('PATCH', '/transfers/:id', 'secret', async ({ actions, body }, { id }) =>
    actions.updateTransfer(id, await body()),
  ),
  route('DELETE', '/transfers/:id', 'secret', ({ actions }, { id }) => actions.destroyTransfer(id)),
  route('POST', '/transfers/:id/mark_as_sent', 'secret', ({ actions }, { id }) =>
    actions.markTransferAsSent(id),
  ),
  route('POST', '/transfers/:id/mark_as_paid', 'secret', ({ actions }, { id }) =>
    actions.markTransferAsPaid(id),
  ),

  route('GET', '/balance', 'secret', ({ store }) => renderBalance(balanceOf(store))),

  // Receipts of days that have ended are issued when first asked for, as Omise issues them daily.
  route('GET', '/receipts', 'secret', (call) => {
    issueReceipts(call.store, startOfUtcDay(call.store.now()) - 1);
    return page(call, call.store.receipts.items, '/receipts', renderReceipt);
  }),
  route('GET', '/receipts/:id', 'secret', ({ store }, { id }) =>
    renderReceipt(store.receipts.get(id)),
  ),
  route('GET', '/recipients', 'secret', (call) =>
    page(call, call.store.recipients.items, '/recipients', renderRecipient),
  ),
  route('POST', '/recipients', 'secret', async ({ actions, body }) =>
    actions.createRecipient(await body()),
  ),
  route('GET', '/recipients/:id', 'secret', ({ store }, { id }) =>
    renderRecipient(store.recipients.get(id)),
  ),
  route('PATCH', '/recipients/:id', 'secret', async ({ actions, body }, { id }) =>
    actions.updateRecipient(id, await body()),
  ),
  route('PATCH', '/recipients/:id/verify', 'secret', ({ actions }, { id }) =>
    actions.verifyRecipient(id),
  ),
  route('DELETE', '/recipients/:id', 'secret', ({ actions }, { id }) =>
    actions.destroyRecipient(id),
  ),

  route('GET', '/schedules', 'secret', (call) =>
    page(call, call.store.schedules.items, '/schedules', (s) =>
      renderSchedule(s, call.store.now()),
    ),
  ),
  route('POST', '/schedules', 'secret', async ({ actions, body }) =>
    actions.createSchedule(await body()),
  ),
  route('GET', '/schedules/:id', 'secret', ({ store }, { id }) =>
    renderSchedule(store.schedules.get(id), store.now()),
  ),
  route('DELETE', '/schedules/:id', 'secret', ({ actions }, { id }) => actions.destroySchedule(id)),
  route('GET', '/schedules/:id/occurrences', 'secret', (call, { id }) =>
    page(
      call,
      call.store.schedules.get(id).occurrences,
      `/schedules/${id}/occurrences`,
      renderOccurrence,
    ),
  ),

  route('GET', '/links', 'secret', (call) =>
    page(call, call.store.links.items, '/links', (l) => renderLink(l, call.store.now())),
  ),
  route('POST', '/links', 'secret', async ({ actions, body }) => actions.createLink(await body())),
  route('GET', '/links/:id', 'secret', ({ store }, { id }) =>
    renderLink(store.links.get(id), store.now()),
  ),
  route('DELETE', '/links/:id', 'secret', ({ actions }, { id }) => actions.destroyLink(id)),

  route('GET', '/events', 'secret', (call) =>
    page(call, call.store.events.items, '/events', renderEventForApi),
  ),
  route('GET', '/events/:id', 'secret', ({ store }, { id }) =>
    renderEventForApi(store.events.get(id)),
  ),
];

/**
 * The key each resource (a path's first segment) is authenticated with. It is checked before
 * routing, so a wrong method or sub-path on a known resource still needs the key.
 */
export const RESOURCE_KEYS: ReadonlyMap<string, KeyKind> = new Map(
  API_ROUTES.map((r) => [r.segments[0] ?? '', r.key]),
);
