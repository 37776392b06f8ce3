import { z } from 'zod';
import { Amount, Expandable, Metadata, openObject } from './common.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/** A payout to a bank account (`trsf_`). `failure_code` is an open string. */
export const Transfer = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('transfer'),
    id: z.string(),
    livemode: z.boolean().optional(),
    location: z.string().optional(),
    amount: Amount,
    currency: z.string(),
    fee: Amount.optional(),
    fee_vat: Amount.optional(),
    net: Amount.optional(),
    sent: z.boolean().optional(),
    paid: z.boolean().optional(),
    deleted: z.boolean().optional(),
    failure_code: z.string().nullable().optional(),
    failure_message: z.string().nullable().optional(),
    recipient: Expandable.nullable().optional(),
    transaction: Expandable.nullable().optional(),
    metadata: Metadata.optional(),
    sent_at: OmiseTimestamp.nullable().optional(),
    paid_at: OmiseTimestamp.nullable().optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Transfer = z.infer<typeof Transfer>;
