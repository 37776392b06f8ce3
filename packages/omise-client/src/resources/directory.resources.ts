import type { z } from 'zod';
import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import { Card, Customer } from '../schemas/customer.schema';
import { Link } from '../schemas/link.schema';
import { OmiseList } from '../schemas/list.schema';
import { Recipient } from '../schemas/recipient.schema';
import { Occurrence, Schedule } from '../schemas/schedule.schema';
import { requestList } from './resource-request';

/** A resource omise-sync reads by id and lists (`GET /{path}`, `GET /{path}/{id}`). */
export interface ReadableResource<T> {
  list(params?: ListParams): OmiseListIterable<T>;
  retrieve(id: string): Promise<T>;
}

function readable<T extends { id?: unknown }>(
  request: Requester,
  path: string,
  schema: z.ZodType<T>,
): ReadableResource<T> {
  const list = OmiseList(schema) as z.ZodType<OmiseList<T>>;
  return {
    list: (params) => requestList(request, path, {}, list, params),
    retrieve: (id) =>
      request({ method: 'GET', path: `${path}/:id`, pathParams: { id }, kind: 'read', schema }),
  };
}

export interface CustomersResource extends ReadableResource<Customer> {
  /** Every card of a customer (`GET /customers/{id}/cards`). */
  cards(customerId: string, params?: ListParams): OmiseListIterable<Card>;
}

export interface SchedulesResource extends ReadableResource<Schedule> {
  /** Every occurrence of a schedule (`GET /schedules/{id}/occurrences`). */
  occurrences(scheduleId: string, params?: ListParams): OmiseListIterable<Occurrence>;
}

export type RecipientsResource = ReadableResource<Recipient>;
export type LinksResource = ReadableResource<Link>;

const CardList = OmiseList(Card);
const OccurrenceList = OmiseList(Occurrence);

export function createCustomersResource(request: Requester): CustomersResource {
  return {
    ...readable(request, '/customers', Customer),
    cards: (customerId, params) =>
      requestList(request, '/customers/:id/cards', { id: customerId }, CardList, params),
  };
}

export function createSchedulesResource(request: Requester): SchedulesResource {
  return {
    ...readable(request, '/schedules', Schedule),
    occurrences: (scheduleId, params) =>
      requestList(
        request,
        '/schedules/:id/occurrences',
        { id: scheduleId },
        OccurrenceList,
        params,
      ),
  };
}

export const createRecipientsResource = (request: Requester): RecipientsResource =>
  readable(request, '/recipients', Recipient);

export const createLinksResource = (request: Requester): LinksResource =>
  readable(request, '/links', Link);
