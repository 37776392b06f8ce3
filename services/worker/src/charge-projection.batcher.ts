import {
  BatchCommitter,
  type BatchSettlement,
  MissingSettlementError,
  type OmiseEventJob,
} from '@omise-sync/core';
import {
  type Database,
  type EventRecord,
  beginProjection,
  findChargesObservedAt,
  writeChargeObservation,
} from '@omise-sync/db';
import { OmiseNotFoundError, type OmiseClient } from '@omise-sync/omise-client';
import { type Kysely, sql } from 'kysely';
import type { Clock } from './clock';
import { toChargeRow, toRefundRow } from './projection/charge.projector';
import { type ChargeObservation } from './projection/charge.projector';
import { fetchChargeObservation } from './projection/omise-fetch';

/** What came of one charge or refund event. */
export type ChargeEventOutcome = 'projected' | 'coalesced' | 'not_found';

/** Builds the `omise.events` record of a job. */
export function eventRecord(
  job: OmiseEventJob,
  outcome: EventRecord['outcome'],
  processedAt: Date,
  error: string | null = null,
): EventRecord {
  return {
    id: job.eventId,
    key: job.key,
    resource_type: job.resourceType,
    resource_id: job.resourceId,
    livemode: job.livemode,
    created_at: job.eventCreatedAt,
    received_at: job.receivedAt,
    processed_at: processedAt,
    outcome,
    origin: job.origin,
    error,
    raw: job.event,
  };
}

/** One event waiting to be projected; the batch's results are keyed by these objects. */
interface PendingProjection {
  job: OmiseEventJob;
  chargeId: string;
}

type ProjectionResult = ChargeEventOutcome | { error: unknown };

export interface ChargeProjectionBatcherOptions {
  db: Kysely<Database>;
  omise: OmiseClient;
  clock: Clock;
  /** Called with the size of every batch, e.g. for a histogram. */
  onBatch?: (size: number) => void;
  /**
   * Most events projected in one transaction.
   * @defaultValue 64
   */
  maxBatchSize?: number;
  /**
   * Transactions open at once; while they run, new events accumulate into the next batch
   * (group commit), so batches grow with load and stay at one event when idle.
   * @defaultValue 4
   */
  maxBatchesInFlight?: number;
}

/**
 * Projects charge and refund events in batches: each batch is one transaction that takes the
 * advisory locks of all its charges (in a global order, so batches in different processes
 * cannot deadlock), reads their stored `observed_at` in one query, fetches each charge that
 * needs it once (several events for one charge share the fetch: coalescing), and writes every
 * charge, refund and event record in one statement before COMMIT.
 *
 * The guarantees are those of one event per transaction (at most one projection per resource
 * at a time, the SQL guard, projection and event record committed together); a batch only
 * replaces five round trips per event by five per batch. A fetch failure fails only the
 * events of that charge; a database failure fails the whole batch.
 *
 * Batching is the group commit of `@omise-sync/core`. A charge is never in two of this
 * process's batches at once: its later events wait until the running batch ends (and are then usually coalesced), so a batch never
 * stalls on a lock that a batch of the same process holds. Locks still serialise batches of
 * different processes.
 */
export class ChargeProjectionBatcher {
  private readonly db: Kysely<Database>;
  private readonly omise: OmiseClient;
  private readonly clock: Clock;
  private readonly committer: BatchCommitter<PendingProjection, ChargeEventOutcome>;

  constructor(options: ChargeProjectionBatcherOptions) {
    this.db = options.db;
    this.omise = options.omise;
    this.clock = options.clock;
    this.committer = new BatchCommitter((batch) => this.run(batch), {
      maxBatchSize: options.maxBatchSize ?? 64,
      maxBatchesInFlight: options.maxBatchesInFlight ?? 4,
      // A charge is never in two running batches (see above).
      keyOf: (request) => request.chargeId,
      onBatch: options.onBatch,
    });
  }

  /** Projects the charge `chargeId` for this event; resolves once committed. */
  project(job: OmiseEventJob, chargeId: string): Promise<ChargeEventOutcome> {
    return this.committer.submit({ job, chargeId });
  }

