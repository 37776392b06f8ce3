import { type EventOrigin, type OmiseEventJob, SpanKind, withSpan } from '@omise-sync/core';
import {
  type Database,
  type EventRecord,
  ensureResourceLocks,
  lockResources,
} from '@omise-sync/db';
import { OmiseNotFoundError } from '@omise-sync/omise-client';
import type { Kysely } from 'kysely';
import { eventRecord, recordEvents } from './event-record';
import type { FollowUpDeps, Observed, WriteOutcome } from './resource-module';
import type { WrittenFlag } from './resources/dispute-flags';
import {
  type ObservationOf,
  RESOURCE_TYPES,
  type ResourceRef,
  type ResourceType,
  lockKey,
  resourceModules,
} from './resources';

/** An event to project: its resource is fetched again unless a newer fetch is stored. */
export interface EventRequest {
  kind: 'event';
  job: OmiseEventJob;
  resource: ResourceRef;
}

/** A resource already fetched (by backfill or reconcile), to write as it is. */
export type ObservedRequest = {
  [T in ResourceType]: { kind: 'observed'; type: T } & Observed<ObservationOf[T]>;
}[ResourceType];

/**
 * A stored resource to fetch again without an event (reconcile checking a row Omise no longer
 * lists): written as fetched, a tombstone if Omise answers 404, never coalesced or recorded.
 */
export interface RefetchRequest {
  kind: 'refetch';
  resource: ResourceRef;
  origin: EventOrigin;
}

export type ProjectionRequest = EventRequest | ObservedRequest | RefetchRequest;

/** What came of one request. */
export type ProjectionResult =
  /** Written (or refused by the `observed_at` guard: `written` false), with its follow-ups. */
  | { outcome: 'projected'; written: boolean; children: number; flag: WrittenFlag | undefined }
  /** A fetch sent after the event arrived is already stored; nothing to fetch. */
  | { outcome: 'coalesced' }
  /** Omise answered 404; recorded. */
  | { outcome: 'not_found'; error: OmiseNotFoundError }
  /** The item could not be written; recorded `failed`. Retrying cannot help. */
  | { outcome: 'failed'; error: unknown }
  /** Fetching the resource failed; nothing was written for it. The caller decides on retries. */
  | { outcome: 'error'; error: unknown };

/**
 * A resource (or event) arrived for one Omise account while another account owns its id. Omise
 * ids are unique across accounts, so this means two configured accounts see the same objects
 * (with Account Chaining, a platform and its sub-merchant); the row is left to its owner and
 * the item fails, recorded `failed` with this message. Retrying cannot help.
 */
export class AccountConflictError extends Error {
  override readonly name = 'AccountConflictError';
  constructor(
    readonly resource: ResourceRef,
    /** The account that owns the stored row. */
    readonly owner: string,
    /** The account the item arrived for. */
    readonly account: string,
  ) {
    super(
      `${resource.type} ${resource.id} belongs to Omise account "${owner}", not "${account}"; ` +
        'one Omise object cannot be synced under two accounts (ADR 0005)',
    );
  }
}

/** What projecting needs. */
export interface ProjectionDeps extends FollowUpDeps {
  db: Kysely<Database>;
}

export interface ProjectBatchOptions {
  /**
   * Runs in the batch's transaction after its writes, so that what it writes commits with
   * them or not at all (the backfill's checkpoint).
   */
  inTransaction?: (trx: Kysely<Database>, results: readonly ProjectionResult[]) => Promise<void>;
}

/** One observation to write and the requests it answers. */
interface PlannedWrite<T extends ResourceType> {
  item: Observed<ObservationOf[T]>;
  requests: number[];
}

/** A stored row whose object Omise answered 404 for: a tombstone to write. */
interface PlannedTombstone {
  type: ResourceType;
  id: string;
  deletedAt: Date;
  requests: number[];
}

type Plan = { [T in ResourceType]: PlannedWrite<T>[] } & { tombstones: PlannedTombstone[] };

function emptyPlan(): Plan {
  return {
    charge: [],
    dispute: [],
    transfer: [],
    customer: [],
    recipient: [],
    schedule: [],
    link: [],
    tombstones: [],
  };
}

const ROW_ERROR_CLASSES = new Set(['22', '23', '54']);

