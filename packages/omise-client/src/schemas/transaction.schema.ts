import { z } from 'zod';
import { Amount, Expandable, openObject } from './common.schema';
import { OmiseTimestamp, isRecord, withCreatedAt } from './timestamp.schema';

/**
 * API versions before 2019-05-29 name a transaction's fields `type`, `source` and
 * `transferable`; they are read as `direction`, `origin` and `transferable_at`.
 */
function withCurrentNames(value: unknown): unknown {
  const current = withCreatedAt(value);
  if (!isRecord(current)) return current;
  const renamed: Record<string, unknown> = { ...current };
  if (renamed['direction'] === undefined && renamed['type'] !== undefined) {
    renamed['direction'] = renamed['type'];
  }
  if (renamed['origin'] === undefined && renamed['source'] !== undefined) {
    renamed['origin'] = renamed['source'];
  }
  if (renamed['transferable_at'] === undefined && renamed['transferable'] !== undefined) {
    renamed['transferable_at'] = renamed['transferable'];
  }
  return renamed;
}

/** A movement of the balance (`trxn_`). `direction` and `key` are open strings. */
export const Transaction = z.preprocess(
  withCurrentNames,
  openObject({
    object: z.literal('transaction'),
    id: z.string(),
    livemode: z.boolean().optional(),
    /** `credit` or `debit`. */
    direction: z.string(),
    /** What moved, e.g. `charge.captured.net`; absent before 2019-05-29. */
    key: z.string().nullable().optional(),
    amount: Amount,
    currency: z.string(),
    /** The charge, refund, transfer, dispute or receipt behind the movement. */
    origin: Expandable.nullable().optional(),
    transferable_at: OmiseTimestamp.nullable().optional(),
    created_at: OmiseTimestamp,
  }),
);
export type Transaction = z.infer<typeof Transaction>;
