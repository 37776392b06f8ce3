import { z } from 'zod';
import { Amount, openObject } from './common.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/** A payment link (`link_`). */
export const Link = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('link'),
    id: z.string(),
    livemode: z.boolean().optional(),
    amount: Amount,
    currency: z.string(),
    used: z.boolean().optional(),
    multiple: z.boolean().optional(),
    title: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    payment_uri: z.string().nullable().optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Link = z.infer<typeof Link>;
