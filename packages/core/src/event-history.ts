import { toStorableJson } from './storable-json';

/** Fields of an event's `data` kept: what identifies the object, not its content. */
const HISTORY_DATA_FIELDS = ['object', 'id', 'livemode', 'location', 'status', 'deleted'] as const;

/** The id of an expandable field: the string itself, or the `id` of an expanded object. */
function expandedId(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string')
    return value.id;
  return undefined;
}

/**
 * An event envelope as omise-sync keeps it, in its queued job and in `omise.events.raw`: every
 * envelope field, but of `data` only what identifies the object (and a refund's charge id). The
 * worker fetches the object again anyway; the payload as delivered can carry cardholder names,
 * card fingerprints and customer emails, which neither Redis nor anything BI can read should
 * hold, and it is most of the bytes each job costs. Applying it twice changes nothing.
 */
export function eventHistoryPayload(event: Record<string, unknown>): Record<string, unknown> {
  const { data, ...envelope } = event;
  const kept: Record<string, unknown> = {};
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    for (const field of HISTORY_DATA_FIELDS) {
      if (Object.hasOwn(data, field)) kept[field] = (data as Record<string, unknown>)[field];
    }
    const charge = expandedId((data as Record<string, unknown>)['charge']);
    if (charge !== undefined) kept['charge'] = charge;
  }
  return toStorableJson({ ...envelope, data: kept }) as Record<string, unknown>;
}
