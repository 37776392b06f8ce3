import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import { OmiseList } from '../schemas/list.schema';
import { Transaction } from '../schemas/transaction.schema';
import { requestList } from './resource-request';

export interface TransactionsResource {
  list(params?: ListParams): OmiseListIterable<Transaction>;
  retrieve(transactionId: string): Promise<Transaction>;
}

const TransactionList = OmiseList(Transaction);

export function createTransactionsResource(request: Requester): TransactionsResource {
  return {
    list: (params) => requestList(request, '/transactions', {}, TransactionList, params),
    retrieve: (transactionId) =>
      request({
        method: 'GET',
        path: '/transactions/:id',
        pathParams: { id: transactionId },
        kind: 'read',
        schema: Transaction,
      }),
  };
}
