import { z } from 'zod';
import { Metadata, openObject } from './common.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/** A recipient's bank account: Omise returns the last digits only. */
const BankAccount = openObject({
  brand: z.string().nullable().optional(),
  last_digits: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
});

/** A transfer recipient (`recp_`). `type` is an open string (`individual`, `corporation`). */
export const Recipient = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('recipient'),
    id: z.string(),
    livemode: z.boolean().optional(),
    name: z.string().nullable().optional(),
    email: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    type: z.string().nullable().optional(),
    verified: z.boolean().optional(),
    active: z.boolean().optional(),
    default: z.boolean().optional(),
    failure_code: z.string().nullable().optional(),
    bank_account: BankAccount.nullable().optional(),
    metadata: Metadata.nullable().optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Recipient = z.infer<typeof Recipient>;
