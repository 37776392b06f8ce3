import type { AccountName, Clock, PiiPolicy } from '@omise-sync/core';
import type { Database, StoredObservation } from '@omise-sync/db';
import type { OmiseClient } from '@omise-sync/omise-client';
import type { Kysely } from 'kysely';
import type { ProjectionContext } from './projection-context';
import type { DisputeResponseDays } from './resources/dispute-deadline';
import type { WrittenFlag } from './resources/dispute-flags';
import type { DisputeSeverityRules } from './resources/dispute-severity';

/** What a module's follow-up steps may use besides the transaction. */
export interface FollowUpDeps {
  /**
   * The Omise account projected: `omise` holds its key, every row written carries it, and a
   * resource another account owns is not written (see AccountConflictError).
   */
  account: AccountName;
  omise: OmiseClient;
  clock: Clock;
  severityRules: DisputeSeverityRules;
  /**
   * Days a merchant has to answer a dispute, counted from its opening (`DISPUTE_RESPONSE_DAYS`,
   * possibly per card country); every write path passes the same configured value so
   * `respond_by` never depends on which process wrote the row.
   */
  responseDays: DisputeResponseDays;
  /**
   * How personal data is stored (`PII_MODE`, `PII_SALT`). Without one, personal data is not
   * stored at all (`drop`); the worker and the CLI always pass the configured policy.
   */
  pii?: PiiPolicy | undefined;
}

/** One observation of a resource with how it was obtained. */
export interface Observed<O> extends ProjectionContext {
  observation: O;
}

/** What writing one observation did. */
export interface WriteOutcome {
  /** False when the `observed_at` guard kept a newer stored row. */
  written: boolean;
  /** Child rows written (refunds of a charge, documents of a dispute). */
  children: number;
  /** The dispute flag this write created, if any. */
  flag?: WrittenFlag | undefined;
}

/**
 * How one Omise resource type becomes rows. Each module owns its id pattern, how it is
 * fetched (with its children), its table and columns, and its follow-up steps; the projection
 * core (`projectBatch`) owns locking, coalescing, transactions and failure isolation.
 */
export interface ResourceModule<O> {
  /** The resource's name, also the prefix of its lock keys (`charge:chrg_…`). */
  readonly type: string;
  /** Ids of this resource (checked before any request uses one). */
  readonly idPattern: RegExp;
  /** The current state from Omise, with every child; throws `OmiseNotFoundError` for a 404. */
  fetch(omise: OmiseClient, id: string): Promise<O>;
  /** The id of an observation's resource. */
  idOf(observation: O): string;
  /**
   * When each stored row was requested from Omise, and the account owning it; ids never
   * projected are absent.
   */
  findObservedAt(
    db: Kysely<Database>,
    ids: readonly string[],
  ): Promise<Map<string, StoredObservation>>;
  /**
   * Writes observations with their children and follow-up steps inside the caller's
   * transaction, which holds their locks; one outcome per item, in order.
   */
  write(
    trx: Kysely<Database>,
    items: readonly Observed<O>[],
    deps: FollowUpDeps,
  ): Promise<WriteOutcome[]>;
  /**
   * Makes tombstones of stored rows whose object Omise no longer has (a re-fetch answered
   * 404): `deleted_at` is set, the row stays (ADR 0007). Modules without it record the 404.
   * @returns the ids marked
   */
  markDeleted?(
    trx: Kysely<Database>,
    ids: readonly string[],
    deletedAt: Date,
    deps: FollowUpDeps,
  ): Promise<string[]>;
}
