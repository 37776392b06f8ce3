import { omiseIdPattern, toStorableJson, toStorableText } from '@omise-sync/core';
import {
  type NewCharge,
  type NewRefund,
  type RecordsetColumn,
  chunk,
  findStoredObservations,
  guardedRecordsetUpsert,
  MAX_ROWS_PER_RECORDSET,
  newestPerId,
} from '@omise-sync/db';
import type { Charge, Refund } from '@omise-sync/omise-client';
import { sql } from 'kysely';
import { type ProjectionContext, collect, expandableId } from '../projection-context';
import type { ResourceModule, WriteOutcome } from '../resource-module';

/** A charge with its complete list of refunds (not just the first embedded page). */
export interface ChargeObservation {
  charge: Charge;
  refunds: readonly Refund[];
}

/** Card fields that may be stored; everything else (name, expiry, fingerprint, BIN…) is dropped. */
const STORED_CARD_FIELDS = ['object', 'id', 'livemode', 'brand', 'last_digits'] as const;

function stringField(source: Record<string, unknown> | null | undefined, key: string) {
  const value = source?.[key];
  return typeof value === 'string' && value !== '' ? toStorableText(value) : null;
}

function storableObject(value: object): Record<string, unknown> {
  return toStorableJson(value) as Record<string, unknown>;
}

/**
 * The card as stored in `raw`: brand and last digits only. Card data beyond that is never
 * persisted, even in the raw JSON that BI users can read.
 */
export function redactCard(card: Charge['card']): Record<string, unknown> | null | undefined {
  if (card === null || card === undefined) return card;
  return Object.fromEntries(
    STORED_CARD_FIELDS.filter((key) => card[key] !== undefined).map((key) => [key, card[key]]),
  );
}

/**
 * Charges from API versions before 2015 have no `status`; it is derived from their flags the
 * way later versions define it.
 */
function chargeStatus(charge: Charge): string {
  if (charge.status !== undefined) return charge.status;
  if (charge.failure_code) return 'failed';
  if (charge.reversed === true) return 'reversed';
  if (charge.expired === true) return 'expired';
  if (isPaid(charge)) return 'successful';
  return 'pending';
}

/** `paid` since 2015; the oldest charges only say `captured`. */
function isPaid(charge: Charge): boolean {
  return charge.paid ?? charge['captured'] === true;
}

