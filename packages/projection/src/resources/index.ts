import type { OmiseEventJob } from '@omise-sync/core';
import type { ResourceModule } from '../resource-module';
import { type ChargeObservation, chargeResource } from './charge.resource';
import { type DisputeObservation, disputeResource } from './dispute.resource';
import { type TransferObservation, transferResource } from './transfer.resource';
import { type CustomerObservation, customerResource } from './customer.resource';
import { type RecipientObservation, recipientResource } from './recipient.resource';
import { type ScheduleObservation, scheduleResource } from './schedule.resource';
import { type LinkObservation, linkResource } from './link.resource';

/** What each projected resource type's module observes. */
export interface ObservationOf {
  charge: ChargeObservation;
  dispute: DisputeObservation;
  transfer: TransferObservation;
  customer: CustomerObservation;
  recipient: RecipientObservation;
  schedule: ScheduleObservation;
  link: LinkObservation;
}

/**
 * A resource type omise-sync projects (refunds with their charge, cards with their customer,
 * occurrences with their schedule).
 */
export type ResourceType = keyof ObservationOf;

/** Every resource module, by type. Adding a resource type adds an entry here. */
export const resourceModules: { readonly [T in ResourceType]: ResourceModule<ObservationOf[T]> } = {
  charge: chargeResource,
  dispute: disputeResource,
  transfer: transferResource,
  customer: customerResource,
  recipient: recipientResource,
  schedule: scheduleResource,
  link: linkResource,
};

/** Resource types in the order their writes run within a batch. */
export const RESOURCE_TYPES = Object.keys(resourceModules) as readonly ResourceType[];

/** One resource: its type and Omise id. */
export interface ResourceRef {
  type: ResourceType;
  id: string;
}

/** The key its lock row has: `charge:chrg_…`. */
export function lockKey(ref: ResourceRef): string {
  return `${ref.type}:${ref.id}`;
}

/** The event names no resource omise-sync can fetch; retrying cannot change that. */
export class InvalidResourceError extends Error {
  override readonly name = 'InvalidResourceError';
}

function checked(type: ResourceType, id: string, eventId: string): ResourceRef {
  if (!resourceModules[type].idPattern.test(id)) {
    throw new InvalidResourceError(
      `event ${eventId} names ${type} id ${JSON.stringify(id)}, not an Omise ${type} id`,
    );
  }
  return { type, id };
}

/**
 * The resource an event projects: refunds re-fetch and lock their charge. Every id is checked
 * against its module's pattern before anything can use it in a request.
 * @throws InvalidResourceError when the event names no valid resource
 */
export function eventResource(job: OmiseEventJob): ResourceRef {
  switch (job.resourceType) {
    case 'charge':
      return checked('charge', job.resourceId, job.eventId);
    case 'refund': {
      const data = job.event['data'];
      const fromEvent =
        typeof data === 'object' && data !== null && 'charge' in data ? data.charge : undefined;
      const chargeId = job.chargeId ?? (typeof fromEvent === 'string' ? fromEvent : undefined);
      if (chargeId === undefined) {
        throw new InvalidResourceError(`refund event ${job.eventId} names no charge`);
      }
      return checked('charge', chargeId, job.eventId);
    }
    case 'dispute':
      return checked('dispute', job.resourceId, job.eventId);
    case 'transfer':
      return checked('transfer', job.resourceId, job.eventId);
    case 'customer':
      return checked('customer', job.resourceId, job.eventId);
    case 'card':
      // A deleted card's stub names no customer; its customer's `customer.update.card` event
      // (and reconcile) tombstone it.
      if (job.customerId === undefined) {
        throw new InvalidResourceError(`card event ${job.eventId} names no customer`);
      }
      return checked('customer', job.customerId, job.eventId);
    case 'recipient':
      return checked('recipient', job.resourceId, job.eventId);
    case 'schedule':
      return checked('schedule', job.resourceId, job.eventId);
    case 'link':
      return checked('link', job.resourceId, job.eventId);
  }
}
