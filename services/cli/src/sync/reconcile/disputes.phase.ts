import { type Dispute, MAX_PAGE_SIZE, OmiseNotFoundError } from '@omise-sync/omise-client';
import {
  type DisputeObservation,
  collect,
  embeddedDocuments,
  resourceModules,
  toDisputeRow,
} from '@omise-sync/projection';
import { type DriftKind, disputeDifferences } from '../drift';
import { type DriftLedger } from './drift-ledger';
import { type ReconcileDeps } from './reconcile.types';
import { repair } from './repair';

/**
 * Projects a dispute fetched by reconcile, the way the worker does (lock, flag, documents).
 * When the SQL guard refuses the row, a newer observation is already stored (the worker may
 * have projected an event reconcile just enqueued): either way the drift is gone.
 */
async function repairDispute(
  deps: ReconcileDeps,
  dispute: Dispute,
  observedAt: Date,
): Promise<void> {
  const documents =
    embeddedDocuments(dispute) ?? (await collect(deps.omise.documents.list(dispute.id)));
  const observation: DisputeObservation = { dispute, documents };
  await repair(deps, [
    { kind: 'observed', type: 'dispute', observation, origin: 'reconcile', observedAt },
  ]);
}

/**
 * Phase 2: compares disputes with their rows and repairs what differs: every open or pending
 * dispute at Omise, every dispute of any status created since `since`, every stored dispute
 * that is still active in Postgres, and every stored dispute without a flag (so a dispute that
 * opened and closed unseen still gets its one flag). Returns how many disputes it compared.
 */
export async function reconcileDisputes(
  deps: ReconcileDeps,
  since: Date,
  ledger: DriftLedger,
): Promise<number> {
  const listedAt = deps.clock.now();
  // Collected before anything is repaired: filtered lists shift while their items change.
  const listed = new Map<string, Dispute>();
  for (const status of ['open', 'pending'] as const) {
    for (const dispute of await collect(deps.omise.disputes.list({ status }))) {
      listed.set(dispute.id, dispute);
    }
  }
  for (const dispute of await collect(
    deps.omise.disputes.list({ from: since, order: 'chronological', limit: MAX_PAGE_SIZE }),
  )) {
    listed.set(dispute.id, dispute);
  }
  const rows = await deps.db
    .selectFrom('omise.disputes')
    .leftJoin('omise.dispute_flags', 'omise.dispute_flags.dispute_id', 'omise.disputes.id')
    .selectAll('omise.disputes')
    .select('omise.dispute_flags.dispute_id as flag_id')
    .where((eb) =>
      eb.or([
        eb('omise.disputes.status', 'in', ['open', 'pending']),
        eb('omise.dispute_flags.dispute_id', 'is', null),
        ...(listed.size === 0 ? [] : [eb('omise.disputes.id', 'in', [...listed.keys()])]),
      ]),
    )
    .execute();
  const stored = new Map(rows.map((row) => [row.id, row]));
  let compared = 0;
  const context = { origin: 'reconcile' as const, observedAt: listedAt };

  for (const dispute of listed.values()) {
    compared += 1;
    const row = stored.get(dispute.id);
    let kind: DriftKind | undefined;
    if (row === undefined) kind = 'dispute_missing';
    else if (row.flag_id === null) kind = 'dispute_unflagged';
    else if (
      row.observed_at < listedAt &&
      disputeDifferences(toDisputeRow(dispute, context, deps.responseDays), row).length > 0
    ) {
      kind = 'dispute_stale';
    }
    if (kind === undefined) continue;
    ledger.found(kind, dispute.id);
    await repairDispute(deps, dispute, listedAt);
    ledger.fixed(kind);
  }

  // Active or unflagged in Postgres but not listed: closed (or gone) since it was last seen.
  for (const row of rows) {
    const active = row.status === 'open' || row.status === 'pending';
    if (listed.has(row.id) || (!active && row.flag_id !== null)) continue;
    compared += 1;
    const fetchedAt = deps.clock.now();
    let observation: DisputeObservation;
    try {
      observation = await resourceModules.dispute.fetch(deps.omise, row.id);
    } catch (error) {
      if (!(error instanceof OmiseNotFoundError)) throw error;
      ledger.found('dispute_unknown', row.id);
      continue;
    }
    if (row.observed_at >= fetchedAt) continue;
    const stale =
      disputeDifferences(toDisputeRow(observation.dispute, context, deps.responseDays), row)
        .length > 0;
    if (row.flag_id !== null && !stale) continue;
    const kind: DriftKind = row.flag_id === null ? 'dispute_unflagged' : 'dispute_stale';
    ledger.found(kind, row.id);
    await repair(deps, [
      {
        kind: 'observed',
        type: 'dispute',
        observation,
        origin: 'reconcile',
        observedAt: fetchedAt,
      },
    ]);
    ledger.fixed(kind);
  }
  return compared;
}
