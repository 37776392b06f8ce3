import { z } from 'zod';
import { UnknownOmiseObject } from './common.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/** A single-use card token (`tokn_`) created on the vault with the public key. */
export const Token = z.preprocess(
  withCreatedAt,
  z.looseObject({
    object: z.literal('token'),
    id: z.string(),
    livemode: z.boolean(),
    used: z.boolean(),
    card: UnknownOmiseObject,
    created_at: OmiseTimestamp,
  }),
);
export type Token = z.infer<typeof Token>;