  private async run(
    batch: readonly PendingProjection[],
  ): Promise<BatchSettlement<ChargeEventOutcome>[]> {
    const settled = await this.db
      .connection()
      .execute((connection) => this.inTransaction(connection, batch));
    return batch.map((request): BatchSettlement<ChargeEventOutcome> => {
      const result = settled.get(request);
      if (result === undefined) {
        return {
          ok: false,
          error: new MissingSettlementError(`projection of ${request.job.eventId} lost its result`),
        };
      }
      if (typeof result === 'string') return { ok: true, value: result };
      return { ok: false, error: result.error };
    });
  }

  private async inTransaction(
    connection: Kysely<Database>,
    batch: readonly PendingProjection[],
  ): Promise<Map<PendingProjection, ProjectionResult>> {
    const byCharge = new Map<string, PendingProjection[]>();
    for (const request of batch) {
      const group = byCharge.get(request.chargeId);
      if (group === undefined) byCharge.set(request.chargeId, [request]);
      else group.push(request);
    }
    const chargeIds = [...byCharge.keys()];
    await beginProjection(
      connection,
      chargeIds.map((id) => `charge:${id}`),
    );
    try {
      const results = await this.projectLocked(connection, byCharge);
      await sql`COMMIT`.execute(connection);
      return results;
    } catch (error) {
      // A dead connection cannot roll back; Postgres does it when the session ends.
      await sql`ROLLBACK`.execute(connection).catch(() => undefined);
      throw error;
    }
  }

  private async projectLocked(
    trx: Kysely<Database>,
    byCharge: Map<string, PendingProjection[]>,
  ): Promise<Map<PendingProjection, ProjectionResult>> {
    const results = new Map<PendingProjection, ProjectionResult>();
    const stored = await findChargesObservedAt(trx, [...byCharge.keys()]);
    // Coalescing: an event whose charge was already fetched after it arrived (omise-sync's
    // clock on both sides) needs no fetch. One fetch serves every other event of the charge.
    const toFetch: string[] = [];
    for (const [chargeId, requests] of byCharge) {
      const observedAt = stored.get(chargeId);
      let needsFetch = false;
      for (const request of requests) {
        if (observedAt !== undefined && observedAt >= new Date(request.job.receivedAt)) {
          results.set(request, 'coalesced');
        } else {
          needsFetch = true;
        }
      }
      if (needsFetch) toFetch.push(chargeId);
    }
    const fetched = await Promise.all(
      toFetch.map(async (chargeId) => {
        // Taken before the request is sent: the state returned is at least this new.
        const observedAt = this.clock.now();
        try {
          return {
            chargeId,
            observedAt,
            observation: await fetchChargeObservation(this.omise, chargeId),
          };
        } catch (error) {
          return { chargeId, observedAt, error };
        }
      }),
    );
    const observations: {
      observation: ChargeObservation;
      observedAt: Date;
      origin: OmiseEventJob['origin'];
    }[] = [];
    const events: EventRecord[] = [];
    for (const outcome of fetched) {
      const requests = (byCharge.get(outcome.chargeId) ?? []).filter((r) => !results.has(r));
      if ('observation' in outcome && outcome.observation !== undefined) {
        // The newest event's origin describes the projection (a live webhook wins over a replay
        // that happens to share the batch).
        const origin = requests.some((r) => r.job.origin === 'webhook')
          ? 'webhook'
          : (requests[requests.length - 1]?.job.origin ?? 'webhook');
        observations.push({
          observation: outcome.observation,
          observedAt: outcome.observedAt,
          origin,
        });
        for (const request of requests) results.set(request, 'projected');
      } else if (outcome.error instanceof OmiseNotFoundError) {
        for (const request of requests) {
          results.set(request, 'not_found');
          events.push(
            eventRecord(request.job, 'not_found', this.clock.now(), outcome.error.message),
          );
        }
      } else {
        for (const request of requests) results.set(request, { error: outcome.error });
      }
    }
    const processedAt = this.clock.now();
    for (const [request, result] of results) {
      if (result === 'projected' || result === 'coalesced') {
        events.push(eventRecord(request.job, 'projected', processedAt));
      }
    }
    await writeChargeObservation(trx, {
      charges: observations.map(({ observation, observedAt, origin }) =>
        toChargeRow(observation.charge, { origin, observedAt }),
      ),
      refunds: observations.flatMap(({ observation, observedAt, origin }) =>
        observation.refunds.map((refund) =>
          toRefundRow(refund, observation.charge, { origin, observedAt }),
        ),
      ),
      events,
    });
    return results;
  }
}
