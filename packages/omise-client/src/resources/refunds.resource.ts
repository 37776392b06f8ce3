import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import type { Metadata } from '../schemas/common.schema';
import { OmiseList } from '../schemas/list.schema';
import { Refund } from '../schemas/refund.schema';
import { type ExtraParams, requestList } from './resource-request';

/** `POST /charges/{id}/refunds`. */
export interface CreateRefundParams extends ExtraParams {
  amount: number;
  metadata?: Metadata;
  void?: boolean;
}

export interface RefundsResource {
  create(chargeId: string, params: CreateRefundParams): Promise<Refund>;
  list(chargeId: string, params?: ListParams): OmiseListIterable<Refund>;
  retrieve(chargeId: string, refundId: string): Promise<Refund>;
}

const RefundList = OmiseList(Refund);

export function createRefundsResource(request: Requester): RefundsResource {
  return {
    create: (chargeId, params) =>
      request({
        method: 'POST',
        path: '/charges/:id/refunds',
        pathParams: { id: chargeId },
        body: { type: 'json', value: params },
        kind: 'action',
        schema: Refund,
      }),
    list: (chargeId, params) =>
      requestList(request, '/charges/:id/refunds', { id: chargeId }, RefundList, params),
    retrieve: (chargeId, refundId) =>
      request({
        method: 'GET',
        path: '/charges/:id/refunds/:refundId',
        pathParams: { id: chargeId, refundId },
        kind: 'read',
        schema: Refund,
      }),
  };
}
