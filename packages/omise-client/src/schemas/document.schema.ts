import { z } from 'zod';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/**
 * Evidence attached to a dispute (`docu_`). Recorded documents from older API versions have
 * no creation time at all, so `created_at` is optional here (and only here).
 */
export const DisputeDocument = z.preprocess(
  withCreatedAt,
  z.looseObject({
    object: z.literal('document'),
    id: z.string(),
    livemode: z.boolean(),
    location: z.string(),
    filename: z.string(),
    kind: z.string().nullable().optional(),
    download_uri: z.string().nullable().optional(),
    deleted: z.boolean().optional(),
    created_at: OmiseTimestamp.optional(),
  }),
);
export type DisputeDocument = z.infer<typeof DisputeDocument>;

/**
 * Any `document` object, including the id-less image of a barcode or QR code that charge
 * sources embed (`source.scannable_code.image`): only a file reference.
 */
export const OmiseDocument = z.preprocess(
  withCreatedAt,
  z.looseObject({
    object: z.literal('document'),
    id: z.string().optional(),
    livemode: z.boolean().optional(),
    location: z.string().optional(),
    filename: z.string().optional(),
    download_uri: z.string().nullable().optional(),
    created_at: OmiseTimestamp.optional(),
  }),
);
export type OmiseDocument = z.infer<typeof OmiseDocument>;
