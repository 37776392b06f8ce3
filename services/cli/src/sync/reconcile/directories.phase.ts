import {
  type ListedTable,
  findLiveDirectoryIds,
  findSyncCheckpoint,
  saveSyncCheckpoint,
} from '@omise-sync/db';
import { MAX_PAGE_SIZE } from '@omise-sync/omise-client';
import {
  type ObservedRequest,
  type ResourceType,
  collect,
  embeddedCards,
  embeddedOccurrences,
  projectBatch,
  toCustomerRow,
  toLinkRow,
  toRecipientRow,
  toScheduleRow,
  toTransferRow,
} from '@omise-sync/projection';
import { sql } from 'kysely';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { type DriftLedger } from './drift-ledger';
import { type ReconcileDeps, type ReconcileOptions } from './reconcile.types';
import { repair } from './repair';

/** One directory resource as reconcile walks it. */
interface Directory {
  type: ResourceType;
  table: ListedTable;
  /** Every object Omise has, each as the projection observes it (with its children). */
  observe(deps: ReconcileDeps, observedAt: Date): Promise<Map<string, ObservedRequest>>;
  /** The `raw` the row would have: what reconcile compares with the stored row. */
  raw(request: ObservedRequest, deps: ReconcileDeps): unknown;
}

const ALL = { limit: MAX_PAGE_SIZE, order: 'chronological' } as const;

function observed(
  entries: readonly (readonly [string, ObservedRequest])[],
): Map<string, ObservedRequest> {
  return new Map(entries);
}

const context = (request: ObservedRequest) => ({
  origin: request.origin,
  observedAt: request.observedAt,
});

const DIRECTORIES: readonly Directory[] = [
  {
    type: 'customer',
    table: 'omise.customers',
    observe: async (deps, observedAt) =>
      observed(
        await Promise.all(
          (await collect(deps.omise.customers.list(ALL))).map(
            async (customer) =>
              [
                customer.id,
                {
                  kind: 'observed',
                  type: 'customer',
                  origin: 'reconcile',
                  observedAt,
                  observation: {
                    customer,
                    cards:
                      embeddedCards(customer) ??
                      (await collect(deps.omise.customers.cards(customer.id))),
                  },
                },
              ] as const,
          ),
        ),
      ),
    raw: (request, deps) =>
      request.type === 'customer'
        ? toCustomerRow(
            request.observation.customer,
            context(request),
            deps.pii ?? { mode: 'drop' },
          ).raw
        : undefined,
  },
  {
    type: 'recipient',
    table: 'omise.recipients',
    observe: async (deps, observedAt) =>
      observed(
        (await collect(deps.omise.recipients.list(ALL))).map((recipient) => [
          recipient.id,
          {
            kind: 'observed',
            type: 'recipient',
            origin: 'reconcile',
            observedAt,
            observation: { recipient },
          },
        ]),
      ),
    raw: (request, deps) =>
      request.type === 'recipient'
        ? toRecipientRow(
            request.observation.recipient,
            context(request),
            deps.pii ?? { mode: 'drop' },
          ).raw
        : undefined,
  },
  {
    type: 'schedule',
    table: 'omise.schedules',
    observe: async (deps, observedAt) =>
      observed(
        await Promise.all(
          (await collect(deps.omise.schedules.list(ALL))).map(
            async (schedule) =>
              [
                schedule.id,
                {
                  kind: 'observed',
                  type: 'schedule',
                  origin: 'reconcile',
                  observedAt,
                  observation: {
                    schedule,
                    occurrences:
                      embeddedOccurrences(schedule) ??
                      (await collect(deps.omise.schedules.occurrences(schedule.id))),
                  },
                },
              ] as const,
          ),
        ),
      ),
    raw: (request) =>
      request.type === 'schedule'
        ? toScheduleRow(request.observation.schedule, context(request)).raw
        : undefined,
  },
  {
    type: 'link',
    table: 'omise.links',
    observe: async (deps, observedAt) =>
      observed(
        (await collect(deps.omise.links.list(ALL))).map((link) => [
          link.id,
          {
            kind: 'observed',
            type: 'link',
            origin: 'reconcile',
            observedAt,
            observation: { link },
          },
        ]),
      ),
    raw: (request) =>
      request.type === 'link'
        ? toLinkRow(request.observation.link, context(request)).raw
        : undefined,
  },
  {
    type: 'transfer',
    table: 'omise.transfers',
    observe: async (deps, observedAt) =>
      observed(
        (await collect(deps.omise.transfers.list(ALL))).map((transfer) => [
          transfer.id,
          {
            kind: 'observed',
            type: 'transfer',
            origin: 'reconcile',
            observedAt,
            observation: { id: transfer.id, transfer },
          },
        ]),
      ),
    raw: (request) =>
      request.type === 'transfer' && request.observation.transfer !== null
        ? toTransferRow(request.observation.transfer, context(request)).raw
        : undefined,
  },
];

