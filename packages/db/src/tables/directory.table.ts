import type { ColumnType } from 'kysely';
import type {
  Account,
  DefaultTimestamp,
  JsonObject,
  NullableTimestamp,
  Origin,
  Timestamp,
} from './column-types';

/** Columns every directory table (customers, cards, recipients, schedules, links) has. */
interface DirectoryColumns {
  /** The Omise account the row belongs to. */
  account: Account;
  id: string;
  livemode: boolean;
  created_at: Timestamp;
  /** When omise-sync learnt the object was deleted (a tombstone, ADR 0007); NULL while it exists. */
  deleted_at: NullableTimestamp;
  raw: JsonObject;
  origin: Origin;
  observed_at: Timestamp;
  projected_at: DefaultTimestamp;
}

/** A date column (`YYYY-MM-DD`): read as Date by node-postgres, written as text. */
type DateColumn = Timestamp;
type NullableDateColumn = NullableTimestamp;

/** `omise.customers`; `email` and `description` are personal data, stored as PII_MODE says. */
export interface CustomerTable extends DirectoryColumns {
  email: string | null;
  description: string | null;
  default_card_id: string | null;
  metadata: JsonObject;
}

/** `omise.cards`: a customer's saved cards; `name` is personal data. Never a card number. */
export interface CardTable extends DirectoryColumns {
  customer_id: string;
  brand: string | null;
  last_digits: string | null;
  name: string | null;
  country: string | null;
  bank: string | null;
  financing: string | null;
}

/** `omise.recipients`; `name`, `email` and `description` are personal data. */
export interface RecipientTable extends DirectoryColumns {
  name: string | null;
  email: string | null;
  description: string | null;
  type: string | null;
  verified: boolean;
  active: boolean;
  is_default: boolean;
  failure_code: string | null;
  bank_brand: string | null;
  bank_last_digits: string | null;
  metadata: JsonObject;
}

/** `omise.schedules`: recurring charges (`kind` charge) or transfers (`kind` transfer). */
export interface ScheduleTable extends DirectoryColumns {
  status: string;
  active: boolean;
  every: number;
  period: string;
  in_words: string | null;
  start_on: NullableDateColumn;
  end_on: NullableDateColumn;
  /** Omise's `next_occurrences_on`: a JSON array of dates (`YYYY-MM-DD`). */
  next_occurrence_dates: ColumnType<string[], string[] | string, string[] | string>;
  kind: string;
  amount: number | null;
  currency: string | null;
  customer_id: string | null;
  card_id: string | null;
  recipient_id: string | null;
  ended_at: NullableTimestamp;
}

/** `omise.schedule_occurrences`: each run of a schedule. */
export interface ScheduleOccurrenceTable extends DirectoryColumns {
  schedule_id: string;
  scheduled_on: DateColumn;
  retry_on: NullableDateColumn;
  status: string;
  message: string | null;
  result_id: string | null;
  processed_at: NullableTimestamp;
}

/** `omise.links`: payment links. */
export interface LinkTable extends DirectoryColumns {
  amount: number;
  currency: string;
  used: boolean;
  multiple: boolean;
  title: string | null;
  description: string | null;
  payment_uri: string | null;
}
