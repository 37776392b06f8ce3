import { z } from 'zod';

/** Days Opn gives a merchant to answer a dispute (its merchant help), unless configured. */
export const DEFAULT_DISPUTE_RESPONSE_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;

const PROBLEM =
  'must be whole days (1 to 366), or a JSON object of them by "default" and two-letter card country, e.g. {"default":7,"JP":10}';
const Days = z
  .number({ error: PROBLEM })
  .int({ error: PROBLEM })
  .positive({ error: PROBLEM })
  .max(366, { error: PROBLEM });
const COUNTRY_KEY = /^[A-Za-z]{2}$/;

/**
 * Days a merchant has to answer a dispute (`DISPUTE_RESPONSE_DAYS`): one number for every
 * dispute, or an object of them keyed by `default` and by the two-letter country of the
 * disputed card's issuing bank (`{"default":7,"JP":10}`). Country keys are kept uppercase; a
 * missing `default` means DEFAULT_DISPUTE_RESPONSE_DAYS.
 */
export const DisputeResponseDays = z.union(
  [
    Days,
    z
      .record(z.string(), Days)
      .refine((days) =>
        Object.keys(days).every((key) => key === 'default' || COUNTRY_KEY.test(key)),
      )
      .transform((days) =>
        Object.fromEntries(
          Object.entries(days).map(([key, value]) => [
            key === 'default' ? key : key.toUpperCase(),
            value,
          ]),
        ),
      ),
  ],
  { error: PROBLEM },
);
export type DisputeResponseDays = number | Readonly<Record<string, number>>;

/** True when the card's country changes the deadline, i.e. some country has its own days. */
export function dependsOnCardCountry(responseDays: DisputeResponseDays): boolean {
  return typeof responseDays !== 'number' && Object.keys(responseDays).some((k) => k !== 'default');
}

/** The days that apply to a dispute on a card issued in `cardCountry` (any case; null unknown). */
export function disputeResponseDays(
  responseDays: DisputeResponseDays,
  cardCountry: string | null = null,
): number {
  if (typeof responseDays === 'number') return responseDays;
  const byCountry = cardCountry === null ? undefined : responseDays[cardCountry.toUpperCase()];
  return byCountry ?? responseDays['default'] ?? DEFAULT_DISPUTE_RESPONSE_DAYS;
}

/**
 * When the answer to a dispute opened at `openedAt` is due: the one place `respond_by` is
 * computed (the worker, backfill, reconcile and the desk all project through it).
 * @param cardCountry the disputed card's issuing country; only needed when `responseDays`
 *   has per-country entries
 */
export function disputeRespondBy(
  openedAt: Date | string,
  responseDays: DisputeResponseDays,
  cardCountry: string | null = null,
): Date {
  return new Date(
    new Date(openedAt).getTime() + disputeResponseDays(responseDays, cardCountry) * DAY_MS,
  );
}
