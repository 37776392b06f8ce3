import { z } from 'zod';
import { Charge } from './charge.schema';
import { DeletedObject, UnknownOmiseObject } from './common.schema';
import { Dispute } from './dispute.schema';
import { Refund } from './refund.schema';
import { OmiseTimestamp, isRecord, withCreatedAt } from './timestamp.schema';

/** What an event is about: a modelled object, a deleted object, or anything else, kept loose. */
export type OmiseEventData = Charge | Refund | Dispute | DeletedObject | UnknownOmiseObject;

function schemaForData(value: unknown): z.ZodType<OmiseEventData> {
  // A deleted object keeps only {object, id, livemode, deleted}, whatever its kind (omise-go
  // checks `deleted` first for the same reason). The key is not enough to pick the schema:
  // `customer.update.card` carries a customer.
  if (isRecord(value) && value['deleted'] === true) return DeletedObject;
  const kind = isRecord(value) ? value['object'] : undefined;
  switch (kind) {
    case 'charge':
      return Charge;
    case 'refund':
      return Refund;
    case 'dispute':
      return Dispute;
    default:
      return UnknownOmiseObject;
  }
}

/** An event's `data`, parsed by its `data.object`. */
export const OmiseEventData = z.unknown().transform((value, ctx): OmiseEventData => {
  const result = schemaForData(value).safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
  }
  return z.NEVER;
});

/** A record of one attempt to deliver an event to a webhook endpoint. */
export const WebhookDelivery = z.looseObject({
  id: z.string().optional(),
  uri: z.string().optional(),
  status: z.number().int().nullable().optional(),
  key: z.string().optional(),
  // "2023-03-02 10:27:09 UTC" in a real fixture: read by the lenient timestamp.
  created_at: OmiseTimestamp.optional(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

const eventFields = {
  object: z.literal('event'),
  id: z.string(),
  livemode: z.boolean(),
  location: z.string(),
  /** Open string: see {@link EVENT_KEYS} for the keys known today. */
  key: z.string(),
  webhook_deliveries: z.array(WebhookDelivery).optional(),
  created_at: OmiseTimestamp,
};

/**
 * An event as `GET /events/{id}`, `GET /events` and webhooks deliver it. `data` is
 * serialised with the API version the account had when the event happened, so it may be
 * older than the version this client pins; re-fetch the resource for its current state.
 */
export const OmiseEvent = z.preprocess(
  withCreatedAt,
  z.looseObject({ ...eventFields, data: OmiseEventData }),
);
export type OmiseEvent = z.infer<typeof OmiseEvent>;

/** The data-less events `GET /charges/{id}/events` lists (key and time only). */
export const OmiseEventSummary = z.preprocess(
  withCreatedAt,
  z.looseObject({ ...eventFields, data: OmiseEventData.optional() }),
);
export type OmiseEventSummary = z.infer<typeof OmiseEventSummary>;

/** True when `data` is a charge (not a deleted one). */
export function isChargeData(data: OmiseEventData | undefined): data is Charge {
  return data?.object === 'charge' && data['deleted'] !== true;
}
/** True when `data` is a refund (not a deleted one). */
export function isRefundData(data: OmiseEventData | undefined): data is Refund {
  return data?.object === 'refund' && data['deleted'] !== true;
}
/** True when `data` is a dispute (not a deleted one). */
export function isDisputeData(data: OmiseEventData | undefined): data is Dispute {
  return data?.object === 'dispute' && data['deleted'] !== true;
}
/** True when `data` is what remains of a deleted object. */
export function isDeletedData(data: OmiseEventData | undefined): data is DeletedObject {
  return data?.['deleted'] === true;
}
