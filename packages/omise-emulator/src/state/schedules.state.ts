import { OmiseApiError } from '../omise-api-error';
import { type CreateScheduleParams } from '../request-params';
import { nextOccurrenceDates, renderSchedule } from '../resource-render';
import { type OccurrenceState, type ScheduleState } from '../resource-types';
import { createCharge } from './charges.state';
import { type EmulatorStore } from './emulator-store';
import { emitEvent } from './events.state';

export function createSchedule(store: EmulatorStore, params: CreateScheduleParams): ScheduleState {
  const customer = store.customers.get(params.charge.customer);
  const cardId = params.charge.card ?? customer.defaultCardId;
  if (cardId === null) {
    throw new OmiseApiError(400, 'bad_request', 'customer has no card to charge');
  }
  const schedule: ScheduleState = {
    id: store.newId('schd'),
    createdAt: store.stamp(),
    every: params.every,
    period: params.period,
    startDate: params.start_date,
    endDate: params.end_date,
    status: 'active',
    customerId: customer.id,
    cardId: params.charge.card ?? null,
    amount: params.charge.amount,
    currency: params.charge.currency,
    description: params.charge.description ?? null,
    occurrences: [],
  };
  store.schedules.add(schedule);
  emitEvent(store, 'schedule.create', renderSchedule(schedule, store.now()));
  return schedule;
}

/** Ends a schedule; Omise keeps it readable with status `deleted`. */
export function destroySchedule(store: EmulatorStore, id: string): ScheduleState {
  const schedule = store.schedules.get(id);
  schedule.status = 'deleted';
  emitEvent(store, 'schedule.destroy', renderSchedule(schedule, store.now()));
  return schedule;
}

/**
 * Runs a schedule's next due date now (what Omise does daily): charges the customer's card and
 * records the occurrence. Occurrences have no events of their own; a failed one suspends the
 * schedule (`schedule.suspend`), so the worker learns of it.
 */
export function runScheduleOccurrence(store: EmulatorStore, id: string): OccurrenceState {
  const schedule = store.schedules.get(id);
  const due = nextOccurrenceDates(schedule, store.now(), 1)[0];
  if (due === undefined) {
    throw new OmiseApiError(400, 'bad_request', 'schedule has no occurrence due');
  }
  const charge = createCharge(store, {
    amount: schedule.amount,
    currency: schedule.currency,
    customer: schedule.customerId,
    ...(schedule.cardId === null ? {} : { card: schedule.cardId }),
    ...(schedule.description === null ? {} : { description: schedule.description }),
  });
  const failed = charge.status === 'failed';
  const occurrence: OccurrenceState = {
    id: store.newId('occu'),
    createdAt: store.stamp(),
    scheduleId: schedule.id,
    scheduleDate: due,
    status: failed ? 'failed' : 'successful',
    message: failed ? charge.failureMessage : null,
    resultId: charge.id,
    processedAt: store.now(),
  };
  schedule.occurrences.push(occurrence);
  if (failed) {
    schedule.status = 'suspended';
    emitEvent(store, 'schedule.suspend', renderSchedule(schedule, store.now()));
  }
  return occurrence;
}
