import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import type { Metadata } from '../schemas/common.schema';
import { Dispute } from '../schemas/dispute.schema';
import { OmiseList } from '../schemas/list.schema';
import type { DisputeListStatus } from '../schemas/statuses';
import { type ExtraParams, requestList } from './resource-request';

/** `PATCH /disputes/{id}`. */
export interface UpdateDisputeParams extends ExtraParams {
  message?: string;
  metadata?: Metadata;
}

/** `GET /disputes[/{status}]`. */
export interface ListDisputesParams extends ListParams {
  /** Only disputes with this status; `closed` means won or lost. @defaultValue all */
  status?: DisputeListStatus;
}

export interface DisputesResource {
  list(params?: ListDisputesParams): OmiseListIterable<Dispute>;
  retrieve(disputeId: string): Promise<Dispute>;
  update(disputeId: string, params: UpdateDisputeParams): Promise<Dispute>;
  accept(disputeId: string): Promise<Dispute>;
  /** Test mode only. */
  close(disputeId: string, status: 'won' | 'lost'): Promise<Dispute>;
  /** Opens a dispute on a charge; test mode only. */
  create(chargeId: string, params?: ExtraParams): Promise<Dispute>;
}

const DisputeList = OmiseList(Dispute);

export function createDisputesResource(request: Requester): DisputesResource {
  return {
    list: (params) => {
      const { status, ...page } = params ?? {};
      return status === undefined
        ? requestList(request, '/disputes', {}, DisputeList, page)
        : requestList(request, '/disputes/:status', { status }, DisputeList, page);
    },
    retrieve: (disputeId) =>
      request({
        method: 'GET',
        path: '/disputes/:id',
        pathParams: { id: disputeId },
        kind: 'read',
        schema: Dispute,
      }),
    update: (disputeId, params) =>
      request({
        method: 'PATCH',
        path: '/disputes/:id',
        pathParams: { id: disputeId },
        body: { type: 'json', value: params },
        kind: 'idempotent',
        schema: Dispute,
      }),
    accept: (disputeId) =>
      request({
        method: 'PATCH',
        path: '/disputes/:id/accept',
        pathParams: { id: disputeId },
        kind: 'action',
        schema: Dispute,
      }),
    close: (disputeId, status) =>
      request({
        method: 'PATCH',
        path: '/disputes/:id/close',
        pathParams: { id: disputeId },
        body: { type: 'json', value: { status } },
        kind: 'action',
        schema: Dispute,
      }),
    create: (chargeId, params) =>
      request({
        method: 'POST',
        path: '/charges/:id/disputes',
        pathParams: { id: chargeId },
        ...(params === undefined ? {} : { body: { type: 'json', value: params } }),
        kind: 'action',
        schema: Dispute,
      }),
  };
}