/** Maps a charge as Omise returned it to its `omise.charges` row. Pure. */
export function toChargeRow(charge: Charge, context: ProjectionContext): NewCharge {
  const card = charge.card ?? null;
  return {
    id: charge.id,
    livemode: charge.livemode,
    amount: charge.amount,
    currency: charge.currency.toUpperCase(),
    status: toStorableText(chargeStatus(charge)),
    authorized: charge.authorized ?? false,
    paid: isPaid(charge),
    capturable: charge.capturable ?? false,
    reversed: charge.reversed ?? false,
    expired: charge.expired ?? false,
    // `refunded` before API 2019-05-29, `refunded_amount` since.
    refunded_amount: charge.refunded_amount ?? charge.refunded ?? 0,
    failure_code: toStorableText(charge.failure_code ?? null),
    failure_message: toStorableText(charge.failure_message ?? null),
    customer_id: toStorableText(expandableId(charge.customer)),
    card_brand: stringField(card, 'brand'),
    card_last_digits: stringField(card, 'last_digits'),
    description: toStorableText(charge.description ?? null),
    metadata: storableObject(charge.metadata ?? {}),
    created_at: charge.created_at,
    authorized_at: charge.authorized_at ?? null,
    paid_at: charge.paid_at ?? null,
    expires_at: charge.expires_at ?? null,
    reversed_at: charge.reversed_at ?? null,
    raw: storableObject(card === null ? charge : { ...charge, card: redactCard(card) }),
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/** Maps a refund to its `omise.refunds` row; `charge` supplies what old refunds lack. Pure. */
export function toRefundRow(
  refund: Refund,
  charge: Pick<Charge, 'id' | 'livemode'>,
  context: ProjectionContext,
): NewRefund {
  return {
    id: refund.id,
    charge_id: expandableId(refund.charge) ?? charge.id,
    livemode: refund.livemode ?? charge.livemode,
    amount: refund.amount,
    currency: refund.currency.toUpperCase(),
    // Refunds before API 2017 carry no status; omise-java knows only `closed` today.
    status: toStorableText(refund.status ?? 'unknown'),
    voided: refund.voided ?? false,
    metadata: storableObject(refund.metadata ?? {}),
    created_at: refund.created_at,
    raw: storableObject(refund),
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/**
 * The refunds embedded in a charge, when the embedded list is complete; `undefined` when it
 * is missing or truncated and must be paged through `refunds.list`.
 */
export function embeddedRefunds(charge: Charge): Refund[] | undefined {
  const list = charge.refunds;
  if (list === undefined) return undefined;
  return list.data.length >= list.total ? list.data : undefined;
}

/** `omise.charges` as written (every column but `projected_at`). */
const CHARGE_COLUMNS: readonly RecordsetColumn<NewCharge>[] = [
  ['id', 'text'],
  ['account', 'text'],
  ['livemode', 'boolean'],
  ['amount', 'bigint'],
  ['currency', 'text'],
  ['status', 'text'],
  ['authorized', 'boolean'],
  ['paid', 'boolean'],
  ['capturable', 'boolean'],
  ['reversed', 'boolean'],
  ['expired', 'boolean'],
  ['refunded_amount', 'bigint'],
  ['failure_code', 'text'],
  ['failure_message', 'text'],
  ['customer_id', 'text'],
  ['card_brand', 'text'],
  ['card_last_digits', 'text'],
  ['description', 'text'],
  ['metadata', 'jsonb'],
  ['created_at', 'timestamptz'],
  ['authorized_at', 'timestamptz'],
  ['paid_at', 'timestamptz'],
  ['expires_at', 'timestamptz'],
  ['reversed_at', 'timestamptz'],
  ['raw', 'jsonb'],
  ['origin', 'text'],
  ['observed_at', 'timestamptz'],
];

/** `omise.refunds` as written (every column but `projected_at`). */
const REFUND_COLUMNS: readonly RecordsetColumn<NewRefund>[] = [
  ['id', 'text'],
  ['account', 'text'],
  ['charge_id', 'text'],
  ['livemode', 'boolean'],
  ['amount', 'bigint'],
  ['currency', 'text'],
  ['status', 'text'],
  ['voided', 'boolean'],
  ['metadata', 'jsonb'],
  ['created_at', 'timestamptz'],
  ['raw', 'jsonb'],
  ['origin', 'text'],
  ['observed_at', 'timestamptz'],
];

const CHARGES = guardedRecordsetUpsert<NewCharge>('omise.charges', CHARGE_COLUMNS);
const REFUNDS = guardedRecordsetUpsert<NewRefund>('omise.refunds', REFUND_COLUMNS);

/** What a charge adds to its customer's lifetime volume: successful charges net of refunds. */
const NET = `(CASE WHEN status = 'successful' THEN amount - refunded_amount ELSE 0 END)`;

/**
 * Writes charges and their refunds in ONE statement (data-modifying CTEs, each table's rows
 * in one jsonb parameter per chunk), each upsert guarded by `observed_at`.
 * @returns the ids written (rows refused by the guard are not listed)
 */
async function writeChargeRows(
  trx: Parameters<ResourceModule<ChargeObservation>['write']>[0],
  charges: readonly NewCharge[],
  refunds: readonly NewRefund[],
): Promise<{ charges: Set<string>; refunds: Map<string, number> }> {
  // Rows in id order, so two statements touching the same rows lock them in the same order.
  const byId = <T extends { id: string }>(rows: T[]) => rows.sort((x, y) => (x.id < y.id ? -1 : 1));
  const upserts = [
    ...chunk(byId(newestPerId(charges)), MAX_ROWS_PER_RECORDSET).map((rows) => ({
      statement: sql`${CHARGES.statement(rows)}
        RETURNING id, NULL::text AS charge_id, account, created_at, currency, status, paid,
                  amount, refunded_amount, customer_id`,
      kind: 'charge',
    })),
    ...chunk(byId(newestPerId(refunds)), MAX_ROWS_PER_RECORDSET).map((rows) => ({
      statement: sql`${REFUNDS.statement(rows)} RETURNING id, charge_id`,
      kind: 'refund',
    })),
  ];
  const written = { charges: new Set<string>(), refunds: new Map<string, number>() };
  if (upserts.length === 0) return written;
  // Data-modifying CTEs: every upsert runs to completion in one round trip.
  const ctes = upserts.map(
    ({ statement }, index) => sql`${sql.raw(`w${index}`)} AS (${statement})`,
  );
  const chargeCtes = upserts.flatMap(({ kind }, index) => (kind === 'charge' ? [`w${index}`] : []));
  if (chargeCtes.length > 0) {
    // The charge summaries: each written charge's new values are added and its stored ones
    // subtracted (`delta`). Every CTE sees the rows as they were before the statement, and the
    // charges' lock rows keep any other writer out meanwhile. Summary rows are shared by many
    // charges, so each statement takes them in key order: two writers never deadlock on them.
    const ids = charges.map((row) => row.id);
    const writtenIds = chargeCtes.map((name) => `SELECT id FROM ${name}`).join(' UNION ALL ');
    const newValues = chargeCtes
      .map(
        (name) =>
          `SELECT account, created_at, currency, status, paid, 1 AS n, amount, refunded_amount,
                  customer_id, ${NET} AS net FROM ${name}`,
      )
      .join(' UNION ALL ');
    ctes.push(sql`previous AS (
      SELECT id, account, created_at, currency, status, paid, amount, refunded_amount, customer_id
        FROM omise.charges WHERE id = ANY(${ids}::text[]))`);
    ctes.push(sql`delta AS (
      ${sql.raw(newValues)}
      UNION ALL
      SELECT account, created_at, currency, status, paid, -1, -amount, -refunded_amount,
             customer_id, -${sql.raw(NET)}
        FROM previous WHERE id IN (${sql.raw(writtenIds)}))`);
    // bi.daily_charge_volume's and bi.monthly_dispute_rate's groups (omise.charge_daily).
    ctes.push(sql`summed AS (
      INSERT INTO omise.charge_daily AS s
             (account, day, currency, status, paid, charge_count, amount_total, refunded_total)
      SELECT account, (created_at AT TIME ZONE 'UTC')::date, currency, status, paid,
             sum(n), sum(amount), sum(refunded_amount)
        FROM delta
       GROUP BY 1, 2, 3, 4, 5
       ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (account, day, currency, status, paid) DO UPDATE
         SET charge_count = s.charge_count + excluded.charge_count,
             amount_total = s.amount_total + excluded.amount_total,
             refunded_total = s.refunded_total + excluded.refunded_total)`);
    // bi.customers' totals (omise.customer_charge_totals), one row per customer, by the same
    // deltas: summed per currency, then each customer's currencies merged into its stored
    // `net_by_currency`. Omise never moves a charge to another customer, currency or creation
    // time, so first and last only ever widen, and `currency` (the one currency, NULL once
    // there are several) only ever goes from one to NULL.
    ctes.push(sql`customer_summed AS (
      INSERT INTO omise.customer_charge_totals AS t
             (account, customer_id, charge_count, first_charge_at, last_charge_at, currency,
              net_by_currency)
      SELECT account, customer_id, sum(n), min(first_at), max(last_at),
             CASE WHEN count(*) = 1 THEN min(currency) END, jsonb_object_agg(currency, net)
        FROM (SELECT account, customer_id, currency, sum(n) AS n,
                     min(created_at) FILTER (WHERE n > 0) AS first_at,
                     max(created_at) FILTER (WHERE n > 0) AS last_at, sum(net) AS net
                FROM delta
               WHERE customer_id IS NOT NULL
               GROUP BY 1, 2, 3) per_currency
       GROUP BY 1, 2
       ORDER BY 2, 1
      ON CONFLICT (customer_id, account) DO UPDATE
         SET charge_count = t.charge_count + excluded.charge_count,
             first_charge_at = least(t.first_charge_at, excluded.first_charge_at),
             last_charge_at = greatest(t.last_charge_at, excluded.last_charge_at),
             currency = CASE WHEN t.currency = excluded.currency THEN t.currency END,
             net_by_currency = (
               SELECT jsonb_object_agg(key, total)
                 FROM (SELECT key, sum(value::bigint) AS total
                         FROM (SELECT * FROM jsonb_each_text(t.net_by_currency)
                               UNION ALL
                               SELECT * FROM jsonb_each_text(excluded.net_by_currency)) amounts
                        GROUP BY key) merged))`);
  }
  const selects = upserts.map(({ kind }, index) =>
    sql.raw(`SELECT '${kind}' AS kind, id, charge_id FROM w${index}`),
  );
  const { rows } = await sql<{ kind: string; id: string; charge_id: string | null }>`
    WITH ${sql.join(ctes)} ${sql.join(selects, sql` UNION ALL `)}`.execute(trx);
  for (const row of rows) {
    if (row.kind === 'charge') written.charges.add(row.id);
    else if (row.charge_id !== null) {
      written.refunds.set(row.charge_id, (written.refunds.get(row.charge_id) ?? 0) + 1);
    }
  }
  return written;
}

/** Charges, each with all of its refunds; refund events project their charge. */
export const chargeResource: ResourceModule<ChargeObservation> = {
  type: 'charge',
  idPattern: omiseIdPattern('chrg'),

  async fetch(omise, chargeId) {
    const charge = await omise.charges.retrieve(chargeId);
    // The embedded first page is enough unless the charge has more refunds than it holds.
    const refunds = embeddedRefunds(charge) ?? (await collect(omise.refunds.list(chargeId)));
    return { charge, refunds };
  },

  idOf: (observation) => observation.charge.id,

  findObservedAt: (db, ids) => findStoredObservations(db, 'omise.charges', ids),

  async write(trx, items, { account }) {
    const written = await writeChargeRows(
      trx,
      items.map((item) => ({ ...toChargeRow(item.observation.charge, item), account })),
      items.flatMap((item) =>
        item.observation.refunds.map((refund) => ({
          ...toRefundRow(refund, item.observation.charge, item),
          account,
        })),
      ),
    );
    return items.map(({ observation }): WriteOutcome => ({
      written: written.charges.has(observation.charge.id),
      children: written.refunds.get(observation.charge.id) ?? 0,
    }));
  },
};
