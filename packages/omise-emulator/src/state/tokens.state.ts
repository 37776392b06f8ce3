import { createHash } from 'node:crypto';
import { OmiseApiError } from '../omise-api-error';
import { type CreateTokenParams } from '../request-params';
import { type CardState, type TokenState } from '../resource-types';
import { FAILING_TEST_CARDS, cardBrand, isLuhnValid } from '../test-cards';
import { type EmulatorStore } from './emulator-store';

const invalidCard = (message: string): OmiseApiError =>
  new OmiseApiError(400, 'invalid_card', message);

export function createToken(store: EmulatorStore, params: CreateTokenParams): TokenState {
  const { card } = params;
  const digits = card.number.replace(/[\s-]/g, '');
  const brand = cardBrand(digits);
  if (!/^\d{12,19}$/.test(digits) || !isLuhnValid(digits) || brand === undefined) {
    throw invalidCard(`number is invalid and brand not supported (${brand ?? 'unknown'})`);
  }
  const month = card.expiration_month;
  const year = card.expiration_year < 100 ? 2000 + card.expiration_year : card.expiration_year;
  if (month < 1 || month > 12) throw invalidCard('expiration month is not between 1 and 12');
  const now = new Date(store.now());
  if (
    year < now.getUTCFullYear() ||
    (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)
  ) {
    throw invalidCard('expiration date cannot be in the past');
  }
  const createdAt = store.stamp();
  const cardState: CardState = {
    id: store.newId('card'),
    createdAt,
    brand,
    lastDigits: digits.slice(-4),
    name: card.name,
    expirationMonth: month,
    expirationYear: year,
    // A stable per-number fingerprint, like Omise's; the number itself is not kept.
    fingerprint: createHash('sha256').update(`omise-emulator:${digits}`).digest('base64'),
    city: card.city ?? null,
    postalCode: card.postal_code ?? null,
    country: card.country ?? 'th',
    bank: 'Bank of the Unbanked',
    financing: 'credit',
    securityCodeCheck: card.security_code !== undefined && card.security_code !== '',
    customerId: null,
    failureCode: FAILING_TEST_CARDS[digits] ?? null,
  };
  const token: TokenState = { id: store.newId('tokn'), createdAt, used: false, card: cardState };
  store.tokens.add(token);
  return token;
}

/** A token pays once: a charge or a customer's saved card consumes it. */
export function useToken(store: EmulatorStore, tokenId: string): TokenState {
  const token = store.tokens.get(tokenId);
  if (token.used) throw new OmiseApiError(400, 'used_token', 'token was already used');
  token.used = true;
  return token;
}
