import { type Charge, type Refund, MAX_PAGE_SIZE } from '@omise-sync/omise-client';
import {
  type ChargeObservation,
  collect,
  embeddedRefunds,
  toChargeRow,
  toRefundRow,
} from '@omise-sync/projection';
import { type DriftKind, chargeDifferences, refundDifferences } from '../drift';
import { type DriftLedger } from './drift-ledger';
import { type ReconcileDeps } from './reconcile.types';
import { repair } from './repair';

/**
 * Phase 3: compares every charge created since `since` (and its refunds) with its rows and
 * repairs what differs; charges Postgres holds in the window that Omise does not list are
 * reported. Returns how many charges it compared.
 */
export async function reconcileCharges(
  deps: ReconcileDeps,
  since: Date,
  ledger: DriftLedger,
): Promise<number> {
  let compared = 0;
  const seen = new Set<string>();
  const first = await deps.omise.charges
    .list({ from: since, limit: MAX_PAGE_SIZE, order: 'chronological' })
    .page(0);
  // The window's end is pinned to Omise's "now" of the first page, as the list iterator does.
  const to = first.to;
  const list = deps.omise.charges.list({
    from: since,
    to,
    limit: MAX_PAGE_SIZE,
    order: 'chronological',
  });
  let page = first;
  let requestedAt = deps.clock.now();
  for (let offset = 0; ;) {
    const charges = page.data.filter((charge) => !seen.has(charge.id));
    for (const charge of charges) seen.add(charge.id);
    compared += charges.length;
    await compareChargePage(deps, charges, requestedAt, ledger);
    offset += page.data.length;
    if (page.data.length === 0 || offset >= page.total) break;
    requestedAt = deps.clock.now();
    page = await list.page(offset);
  }

  // Charges Postgres holds in the window that Omise does not list: reported, not repaired.
  const storedIds = await deps.db
    .selectFrom('omise.charges')
    .select('id')
    .where('created_at', '>=', since)
    .where('created_at', '<=', new Date(to))
    .execute();
  for (const { id } of storedIds) if (!seen.has(id)) ledger.found('charge_unknown', id);
  return compared;
}

async function compareChargePage(
  deps: ReconcileDeps,
  charges: readonly Charge[],
  requestedAt: Date,
  ledger: DriftLedger,
): Promise<void> {
  if (charges.length === 0) return;
  const ids = charges.map((charge) => charge.id);
  const rows = new Map(
    (await deps.db.selectFrom('omise.charges').selectAll().where('id', 'in', ids).execute()).map(
      (row) => [row.id, row],
    ),
  );
  const refundRows = new Map(
    (
      await deps.db.selectFrom('omise.refunds').selectAll().where('charge_id', 'in', ids).execute()
    ).map((row) => [row.id, row]),
  );
  const context = { origin: 'reconcile' as const, observedAt: requestedAt };
  const repairs: { observation: ChargeObservation; kinds: DriftKind[] }[] = [];
  for (const charge of charges) {
    const row = rows.get(charge.id);
    // A row observed after this page was requested is newer than what the page shows.
    if (row !== undefined && row.observed_at >= requestedAt) continue;
    const refunds: Refund[] =
      embeddedRefunds(charge) ?? (await collect(deps.omise.refunds.list(charge.id)));
    const kinds: DriftKind[] = [];
    if (row === undefined) kinds.push('charge_missing');
    else if (chargeDifferences(toChargeRow(charge, context), row).length > 0) {
      kinds.push('charge_stale');
    }
    for (const refund of refunds) {
      const refundRow = refundRows.get(refund.id);
      if (refundRow === undefined) kinds.push('refund_missing');
      else if (
        refundRow.observed_at < requestedAt &&
        refundDifferences(toRefundRow(refund, charge, context), refundRow).length > 0
      ) {
        kinds.push('refund_stale');
      }
    }
    if (kinds.length === 0) continue;
    for (const kind of kinds)
      ledger.found(kind, kind.startsWith('refund') ? `${charge.id}/refunds` : charge.id);
    repairs.push({ observation: { charge, refunds }, kinds });
  }
  if (repairs.length === 0) return;
  await repair(
    deps,
    repairs.map(({ observation }) => ({
      kind: 'observed',
      type: 'charge',
      observation,
      origin: 'reconcile',
      observedAt: requestedAt,
    })),
  );
  // A charge the guard refused has a newer observation stored: its drift is gone too.
  for (const { kinds } of repairs) for (const kind of kinds) ledger.fixed(kind);
  deps.logger.info({ repaired: repairs.length }, 'charges repaired from the list');
}
