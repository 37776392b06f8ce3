import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import type { Metadata } from '../schemas/common.schema';
import { DeletedObject } from '../schemas/common.schema';
import { OmiseList } from '../schemas/list.schema';
import { Transfer } from '../schemas/transfer.schema';
import { type ExtraParams, requestList } from './resource-request';

/** `POST /transfers`. */
export interface CreateTransferParams extends ExtraParams {
  amount: number;
  recipient?: string;
  metadata?: Metadata;
}

export interface TransfersResource {
  create(params: CreateTransferParams): Promise<Transfer>;
  list(params?: ListParams): OmiseListIterable<Transfer>;
  retrieve(transferId: string): Promise<Transfer>;
  destroy(transferId: string): Promise<DeletedObject>;
}

const TransferList = OmiseList(Transfer);

export function createTransfersResource(request: Requester): TransfersResource {
  return {
    create: (params) =>
      request({
        method: 'POST',
        path: '/transfers',
        pathParams: {},
        body: { type: 'json', value: params },
        kind: 'action',
        schema: Transfer,
      }),
    list: (params) => requestList(request, '/transfers', {}, TransferList, params),
    retrieve: (transferId) =>
      request({
        method: 'GET',
        path: '/transfers/:id',
        pathParams: { id: transferId },
        kind: 'read',
        schema: Transfer,
      }),
    destroy: (transferId) =>
      request({
        method: 'DELETE',
        path: '/transfers/:id',
        pathParams: { id: transferId },
        kind: 'action',
        schema: DeletedObject,
      }),
  };
}
