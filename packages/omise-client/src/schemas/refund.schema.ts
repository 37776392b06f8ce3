import { z } from 'zod';
import { Amount, Expandable, Metadata, openObject } from './common.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/** A refund (`rfnd_`). `status` is an open string; see {@link REFUND_STATUSES}. */
export const Refund = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('refund'),
    id: z.string(),
    livemode: z.boolean().optional(),
    location: z.string(),
    amount: Amount,
    currency: z.string(),
    charge: Expandable,
    transaction: Expandable.nullable().optional(),
    status: z.string().optional(),
    voided: z.boolean().optional(),
    metadata: Metadata.optional(),
    funding_amount: Amount.optional(),
    funding_currency: z.string().optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Refund = z.infer<typeof Refund>;
