/**
 * Omise's test card numbers and what a charge on them does. Failure codes are the ones seed 003
 * lists; the numbers are Omise's published test cards (docs.omise.co/api-testing, "New test
 * cards make testing even more effective"). Any other number that passes the Luhn check and
 * has a known brand succeeds, as in Omise's test mode.
 */
export type ChargeFailureCode =
  | 'insufficient_fund'
  | 'stolen_or_lost_card'
  | 'failed_processing'
  | 'payment_rejected'
  | 'failed_fraud_check'
  | 'invalid_account_number';

/** The emulator's wording; Omise's exact failure messages are not verified. */
export const FAILURE_MESSAGES: Readonly<Record<ChargeFailureCode, string>> = {
  insufficient_fund: 'insufficient funds in the account or the card has reached the credit limit',
  stolen_or_lost_card: 'card was reported stolen or lost',
  failed_processing: 'the payment could not be processed',
  payment_rejected: 'the payment was rejected by the issuer',
  failed_fraud_check: 'card was marked as fraudulent',
  invalid_account_number: 'the card number does not match an account',
};

/** Card number → failure code, per brand (Visa, Mastercard, JCB). */
export const FAILING_TEST_CARDS: Readonly<Record<string, ChargeFailureCode>> = {
  '4111111111140011': 'insufficient_fund',
  '5555551111110011': 'insufficient_fund',
  '3530111111190011': 'insufficient_fund',
  '4111111111130012': 'stolen_or_lost_card',
  '5555551111100012': 'stolen_or_lost_card',
  '3530111111180012': 'stolen_or_lost_card',
  '4111111111120013': 'failed_processing',
  '5555551111190013': 'failed_processing',
  '3530111111170013': 'failed_processing',
  '4111111111110014': 'payment_rejected',
  '5555551111180014': 'payment_rejected',
  '3530111111160014': 'payment_rejected',
  '4111111111190016': 'failed_fraud_check',
  '5555551111160016': 'failed_fraud_check',
  '3530111111140016': 'failed_fraud_check',
  '4111111111180017': 'invalid_account_number',
  '5555551111150017': 'invalid_account_number',
  '3530111111130017': 'invalid_account_number',
};

/** Numbers Omise documents as always successful. */
export const SUCCESSFUL_TEST_CARDS: readonly string[] = [
  '4242424242424242',
  '4111111111111111',
  '5555555555554444',
  '5454545454545454',
  '3530111333300000',
  '3566111111111113',
];

export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Brand names as Omise spells them in card objects. */
export function cardBrand(digits: string): string | undefined {
  if (/^4/.test(digits)) return 'Visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'MasterCard';
  if (/^35(2[89]|[3-8]\d)/.test(digits)) return 'JCB';
  if (/^3[47]/.test(digits)) return 'American Express';
  if (/^62/.test(digits)) return 'UnionPay';
  return undefined;
}
