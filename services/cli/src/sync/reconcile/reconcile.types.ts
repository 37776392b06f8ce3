import {
  type Clock,
  type Logger,
  type PiiPolicy,
  type OmiseEventJob,
  type AccountName,
} from '@omise-sync/core';
import { type Database, type WebhookDeliverySummary } from '@omise-sync/db';
import { type OmiseClient } from '@omise-sync/omise-client';
import { type DisputeResponseDays, type DisputeSeverityRules } from '@omise-sync/projection';
import { type Queue } from 'bullmq';
import { type Kysely } from 'kysely';
import { type DriftCounts, type DriftKind } from '../drift';
import { type EnqueueAction } from '../event-jobs';

export interface ReconcileDeps {
  db: Kysely<Database>;
  /** The Omise account worked on: `omise` holds its key, and rows carry it. */
  account: AccountName;
  omise: OmiseClient;
  /** The `omise-events` queue (the worker's prefix). */
  queue: Queue<OmiseEventJob>;
  clock: Clock;
  logger: Logger;
  severityRules: DisputeSeverityRules;
  /** Days a merchant has to answer a dispute (`DISPUTE_RESPONSE_DAYS`), shared with the worker. */
  responseDays: DisputeResponseDays;
  /** How personal data is stored (`PII_MODE`, `PII_SALT`), shared with the worker. */
  pii?: PiiPolicy | undefined;
  /** How long the run's lease lasts without renewal, in ms. @defaultValue 30000 */
  leaseTtlMs?: number;
}

export interface ReconcileOptions {
  /**
   * Start of the window: events from then are re-read (instead of from the cursor) and charges
   * created since then are compared. Unset: events from the cursor (or `lookbackMs` ago on the
   * first run), charges from `lookbackMs` ago.
   */
  since?: Date | undefined;
  /** How far back the first run reads events and every run compares charges, in ms. */
  lookbackMs: number;
  /** Events younger than this are left to webhook delivery and the next run, in ms. */
  settleMs: number;
  /**
   * The full walk of customers, recipients, schedules, links and transfers (phase 4) runs when
   * the last completed one is at least this old, in ms; 0 or unset: every run.
   */
  directoriesEveryMs?: number;
  /** Walk them this run whatever the interval says. */
  forceDirectories?: boolean;
}

/** What the events phase read and did. */
export interface ReconcileEventsReport {
  from: string;
  to: string;
  /** Charge, refund and dispute events read. */
  seen: number;
  /** Of those, already processed (in `omise.events`). */
  processed: number;
  /** What was done with the others. */
  actions: Record<EnqueueAction, number>;
  /**
   * Of the others, created before a finished full backfill listed their resources: recorded
   * as projected (origin `backfill`) without a job, since their rows already show them.
   */
  reflected: number;
  /** Events whose envelope could not be read (logged). */
  invalid: number;
  /**
   * Events about objects omise-sync does not project that were never recorded (their
   * delivery was lost): recorded `ignored` with their key, as the worker would have.
   */
  ignored: number;
  /** Omise's record of delivering every event read (any object), from `webhook_deliveries`. */
  webhookDeliveries: WebhookDeliverySummary;
}

/** What one reconciliation found and did. */
export interface ReconcileReport {
  runId: number;
  startedAt: Date;
  finishedAt: Date;
  since: Date;
  events: ReconcileEventsReport;
  chargesCompared: number;
  disputesCompared: number;
  /**
   * Customers, recipients, schedules, links and transfers compared (phase 4), listed or stored;
   * null when the walk was not due (see `directoriesWalkedAt`).
   */
  directoriesCompared: number | null;
  /** When the last completed walk of phase 4 ended (this run's, or the one it relied on). */
  directoriesWalkedAt: Date | null;
  drift: DriftCounts;
  repaired: DriftCounts;
  /** Up to five ids per kind, for the report and the logs. */
  examples: Partial<Record<DriftKind, string[]>>;
}
