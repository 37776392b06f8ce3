/** Omise's card fee in Thailand, and VAT on fees. */
const CHARGE_FEE_RATE = 0.0365;
export const VAT_RATE = 0.07;

/** Omise's test-mode fee on a charge of `amount`: 3.65 %, plus 7 % VAT on the fee, rounded half up. */
export function chargeFees(amount: number): { fee: number; feeVat: number } {
  const fee = Math.round(amount * CHARGE_FEE_RATE);
  return { fee, feeVat: Math.round(fee * VAT_RATE) };
}
