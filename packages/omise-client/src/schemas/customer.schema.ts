import { z } from 'zod';
import { Metadata, openObject } from './common.schema';
import { OmiseList } from './list.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/**
 * A customer's saved card (`card_`). Omise never returns the number, only `last_digits`; the
 * schema models what omise-sync may store, everything else passes through to be dropped by the
 * projection.
 */
export const Card = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('card'),
    id: z.string(),
    livemode: z.boolean().optional(),
    /** `/customers/{customer}/cards/{card}`: the only place a card names its customer. */
    location: z.string().nullable().optional(),
    brand: z.string().nullable().optional(),
    last_digits: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
    country: z.string().nullable().optional(),
    bank: z.string().nullable().optional(),
    financing: z.string().nullable().optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Card = z.infer<typeof Card>;

/** A customer (`cust_`), with the first page of its cards. */
export const Customer = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('customer'),
    id: z.string(),
    livemode: z.boolean().optional(),
    location: z.string().nullable().optional(),
    email: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    default_card: z.string().nullable().optional(),
    metadata: Metadata.nullable().optional(),
    cards: OmiseList(Card).optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Customer = z.infer<typeof Customer>;

/** The customer id in a card's `location` (`/customers/cust_…/cards/card_…`), if any. */
export function cardCustomerId(location: string | null | undefined): string | undefined {
  return /^\/customers\/([A-Za-z0-9_]+)\/cards\//.exec(location ?? '')?.[1];
}
