import { z } from 'zod';
import { Amount, openObject } from './common.schema';
import { OmiseTimestamp } from './timestamp.schema';

/** A daily fee receipt (`rcpt_`, Thailand); a credit note reverses an earlier one. */
export const Receipt = openObject({
  object: z.literal('receipt'),
  id: z.string(),
  number: z.string().nullable().optional(),
  date: OmiseTimestamp,
  currency: z.string(),
  charge_fee: Amount,
  voided_fee: Amount.optional(),
  transfer_fee: Amount,
  subtotal: Amount,
  vat: Amount,
  wht: Amount,
  total: Amount,
  credit_note: z.boolean(),
});
export type Receipt = z.infer<typeof Receipt>;
