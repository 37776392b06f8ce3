import { z } from 'zod';

/** `metadata` is free-form JSON set by the merchant. */
export const Metadata = z.record(z.string(), z.unknown());
export type Metadata = z.infer<typeof Metadata>;

/** Any Omise object we do not model: only `object` is required, every field is kept. */
export const UnknownOmiseObject = z.looseObject({ object: z.string() });
export type UnknownOmiseObject = z.infer<typeof UnknownOmiseObject>;

/**
 * An `object_id_expandable` field: an id string, or the whole object after `expand=true`.
 */
export const Expandable = z.union([z.string(), UnknownOmiseObject]);
export type Expandable = z.infer<typeof Expandable>;

/** Amounts are integers in the currency's smallest unit. */
export const Amount = z.number().int();

/**
 * What Omise answers for a deleted object (and what an event's `data` shrinks to when the
 * object was deleted): `{ object, id, livemode, deleted: true }`.
 */
export const DeletedObject = z.looseObject({
  object: z.string(),
  id: z.string(),
  livemode: z.boolean().optional(),
  deleted: z.literal(true),
});
export type DeletedObject = z.infer<typeof DeletedObject>;