/**
 * True for an error that one item's data caused (a value Postgres refuses, a constraint, a
 * program limit, an object the row mappers cannot read), as opposed to a connection, lock or
 * timeout trouble that retrying the whole batch can cure.
 */
export function isRowError(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ROW_ERROR_CLASSES.has(code.slice(0, 2));
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function isEvent(request: ProjectionRequest): request is EventRequest {
  return request.kind === 'event';
}

function isObservedOf<T extends ResourceType>(
  request: ProjectionRequest,
  type: T,
): request is ProjectionRequest & { type: T } & Observed<ObservationOf[T]> {
  return request.kind === 'observed' && request.type === type;
}

function observedResource<T extends ResourceType>(
  request: { type: T } & Observed<ObservationOf[T]>,
): ResourceRef {
  return { type: request.type, id: resourceModules[request.type].idOf(request.observation) };
}

function resourceOf(request: ProjectionRequest): ResourceRef {
  return request.kind === 'observed' ? observedResource(request) : request.resource;
}

/** A live webhook wins over a replay that happens to share the batch. */
function originOf(requests: readonly ProjectionRequest[], indexes: readonly number[]): EventOrigin {
  const origins = indexes.map((index) => {
    const request = requests[index];
    if (request === undefined || request.kind === 'observed') return 'webhook';
    return request.kind === 'event' ? request.job.origin : request.origin;
  });
  return origins.includes('webhook') ? 'webhook' : (origins[origins.length - 1] ?? 'webhook');
}

/**
 * Runs `work` in one transaction holding the lock rows of `keys`. A controlled transaction
 * (kysely's `startTransaction`), because isolating a poison item needs savepoints.
 */
async function withLockedTransaction<R>(
  db: Kysely<Database>,
  keys: readonly string[],
  work: (
    trx: Awaited<ReturnType<ReturnType<Kysely<Database>['startTransaction']>['execute']>>,
  ) => Promise<R>,
): Promise<R> {
  return withSpan(
    'pg transaction',
    {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'omise_sync.lock_keys': keys.length },
    },
    async () => {
      const trx = await db.startTransaction().execute();
      try {
        await lockResources(trx, keys);
        const result = await work(trx);
        await trx.commit().execute();
        return result;
      } catch (error) {
        // A dead connection cannot roll back; Postgres does it when the session ends.
        await trx
          .rollback()
          .execute()
          .catch(() => undefined);
        throw error;
      }
    },
  );
}

/**
 * Coalesces and fetches, inside the locked transaction: an event whose resource was fetched
 * after the event arrived (omise-sync's clock on both sides) needs no fetch; one fetch serves
 * every other event of the resource.
 */
async function planBatch(
  trx: Kysely<Database>,
  deps: ProjectionDeps,
  requests: readonly ProjectionRequest[],
  results: (ProjectionResult | undefined)[],
): Promise<Plan> {
  const plan = emptyPlan();
  for (const type of RESOURCE_TYPES) {
    await planType(trx, deps, type, requests, results, plan);
  }
  return plan;
}

