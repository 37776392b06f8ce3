import { z } from 'zod';

/** The body Omise sends with a 4xx/5xx: `{ object: "error", code, message, location }`. */
export const OmiseErrorBody = z.looseObject({
  object: z.literal('error'),
  code: z.string(),
  message: z.string(),
  location: z.string().optional(),
});
export type OmiseErrorBody = z.infer<typeof OmiseErrorBody>;
