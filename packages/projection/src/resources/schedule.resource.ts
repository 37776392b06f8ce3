import { omiseIdPattern } from '@omise-sync/core';
import {
  type NewSchedule,
  type NewScheduleOccurrence,
  findStoredObservations,
  guardedRecordsetUpsert,
  markDirectoryRowsDeleted,
} from '@omise-sync/db';
import type { Occurrence, Schedule } from '@omise-sync/omise-client';
import { type ProjectionContext, collect, expandableId } from '../projection-context';
import type { ResourceModule } from '../resource-module';
import { DIRECTORY_COLUMNS, directoryColumns, storable, text } from './directory-rows';

/** A schedule with its complete list of occurrences. */
export interface ScheduleObservation {
  schedule: Schedule;
  occurrences: readonly Occurrence[];
}

/** Maps a schedule to its `omise.schedules` row (without `account`). Pure. */
export function toScheduleRow(
  schedule: Schedule,
  context: ProjectionContext,
): Omit<NewSchedule, 'account'> {
  const action = schedule.charge ?? schedule.transfer ?? null;
  return {
    ...directoryColumns(schedule, context),
    // Omise keeps a destroyed schedule readable with status `deleted`: a tombstone too.
    deleted_at: schedule.status === 'deleted' ? context.observedAt : null,
    status: text(schedule.status) ?? 'unknown',
    active: schedule.active ?? schedule.status === 'active',
    every: schedule.every,
    period: text(schedule.period) ?? 'unknown',
    in_words: text(schedule.in_words),
    start_on: schedule.start_date ?? null,
    end_on: schedule.end_date ?? null,
    next_occurrence_dates: schedule.next_occurrences_on ?? [],
    kind: schedule.transfer != null && schedule.charge == null ? 'transfer' : 'charge',
    amount: action?.amount ?? null,
    currency: action?.currency?.toUpperCase() ?? null,
    customer_id: text(action?.customer),
    card_id: text(action?.card),
    recipient_id: text(action?.recipient),
    ended_at: schedule.ended_at ?? null,
    raw: storable({ ...schedule, occurrences: undefined }),
  };
}

/** Maps an occurrence to its `omise.schedule_occurrences` row (without `account`). Pure. */
export function toOccurrenceRow(
  occurrence: Occurrence,
  schedule: Pick<Schedule, 'livemode'>,
  context: ProjectionContext,
): Omit<NewScheduleOccurrence, 'account'> {
  return {
    ...directoryColumns(occurrence, context, schedule.livemode ?? false),
    schedule_id: occurrence.schedule,
    scheduled_on: occurrence.schedule_date,
    retry_on: occurrence.retry_date ?? null,
    status: text(occurrence.status) ?? 'unknown',
    message: text(occurrence.message),
    result_id: text(expandableId(occurrence.result)),
    processed_at: occurrence.processed_at ?? null,
    raw: storable(occurrence),
  };
}

/** The occurrences embedded in a schedule when the embedded list is complete. */
export function embeddedOccurrences(schedule: Schedule): Occurrence[] | undefined {
  const list = schedule.occurrences;
  if (list === undefined) return undefined;
  return list.data.length >= list.total ? list.data : undefined;
}

const SCHEDULES = guardedRecordsetUpsert<NewSchedule>('omise.schedules', [
  ...DIRECTORY_COLUMNS,
  ['status', 'text'],
  ['active', 'boolean'],
  ['every', 'bigint'],
  ['period', 'text'],
  ['in_words', 'text'],
  ['start_on', 'date'],
  ['end_on', 'date'],
  ['next_occurrence_dates', 'jsonb'],
  ['kind', 'text'],
  ['amount', 'bigint'],
  ['currency', 'text'],
  ['customer_id', 'text'],
  ['card_id', 'text'],
  ['recipient_id', 'text'],
  ['ended_at', 'timestamptz'],
]);

const OCCURRENCES = guardedRecordsetUpsert<NewScheduleOccurrence>('omise.schedule_occurrences', [
  ...DIRECTORY_COLUMNS,
  ['schedule_id', 'text'],
  ['scheduled_on', 'date'],
  ['retry_on', 'date'],
  ['status', 'text'],
  ['message', 'text'],
  ['result_id', 'text'],
  ['processed_at', 'timestamptz'],
]);

/** Schedules of recurring charges or transfers, each with all of its occurrences. */
export const scheduleResource: ResourceModule<ScheduleObservation> = {
  type: 'schedule',
  idPattern: omiseIdPattern('schd'),

  async fetch(omise, scheduleId) {
    const schedule = await omise.schedules.retrieve(scheduleId);
    const occurrences =
      embeddedOccurrences(schedule) ?? (await collect(omise.schedules.occurrences(scheduleId)));
    return { schedule, occurrences };
  },

  idOf: (observation) => observation.schedule.id,

  findObservedAt: (db, ids) => findStoredObservations(db, 'omise.schedules', ids),

  async write(trx, items, { account }) {
    const written = new Set(
      await SCHEDULES.upsert(
        trx,
        items.map((item) => ({ ...toScheduleRow(item.observation.schedule, item), account })),
      ),
    );
    const occurrences = await OCCURRENCES.upsert(
      trx,
      items.flatMap((item) =>
        item.observation.occurrences.map((occurrence) => ({
          ...toOccurrenceRow(occurrence, item.observation.schedule, item),
          account,
        })),
      ),
    );
    const owner = new Map(
      items.flatMap((item) =>
        item.observation.occurrences.map((o) => [o.id, item.observation.schedule.id]),
      ),
    );
    return items.map(({ observation }) => ({
      written: written.has(observation.schedule.id),
      children: occurrences.filter((id) => owner.get(id) === observation.schedule.id).length,
    }));
  },

  markDeleted: (trx, ids, deletedAt, { account }) =>
    markDirectoryRowsDeleted(trx, 'omise.schedules', account, ids, deletedAt),
};
