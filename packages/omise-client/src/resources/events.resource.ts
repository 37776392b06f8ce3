import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import { OmiseEvent } from '../schemas/event.schema';
import { OmiseList } from '../schemas/list.schema';
import { requestList } from './resource-request';

export interface EventsResource {
  list(params?: ListParams): OmiseListIterable<OmiseEvent>;
  retrieve(eventId: string): Promise<OmiseEvent>;
}

const EventList = OmiseList(OmiseEvent);

export function createEventsResource(request: Requester): EventsResource {
  return {
    list: (params) => requestList(request, '/events', {}, EventList, params),
    retrieve: (eventId) =>
      request({
        method: 'GET',
        path: '/events/:id',
        pathParams: { id: eventId },
        kind: 'read',
        schema: OmiseEvent,
      }),
  };
}
