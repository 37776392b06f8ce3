import { z } from 'zod';

// ISO 8601 with a UTC designator or a numeric offset (older API versions answer in +07:00).
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
// Webhook deliveries carry "2023-03-02 10:27:09 UTC" (API-NOTES §1.1), which Date cannot read.
const SPACED_UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC$/;
// What 2019-05-29 sends almost always, already in normal form: returned without a Date round trip
// (lists of 100 charges carry several timestamps each, so this is on the backfill's hot path).
const CANONICAL_UTC_TIMESTAMP =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;

/**
 * Reads an Omise timestamp in any form the API has used and returns it as an ISO 8601 UTC
 * string (`2017-11-04T12:12:35Z`; milliseconds only when non-zero), or `undefined` when the
 * text is not a timestamp. Normalising to UTC makes the strings comparable with `<`.
 */
export function normalizeOmiseTimestamp(text: string): string | undefined {
  if (CANONICAL_UTC_TIMESTAMP.test(text)) return text;
  const spaced = SPACED_UTC_TIMESTAMP.exec(text);
  const candidate = spaced ? `${spaced[1]}T${spaced[2]}Z` : text;
  if (!spaced && !ISO_TIMESTAMP.test(text)) return undefined;
  const ms = Date.parse(candidate);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A timestamp as Omise sends it, normalised to an ISO 8601 UTC string. */
export const OmiseTimestamp = z.string().transform((text, ctx) => {
  const normalized = normalizeOmiseTimestamp(text);
  if (normalized === undefined) {
    ctx.issues.push({ code: 'custom', message: `not a timestamp: ${text}`, input: text });
    return z.NEVER;
  }
  return normalized;
});
export type OmiseTimestamp = z.infer<typeof OmiseTimestamp>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Copies the creation time into `created_at` when the object comes from an API version
 * before 2019-05-29 (`created`). `created_at_at` occurs in omise-go's recorded charges and
 * sources (a rename applied twice); reading it costs nothing and keeps those objects usable.
 */
export function withCreatedAt(value: unknown): unknown {
  if (!isRecord(value) || value['created_at'] !== undefined) return value;
  const legacy = value['created'] ?? value['created_at_at'];
  return legacy === undefined ? value : { ...value, created_at: legacy };
}

export { isRecord };
