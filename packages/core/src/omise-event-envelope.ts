import { z } from 'zod';
import {
  type EventOrigin,
  type IgnoredEventJob,
  type OmiseEventJob,
  type ProjectedResource,
} from './job-catalog';
import { type AccountName, DEFAULT_ACCOUNT } from './omise-accounts';
import { eventHistoryPayload } from './event-history';

/**
 * An Omise event id (`evnt_…`, `evnt_test_…`). It becomes the BullMQ job id and, in fetch
 * mode, part of a URL path, so only the characters Omise uses are allowed: no `:` (BullMQ
 * reserves it), no `/` or `.` (path traversal), never all digits (BullMQ forbids integer ids).
 */
export const OmiseEventId = z.string().regex(/^evnt_[A-Za-z0-9_]{1,200}$/, {
  error: 'must be an Omise event id (evnt_…)',
});
export type OmiseEventId = z.infer<typeof OmiseEventId>;

const Timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

/** The object an event is about; only what the receiver needs, everything else passes through. */
const EventData = z.looseObject({
  object: z.string().min(1),
  id: z.string().min(1),
  /** Set on the `{object, id, livemode, deleted}` stub Omise sends for a deleted object. */
  deleted: z.boolean().optional(),
  /**
   * On a refund: the charge it belongs to (an id, or the expanded charge). A schedule's
   * `charge` is what it charges (`scheduled_charge`, no id), so any object passes here.
   */
  charge: z.union([z.string().min(1), z.looseObject({})]).optional(),
  /** On a card: `/customers/{customer}/cards/{card}`, the only place it names its customer. */
  location: z.string().optional(),
});

/**
 * An Omise event envelope, as POSTed to the webhook endpoint and as returned by
 * `GET /events/{id}` (API-NOTES §1.1). Both API generations are accepted: 2019-05-29 has
 * `created_at`, 2017-11-02 and older have `created` (possibly with a non-UTC offset).
 * Unknown fields pass through; unknown keys are kept as strings.
 */
export const OmiseEventEnvelope = z
  .looseObject({
    object: z.literal('event'),
    id: OmiseEventId,
    key: z.string().min(1),
    livemode: z.boolean(),
    created_at: Timestamp.optional(),
    created: Timestamp.optional(),
    data: EventData,
  })
  .refine((event) => event.created_at !== undefined || event.created !== undefined, {
    error: 'created_at (or created, before API 2019-05-29) is required',
    path: ['created_at'],
  });
export type OmiseEventEnvelope = z.infer<typeof OmiseEventEnvelope>;

/**
 * The id pattern of an Omise object whose ids start with `prefix` (`chrg`, `dspt`…): only the
 * characters Omise uses, so an id can never address another path (`.`, `..`, `/`).
 */
export function omiseIdPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}_[A-Za-z0-9_]{1,200}$`);
}

/**
 * The objects whose events are projected, with their id patterns. A Map, so a `data.object`
 * such as `__proto__` or `constructor` finds nothing rather than Object.prototype.
 */
const PROJECTED = new Map<string, { type: ProjectedResource; id: RegExp }>([
  ['charge', { type: 'charge', id: omiseIdPattern('chrg') }],
  ['refund', { type: 'refund', id: omiseIdPattern('rfnd') }],
  ['dispute', { type: 'dispute', id: omiseIdPattern('dspt') }],
  ['transfer', { type: 'transfer', id: omiseIdPattern('trsf') }],
  ['customer', { type: 'customer', id: omiseIdPattern('cust') }],
  ['card', { type: 'card', id: omiseIdPattern('card') }],
  ['recipient', { type: 'recipient', id: omiseIdPattern('recp') }],
  ['schedule', { type: 'schedule', id: omiseIdPattern('schd') }],
  ['link', { type: 'link', id: omiseIdPattern('link') }],
]);
const CUSTOMER_ID = omiseIdPattern('cust');
const CHARGE_ID = omiseIdPattern('chrg');

/** What the receiver does with a genuine, valid event. */
export type EventDisposition =
  | { kind: 'project'; job: OmiseEventJob }
  | { kind: 'ignore'; objectType: string; job: IgnoredEventJob }
  | { kind: 'invalid'; message: string };

/**
 * Decides from `data.object` (not from the key prefix: `customer.update.card` carries a
 * customer) whether the worker projects the event, and builds its job payload, which keeps
 * the envelope (unknown fields included) without the object's content as `event`.
 */
export function toEventDisposition(
  envelope: OmiseEventEnvelope,
  receivedAt: Date,
  origin: EventOrigin,
  account: AccountName = DEFAULT_ACCOUNT,
): EventDisposition {
  const createdAt = new Date(envelope.created_at ?? envelope.created ?? '').toISOString();
  const projected = PROJECTED.get(envelope.data.object);
  if (projected === undefined) {
    const objectType = envelope.data.object;
    const job: IgnoredEventJob = {
      account,
      eventId: envelope.id,
      key: envelope.key,
      objectType,
      objectId: envelope.data.id,
      livemode: envelope.livemode,
      eventCreatedAt: createdAt,
      receivedAt: receivedAt.toISOString(),
      origin,
      event: eventHistoryPayload(envelope),
    };
    return { kind: 'ignore', objectType, job };
  }
  const resourceType = projected.type;
  if (!projected.id.test(envelope.data.id)) {
    return { kind: 'invalid', message: `data.id: not an Omise ${resourceType} id` };
  }

  let chargeId: string | undefined;
  if (resourceType === 'refund') {
    const charge = envelope.data.charge;
    const expandedId = typeof charge === 'object' ? charge['id'] : undefined;
    chargeId =
      typeof charge === 'string' ? charge : typeof expandedId === 'string' ? expandedId : undefined;
    // The worker re-fetches a refund through its charge; only a deleted stub may lack it.
    if (chargeId === undefined && envelope.data.deleted !== true) {
      return { kind: 'invalid', message: 'data.charge: a refund event must name its charge' };
    }
    if (chargeId !== undefined && !CHARGE_ID.test(chargeId)) {
      return { kind: 'invalid', message: 'data.charge: not an Omise charge id' };
    }
  }

  // A card is re-fetched through its customer; a deleted stub has no location, and its
  // customer's own `customer.update.card` event tombstones it instead.
  const customerId =
    resourceType === 'card'
      ? /^\/customers\/([^/]+)\/cards\//.exec(envelope.data.location ?? '')?.[1]
      : undefined;
  if (customerId !== undefined && !CUSTOMER_ID.test(customerId)) {
    return { kind: 'invalid', message: 'data.location: not an Omise customer id' };
  }

  const job: OmiseEventJob = {
    account,
    eventId: envelope.id,
    key: envelope.key,
    resourceType,
    resourceId: envelope.data.id,
    livemode: envelope.livemode,
    eventCreatedAt: createdAt,
    receivedAt: receivedAt.toISOString(),
    origin,
    event: eventHistoryPayload(envelope),
  };
  if (chargeId !== undefined) job.chargeId = chargeId;
  if (customerId !== undefined) job.customerId = customerId;
  return { kind: 'project', job };
}

/** One line per problem, with its path, for a 400 body and the log. Never includes values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}
