import type { Requester } from '../omise-request';
import { Balance } from '../schemas/balance.schema';

export interface BalanceResource {
  retrieve(): Promise<Balance>;
}

export function createBalanceResource(request: Requester): BalanceResource {
  return {
    retrieve: () =>
      request({ method: 'GET', path: '/balance', pathParams: {}, kind: 'read', schema: Balance }),
  };
}
