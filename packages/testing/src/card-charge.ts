import type { EmulatorActions } from '@omise-sync/omise-emulator';

type ChargeParams = Omit<Parameters<EmulatorActions['createCharge']>[0], 'card'>;

/** Omise's Visa test card: any charge on it succeeds (a failing card is named by its number). */
const VISA_TEST_CARD = {
  name: 'Somchai Prasert',
  number: '4242424242424242',
  expiration_month: 12,
  expiration_year: 2040,
};

/** Tokenizes Omise's Visa test card in the emulator, as a browser would; returns the token id. */
export function createCardToken(emulator: { readonly actions: EmulatorActions }): string {
  return String(emulator.actions.createToken({ card: VISA_TEST_CARD })['id']);
}

/**
 * Charges Omise's Visa test card in the emulator, tokenized first as a browser would, and
 * returns the charge as the API renders it.
 */
export function createCardCharge(
  emulator: { readonly actions: EmulatorActions },
  params: ChargeParams,
): ReturnType<EmulatorActions['createCharge']> {
  return emulator.actions.createCharge({ ...params, card: createCardToken(emulator) });
}
