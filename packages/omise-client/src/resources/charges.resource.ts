import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import { Charge } from '../schemas/charge.schema';
import type { Metadata } from '../schemas/common.schema';
import { OmiseEventSummary } from '../schemas/event.schema';
import { OmiseList } from '../schemas/list.schema';
import { type ExtraParams, requestList } from './resource-request';

/** `POST /charges`. Extra parameters pass through unchanged. */
export interface CreateChargeParams extends ExtraParams {
  amount: number;
  currency: string;
  card?: string;
  customer?: string;
  source?: string | Readonly<Record<string, unknown>>;
  description?: string;
  metadata?: Metadata;
  capture?: boolean;
  authorization_type?: 'pre_auth' | 'final_auth';
  return_uri?: string;
  ip?: string;
  expires_at?: string;
  webhook_endpoints?: readonly string[];
}

/** `PATCH /charges/{id}`. */
export interface UpdateChargeParams extends ExtraParams {
  description?: string;
  metadata?: Metadata;
}

export interface ChargesResource {
  create(params: CreateChargeParams): Promise<Charge>;
  /** `expand: true` inlines expandable objects (customer, transaction, ...). */
  retrieve(chargeId: string, options?: { expand?: boolean }): Promise<Charge>;
  update(chargeId: string, params: UpdateChargeParams): Promise<Charge>;
  list(params?: ListParams): OmiseListIterable<Charge>;
  /** Captures an authorised charge; `capture_amount` for a partial capture. */
  capture(chargeId: string, params?: { capture_amount?: number }): Promise<Charge>;
  reverse(chargeId: string): Promise<Charge>;
  expire(chargeId: string): Promise<Charge>;
  /** Test mode only. */
  markAsPaid(chargeId: string): Promise<Charge>;
  /** Test mode only. */
  markAsFailed(chargeId: string): Promise<Charge>;
  /** The charge's events, without `data` (key and time). */
  listEvents(chargeId: string, params?: ListParams): OmiseListIterable<OmiseEventSummary>;
}

const ChargeList = OmiseList(Charge);
const EventSummaryList = OmiseList(OmiseEventSummary);

export function createChargesResource(request: Requester): ChargesResource {
  const chargeAction = (path: string) => (chargeId: string) =>
    request({ method: 'POST', path, pathParams: { id: chargeId }, kind: 'action', schema: Charge });

  return {
    create: (params) =>
      request({
        method: 'POST',
        path: '/charges',
        body: { type: 'json', value: params },
        kind: 'action',
        schema: Charge,
      }),
    retrieve: (chargeId, options) =>
      request({
        method: 'GET',
        path: '/charges/:id',
        pathParams: { id: chargeId },
        query: { expand: options?.expand },
        kind: 'read',
        schema: Charge,
      }),
    update: (chargeId, params) =>
      request({
        method: 'PATCH',
        path: '/charges/:id',
        pathParams: { id: chargeId },
        body: { type: 'json', value: params },
        kind: 'idempotent',
        schema: Charge,
      }),
    list: (params) => requestList(request, '/charges', {}, ChargeList, params),
    capture: (chargeId, params) =>
      request({
        method: 'POST',
        path: '/charges/:id/capture',
        pathParams: { id: chargeId },
        ...(params?.capture_amount === undefined
          ? {}
          : { body: { type: 'json', value: { capture_amount: params.capture_amount } } }),
        kind: 'action',
        schema: Charge,
      }),
    reverse: chargeAction('/charges/:id/reverse'),
    expire: chargeAction('/charges/:id/expire'),
    markAsPaid: chargeAction('/charges/:id/mark_as_paid'),
    markAsFailed: chargeAction('/charges/:id/mark_as_failed'),
    listEvents: (chargeId, params) =>
      requestList(request, '/charges/:id/events', { id: chargeId }, EventSummaryList, params),
  };
}
