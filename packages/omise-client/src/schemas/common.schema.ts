import { z } from 'zod';

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `metadata` is free-form JSON set by the merchant, kept as the very object parsed: a record
 * schema would copy it key by key by assignment, and assigning a `__proto__` key sets the
 * copy's prototype instead, so the merchant's key would be lost.
 */
export const Metadata = z.custom<Record<string, unknown>>(isJsonObject, {
  error: 'must be a JSON object',
});
export type Metadata = z.infer<typeof Metadata>;

/**
 * `z.looseObject(shape)` for Omise objects: the modelled fields are validated (and transformed),
 * every other field is kept as it came. Omise objects carry many fields we do not model (a charge
 * has about 60, its card 24), and `z.looseObject` runs a schema for each of them and copies them
 * one key at a time, which made validation the largest cost of reading a list page. Here the
 * compiled `z.object` parses the modelled fields, and they are laid over one copy of the input.
 */
export function openObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const modelled = z.object(shape);
  return z.unknown().transform((input, ctx): z.output<z.ZodObject<Shape, z.core.$loose>> => {
    const result = modelled.safeParse(input);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: undefined });
      return z.NEVER;
    }
    const all: Record<string, unknown> = { ...(input as Record<string, unknown>), ...result.data };
    // As z.looseObject does: an own `__proto__` key from JSON.parse is not carried over.
    if (Object.hasOwn(all, '__proto__')) delete all['__proto__'];
    return all as z.output<z.ZodObject<Shape, z.core.$loose>>;
  });
}

/** Any Omise object we do not model: only `object` is required, every field is kept. */
export const UnknownOmiseObject = openObject({ object: z.string() });
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