/**
 * Phase 4: customers (with cards), recipients, schedules (with occurrences), links and
 * transfers. Every object Omise lists is compared with its row (`raw`) and written when missing
 * or different; every live row Omise no longer lists is fetched again through the projection core, which
 * makes it a tombstone on a 404 (ADR 0007). Returns how many objects it compared.
 */
export async function reconcileDirectories(
  deps: ReconcileDeps,
  ledger: DriftLedger,
): Promise<number> {
  let compared = 0;
  for (const directory of DIRECTORIES) {
    const listedAt = deps.clock.now();
    const listed = await directory.observe(deps, listedAt);
    const { rows } = await sql<{ id: string; raw: unknown; deleted_at: Date | null }>`
      SELECT id, raw, deleted_at FROM ${sql.table(directory.table)}
       WHERE account = ${deps.account} AND id = ANY(${[...listed.keys()]})`.execute(deps.db);
    const stored = new Map(rows.map((row) => [row.id, row]));
    const repairs: ObservedRequest[] = [];
    for (const [id, request] of listed) {
      compared += 1;
      const row = stored.get(id);
      const kind =
        row === undefined
          ? 'directory_missing'
          : row.deleted_at !== null ||
              !isDeepStrictEqual(row.raw, asStored(directory.raw(request, deps)))
            ? 'directory_stale'
            : undefined;
      if (kind === undefined) continue;
      ledger.found(kind, id);
      repairs.push(request);
    }
    if (repairs.length > 0) {
      await repair(deps, repairs);
      for (const request of repairs) {
        ledger.fixed(stored.has(idOfObserved(request)) ? 'directory_stale' : 'directory_missing');
      }
    }
    const gone = (await findLiveDirectoryIds(deps.db, directory.table, deps.account)).filter(
      (id) => !listed.has(id),
    );
    if (gone.length === 0) continue;
    compared += gone.length;
    const results = await projectBatch(
      deps,
      gone.map((id) => ({
        kind: 'refetch',
        resource: { type: directory.type, id },
        origin: 'reconcile',
      })),
    );
    results.forEach((result, index) => {
      if (result.outcome !== 'projected' || !result.written) return;
      const id = gone[index] ?? '';
      ledger.found('directory_deleted', id);
      ledger.fixed('directory_deleted');
    });
  }
  return compared;
}

function idOfObserved(request: ObservedRequest): string {
  switch (request.type) {
    case 'customer':
      return request.observation.customer.id;
    case 'recipient':
      return request.observation.recipient.id;
    case 'schedule':
      return request.observation.schedule.id;
    case 'link':
      return request.observation.link.id;
    case 'charge':
      return request.observation.charge.id;
    case 'dispute':
      return request.observation.dispute.id;
    case 'transfer':
      return request.observation.id;
  }
}

/** A value as jsonb gives it back: undefined members gone. */
function asStored(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** Per account: when the last full walk of phase 4 completed. */
const WALK_CHECKPOINT = 'reconcile:directories';
const WalkRecord = z.object({ completedAt: z.iso.datetime() });

/**
 * Phase 4 when it is due: never walked, or the last completed walk is `directoriesEveryMs`
 * old, or forced. Its lists are walked whole (Omise lists by creation, not by change), so on
 * a large account a run every 15 minutes would spend most of its API budget here.
 * @returns how many objects it compared (null when not due), and when the walk it relies on ended
 */
export async function reconcileDirectoriesWhenDue(
  deps: ReconcileDeps,
  options: Pick<ReconcileOptions, 'directoriesEveryMs' | 'forceDirectories'>,
  ledger: DriftLedger,
): Promise<{ compared: number | null; walkedAt: Date | null }> {
  const stored = await findSyncCheckpoint(deps.db, WALK_CHECKPOINT, deps.account);
  const record = WalkRecord.safeParse(stored?.cursor);
  const last = record.success ? new Date(record.data.completedAt) : null;
  const everyMs = options.directoriesEveryMs ?? 0;
  const due =
    options.forceDirectories === true ||
    last === null ||
    deps.clock.now().getTime() - last.getTime() >= everyMs;
  if (!due) return { compared: null, walkedAt: last };
  const compared = await reconcileDirectories(deps, ledger);
  const walkedAt = deps.clock.now();
  await saveSyncCheckpoint(
    deps.db,
    WALK_CHECKPOINT,
    { completedAt: walkedAt.toISOString() },
    deps.account,
  );
  return { compared, walkedAt };
}
