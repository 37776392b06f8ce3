import { z } from 'zod';
import { Amount, openObject } from './common.schema';
import { OmiseList } from './list.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

/** A calendar date (`2017-10-20`). */
const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** One run of a schedule (`occu_`). `status` is an open string (`scheduled`, `successful`, `failed`, `skipped`). */
export const Occurrence = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('occurrence'),
    id: z.string(),
    livemode: z.boolean().optional(),
    schedule: z.string(),
    schedule_date: DateOnly,
    retry_date: DateOnly.nullable().optional(),
    processed_at: OmiseTimestamp.nullable().optional(),
    status: z.string(),
    message: z.string().nullable().optional(),
    /** The charge or transfer the occurrence made. */
    result: z
      .union([z.string(), openObject({ id: z.string() })])
      .nullable()
      .optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Occurrence = z.infer<typeof Occurrence>;

/** What a schedule charges (`scheduled_charge`) or transfers (`scheduled_transfer`). */
const ScheduledAction = openObject({
  amount: Amount.nullable().optional(),
  currency: z.string().nullable().optional(),
  customer: z.string().nullable().optional(),
  card: z.string().nullable().optional(),
  recipient: z.string().nullable().optional(),
});

/** A recurring charge or transfer (`schd_`). `status` is an open string. */
export const Schedule = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('schedule'),
    id: z.string(),
    livemode: z.boolean().optional(),
    status: z.string(),
    active: z.boolean().optional(),
    every: z.number().int(),
    period: z.string(),
    in_words: z.string().nullable().optional(),
    start_date: DateOnly.nullable().optional(),
    end_date: DateOnly.nullable().optional(),
    next_occurrences_on: z.array(DateOnly).optional(),
    ended_at: OmiseTimestamp.nullable().optional(),
    charge: ScheduledAction.nullable().optional(),
    transfer: ScheduledAction.nullable().optional(),
    occurrences: OmiseList(Occurrence).optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Schedule = z.infer<typeof Schedule>;
