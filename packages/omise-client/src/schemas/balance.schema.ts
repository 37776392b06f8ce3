import { z } from 'zod';
import { Amount, openObject } from './common.schema';

/**
 * The account's balance (`GET /balance`). `transferable` and `reserve` since 2019-05-29;
 * older versions answer `available` for what can be paid out.
 */
export const Balance = openObject({
  object: z.literal('balance'),
  livemode: z.boolean().optional(),
  currency: z.string(),
  total: Amount,
  transferable: Amount.optional(),
  available: Amount.optional(),
  reserve: Amount.optional(),
});
export type Balance = z.infer<typeof Balance>;
