import { z } from 'zod';
import { openObject } from './common.schema';
import { OmiseTimestamp } from './timestamp.schema';

/**
 * A page of an Omise list (`object: "list"`). `total` counts the items between `from` and
 * `to`; `order` is `null` in some older nested lists.
 */
export function OmiseList<Item extends z.ZodType>(item: Item) {
  return openObject({
    object: z.literal('list'),
    data: z.array(item),
    offset: z.number().int(),
    limit: z.number().int(),
    total: z.number().int(),
    from: OmiseTimestamp,
    to: OmiseTimestamp,
    order: z.string().nullable().optional(),
    location: z.string().nullable().optional(),
  });
}
export type OmiseList<Item> = {
  object: 'list';
  data: Item[];
  offset: number;
  limit: number;
  total: number;
  from: string;
  to: string;
  order?: string | null | undefined;
  location?: string | null | undefined;
  [key: string]: unknown;
};
