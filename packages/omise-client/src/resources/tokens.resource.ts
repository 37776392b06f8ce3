import type { Requester } from '../omise-request';
import { Token } from '../schemas/token.schema';
import type { ExtraParams } from './resource-request';

/** Card details for `POST {vault}/tokens` (test cards in test mode only). */
export interface CreateTokenParams extends ExtraParams {
  name: string;
  number: string;
  expiration_month: number;
  expiration_year: number;
  security_code?: string;
  city?: string;
  postal_code?: string;
  country?: string;
}

export interface TokensResource {
  /** Creates a card token on the vault with the public key. */
  create(card: CreateTokenParams): Promise<Token>;
}

export function createTokensResource(request: Requester): TokensResource {
  return {
    create: (card) =>
      request({
        method: 'POST',
        path: '/tokens',
        host: 'vault',
        credential: 'public',
        body: { type: 'json', value: { card } },
        kind: 'action',
        schema: Token,
      }),
  };
}