async function planType<T extends ResourceType>(
  trx: Kysely<Database>,
  deps: ProjectionDeps,
  type: T,
  requests: readonly ProjectionRequest[],
  results: (ProjectionResult | undefined)[],
  plan: Plan,
): Promise<void> {
  const module = resourceModules[type];
  const writes = plan[type] as PlannedWrite<T>[];
  const eventsById = new Map<string, number[]>();
  const refetches = new Map<string, number[]>();
  const observed: PlannedWrite<T>[] = [];
  requests.forEach((request, index) => {
    if (request.kind === 'refetch') {
      if (request.resource.type !== type) return;
      refetches.set(request.resource.id, [...(refetches.get(request.resource.id) ?? []), index]);
    } else if (isEvent(request)) {
      if (request.resource.type !== type) return;
      if (request.job.account !== deps.account) {
        const error = new AccountConflictError(request.resource, deps.account, request.job.account);
        results[index] = { outcome: 'failed', error };
        return;
      }
      const group = eventsById.get(request.resource.id);
      if (group === undefined) eventsById.set(request.resource.id, [index]);
      else group.push(index);
    } else if (isObservedOf(request, type)) {
      observed.push({ item: request, requests: [index] });
    }
  });
  if (eventsById.size === 0 && observed.length === 0 && refetches.size === 0) return;
  const observedIds = observed.map((write) => module.idOf(write.item.observation));
  const stored = await module.findObservedAt(trx, [
    ...eventsById.keys(),
    ...refetches.keys(),
    ...observedIds,
  ]);
  // Ids another account owns fail here, before anything is fetched or written.
  const ownedElsewhere = (id: string, indexes: readonly number[]): boolean => {
    const owner = stored.get(id)?.account;
    if (owner === undefined || owner === deps.account) return false;
    const error = new AccountConflictError({ type, id }, owner, deps.account);
    for (const index of indexes) results[index] = { outcome: 'failed', error };
    return true;
  };
  observed.forEach((write, position) => {
    if (!ownedElsewhere(observedIds[position] ?? '', write.requests)) writes.push(write);
  });
  const toFetch: [string, number[]][] = [];
  for (const [id, indexes] of eventsById) {
    if (ownedElsewhere(id, indexes)) continue;
    const observedAt = stored.get(id)?.observedAt;
    const pending = indexes.filter((index) => {
      const job = (requests[index] as EventRequest).job;
      if (observedAt !== undefined && observedAt >= new Date(job.receivedAt)) {
        results[index] = { outcome: 'coalesced' };
        return false;
      }
      return true;
    });
    if (pending.length > 0) toFetch.push([id, pending]);
  }
  for (const [id, indexes] of refetches) {
    if (ownedElsewhere(id, indexes)) continue;
    const queued = toFetch.find(([queuedId]) => queuedId === id);
    if (queued === undefined) toFetch.push([id, indexes]);
    else queued[1].push(...indexes);
  }
  await Promise.all(
    toFetch.map(async ([id, indexes]) => {
      // Taken before the request is sent: the state returned is at least this new.
      const observedAt = deps.clock.now();
      try {
        const observation = await withSpan(
          `omise fetch ${type}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'omise.account': deps.account,
              'omise.resource.type': type,
              'omise.resource.id': id,
            },
          },
          () => module.fetch(deps.omise, id),
        );
        const origin = originOf(requests, indexes);
        writes.push({ item: { observation, origin, observedAt }, requests: indexes });
      } catch (error) {
        // A row once seen whose object is gone: a tombstone, where the module keeps them.
        if (
          error instanceof OmiseNotFoundError &&
          module.markDeleted !== undefined &&
          stored.has(id)
        ) {
          plan.tombstones.push({ type, id, deletedAt: observedAt, requests: indexes });
          return;
        }
        for (const index of indexes) {
          results[index] =
            error instanceof OmiseNotFoundError
              ? { outcome: 'not_found', error }
              : { outcome: 'error', error };
        }
      }
    }),
  );
}

function settle(
  write: Pick<PlannedWrite<ResourceType>, 'requests'>,
  outcome: WriteOutcome | undefined,
  results: (ProjectionResult | undefined)[],
): void {
  // The flag belongs to the first request only, so its notification is enqueued once.
  write.requests.forEach((index, position) => {
    results[index] = {
      outcome: 'projected',
      written: outcome?.written ?? false,
      children: outcome?.children ?? 0,
      flag: position === 0 ? outcome?.flag : undefined,
    };
  });
}

function eventRecordsOf(
  requests: readonly ProjectionRequest[],
  results: readonly (ProjectionResult | undefined)[],
  indexes: Iterable<number>,
  processedAt: Date,
): EventRecord[] {
  const records: EventRecord[] = [];
  for (const index of indexes) {
    const request = requests[index];
    const result = results[index];
    if (request === undefined || !isEvent(request) || result === undefined) continue;
    if (result.outcome === 'projected' || result.outcome === 'coalesced') {
      records.push(eventRecord(request.job, 'projected', processedAt));
    } else if (result.outcome === 'not_found') {
      records.push(eventRecord(request.job, 'not_found', processedAt, result.error.message));
    } else if (result.outcome === 'failed') {
      records.push(eventRecord(request.job, 'failed', processedAt, describeError(result.error)));
    }
  }
  return records;
}

/** Marks the planned tombstones; each answers its requests as projected (a deletion written). */
async function writeTombstones(
  trx: Kysely<Database>,
  deps: ProjectionDeps,
  tombstones: readonly PlannedTombstone[],
  results: (ProjectionResult | undefined)[],
): Promise<void> {
  for (const tombstone of tombstones) {
    const marked =
      (await resourceModules[tombstone.type].markDeleted?.(
        trx,
        [tombstone.id],
        tombstone.deletedAt,
        deps,
      )) ?? [];
    settle(tombstone, { written: marked.length > 0, children: 0 }, results);
  }
}

async function writeType<T extends ResourceType>(
  trx: Kysely<Database>,
  deps: ProjectionDeps,
  type: T,
  writes: readonly PlannedWrite<T>[],
): Promise<WriteOutcome[]> {
  if (writes.length === 0) return [];
  return resourceModules[type].write(
    trx,
    writes.map((write) => write.item),
    deps,
  );
}

/**
 * Projects a batch: the one way any Omise resource becomes rows. In one transaction it takes
 * the lock rows of every resource in the batch (in one global order, so no two writers can
 * deadlock, and no reader can hold them), skips events whose resource was fetched after they
 * arrived, fetches the rest (one fetch per resource), writes every observation with its
 * children and follow-up steps through its resource module (an older observation never
 * replaces a newer one), and records each event's outcome.
 *
 * An item that cannot be written (a value Postgres refuses, an object the mappers cannot read)
 * fails alone: the batch is written again item by item, each in a savepoint, the failing ones
 * recorded `failed`, the rest committed. A connection failure fails the whole batch (thrown).
 * @returns one result per request, in order
 */
export async function projectBatch(
  deps: ProjectionDeps,
  requests: readonly ProjectionRequest[],
  options: ProjectBatchOptions = {},
): Promise<ProjectionResult[]> {
  const keys = [...new Set(requests.map((request) => lockKey(resourceOf(request))))].sort();
  await ensureResourceLocks(deps.db, keys);
  const results: (ProjectionResult | undefined)[] = requests.map(() => undefined);
  let plan: Plan | undefined;
  try {
    await withLockedTransaction(deps.db, keys, async (trx) => {
      plan = await planBatch(trx, deps, requests, results);
      for (const type of RESOURCE_TYPES) {
        const writes = plan[type] as PlannedWrite<ResourceType>[];
        const outcomes = await writeType(trx, deps, type, plan[type]);
        writes.forEach((write, index) => settle(write, outcomes[index], results));
      }
      await writeTombstones(trx, deps, plan.tombstones, results);
      await recordEvents(trx, eventRecordsOf(requests, results, requests.keys(), deps.clock.now()));
      await options.inTransaction?.(trx, settled(results));
    });
  } catch (error) {
    if (plan === undefined || !isRowError(error)) throw error;
    await writeIsolated(deps, keys, requests, results, plan, options);
  }
  return settled(results);
}

function settled(results: readonly (ProjectionResult | undefined)[]): ProjectionResult[] {
  return results.map((result) => result ?? { outcome: 'error', error: new Error('no result') });
}

/** The slow path of {@link projectBatch}: every item in its own savepoint. */
async function writeIsolated(
  deps: ProjectionDeps,
  keys: readonly string[],
  requests: readonly ProjectionRequest[],
  results: (ProjectionResult | undefined)[],
  plan: Plan,
  options: ProjectBatchOptions,
): Promise<void> {
  await withLockedTransaction(deps.db, keys, async (trx) => {
    const handled = new Set<number>();
    for (const type of RESOURCE_TYPES) {
      for (const write of plan[type] as PlannedWrite<ResourceType>[]) {
        for (const index of write.requests) handled.add(index);
        const savepoint = await trx.savepoint('item').execute();
        try {
          const [outcome] = await writeType(savepoint, deps, type, [write]);
          settle(write, outcome, results);
          await recordEvents(
            savepoint,
            eventRecordsOf(requests, results, write.requests, deps.clock.now()),
          );
          await savepoint.releaseSavepoint('item').execute();
        } catch (error) {
          if (!isRowError(error)) throw error;
          await savepoint.rollbackToSavepoint('item').execute();
          for (const index of write.requests) results[index] = { outcome: 'failed', error };
          await recordEvents(
            trx,
            eventRecordsOf(requests, results, write.requests, deps.clock.now()),
          );
        }
      }
    }
    await writeTombstones(trx, deps, plan.tombstones, results);
    const rest = [...requests.keys()].filter((index) => !handled.has(index));
    await recordEvents(trx, eventRecordsOf(requests, results, rest, deps.clock.now()));
    await options.inTransaction?.(trx, settled(results));
  });
}
