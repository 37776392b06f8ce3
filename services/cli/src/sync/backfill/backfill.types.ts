import { type Clock, type Logger, type PiiPolicy, type AccountName } from '@omise-sync/core';
import { type Database } from '@omise-sync/db';
import { type OmiseClient } from '@omise-sync/omise-client';
import { type DisputeResponseDays, type DisputeSeverityRules } from '@omise-sync/projection';
import { type Kysely } from 'kysely';
import { type ProgressReporter } from '../progress-reporter';
import { type BackfillResource } from './backfill-cursor';

/** Everything a backfill needs, built by the command (or a test). */
export interface BackfillDeps {
  db: Kysely<Database>;
  /** The Omise account worked on: `omise` holds its key, and rows carry it. */
  account: AccountName;
  omise: OmiseClient;
  clock: Clock;
  progress: ProgressReporter;
  logger: Logger;
  severityRules: DisputeSeverityRules;
  /** Days a merchant has to answer a dispute (`DISPUTE_RESPONSE_DAYS`), shared with the worker. */
  responseDays: DisputeResponseDays;
  /** How personal data is stored (`PII_MODE`, `PII_SALT`), shared with the worker. */
  pii?: PiiPolicy | undefined;
  /** How long the run's lease lasts without renewal, in ms. @defaultValue 30000 */
  leaseTtlMs?: number;
  /** Aborting stops the walk after the batch being written; its checkpoint is kept. */
  signal?: AbortSignal;
}

export interface BackfillOptions {
  /** In this order; charges first lets dispute flags read their charge's age from Postgres. */
  resources: readonly BackfillResource[];
  /**
   * Window start. Unset: a walk in progress resumes; a finished one continues from the end of
   * its window; with no checkpoint, from the beginning (1970).
   */
  since?: Date | undefined;
  /** Discard any checkpoint and walk from `since` (or the beginning) again. @defaultValue false */
  restart?: boolean;
  /** Items written per transaction, with the checkpoint. @defaultValue 1000 */
  batchSize?: number;
  /** Pages fetched ahead of the writer. @defaultValue 4 */
  prefetchPages?: number;
}

/** What one resource's backfill did in this run. */
export interface BackfillSummary {
  resource: BackfillResource;
  status: 'completed' | 'interrupted';
  /** True when this run continued a walk a previous run left unfinished. */
  resumed: boolean;
  from: string;
  to: string;
  /** Items in the window. */
  total: number;
  /** Items of the window committed before this run started. */
  startOffset: number;
  /** Items committed by this run. */
  items: number;
  /** Rows written by this run (the SQL guard refuses rows older than what is stored). */
  written: number;
  /** Refund rows written with the charges. */
  refunds: number;
  /** Dispute flags created (origin `backfill`, never notified). */
  flags: number;
  /** List pages fetched by this run. */
  pages: number;
  seconds: number;
}
