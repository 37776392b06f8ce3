import { z } from 'zod';
import { Amount, Expandable, Metadata } from './common.schema';
import { DisputeDocument } from './document.schema';
import { OmiseList } from './list.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/**
 * A dispute (chargeback, `dspt_`). `status` and `reason_code` are open strings (see
 * {@link DISPUTE_STATUSES}, {@link DISPUTE_REASON_CODES}); never branch on `reason_message`,
 * whose wording changes.
 */
export const Dispute = z.preprocess(
  withCreatedAt,
  z.looseObject({
    object: z.literal('dispute'),
    id: z.string(),
    livemode: z.boolean(),
    location: z.string(),
    amount: Amount,
    currency: z.string(),
    status: z.string(),
    charge: Expandable,
    reason_code: z.string().nullable().optional(),
    reason_message: z.string().nullable().optional(),
    message: z.string().nullable().optional(),
    admin_message: z.string().nullable().optional(),
    metadata: Metadata.optional(),
    documents: OmiseList(DisputeDocument).optional(),
    transaction: Expandable.nullable().optional(),
    transactions: z.array(z.looseObject({})).optional(),
    funding_amount: Amount.optional(),
    funding_currency: z.string().optional(),
    closed_at: OmiseTimestamp.nullable().optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Dispute = z.infer<typeof Dispute>;
