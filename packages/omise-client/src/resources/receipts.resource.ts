import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import { OmiseList } from '../schemas/list.schema';
import { Receipt } from '../schemas/receipt.schema';
import { requestList } from './resource-request';

export interface ReceiptsResource {
  list(params?: ListParams): OmiseListIterable<Receipt>;
}

const ReceiptList = OmiseList(Receipt);

export function createReceiptsResource(request: Requester): ReceiptsResource {
  return {
    list: (params) => requestList(request, '/receipts', {}, ReceiptList, params),
  };
}
