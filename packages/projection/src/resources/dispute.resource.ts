import { omiseIdPattern, toStorableJson, toStorableText } from '@omise-sync/core';
import {
  type Database,
  type NewDispute,
  type NewDisputeDocument,
  chunk,
  findImmutableChargeFields,
  findDisputeFlag,
  findStoredObservations,
  json,
  newestPerId,
} from '@omise-sync/db';
import {
  type Charge,
  type Dispute,
  type DisputeDocument,
  type OmiseClient,
  OmiseNotFoundError,
} from '@omise-sync/omise-client';
import { type Kysely, sql } from 'kysely';
import { type ProjectionContext, collect, expandableId } from '../projection-context';
import type { FollowUpDeps, Observed, ResourceModule, WriteOutcome } from '../resource-module';
import {
  type DisputeResponseDays,
  dependsOnCardCountry,
  disputeRespondBy,
} from './dispute-deadline';
import { type WrittenFlag, insertDisputeFlag, resolveDisputeFlag } from './dispute-flags';
import { assessDisputeSeverity } from './dispute-severity';

/** A dispute with its complete document list. */
export interface DisputeObservation {
  dispute: Dispute;
  documents: readonly DisputeDocument[];
}

/** Statuses in which a dispute still needs the team's attention. */
const ACTIVE_STATUSES = new Set(['open', 'pending']);
/** Final statuses; the flag is resolved with this as its resolution. */
const CLOSED_STATUSES = new Set(['won', 'lost']);

/** True when the dispute is still being fought (open or pending). */
export function isDisputeActive(status: string): boolean {
  return ACTIVE_STATUSES.has(status);
}

/** True when the dispute was decided (won or lost). */
export function isDisputeClosed(status: string): boolean {
  return CLOSED_STATUSES.has(status);
}

/** The disputed charge's id, whether `charge` is an id or an expanded charge. */
export function disputeChargeId(dispute: Dispute): string {
  const id = expandableId(dispute.charge);
  if (id === null) throw new TypeError(`dispute ${dispute.id} names no charge`);
  return id;
}

function storableObject(value: object): Record<string, unknown> {
  return toStorableJson(value) as Record<string, unknown>;
}

/** What a dispute's row takes from its charge, where the dispute itself does not say. */
export interface DisputedChargeFields {
  /** The charge's customer (Omise's dispute names only the charge). */
  customerId?: string | null;
  /** The issuing country of the card charged, for per-country response days. */
  cardCountry?: string | null;
}

/**
 * Maps a dispute as Omise returned it to its `omise.disputes` row. Pure. Omise's dispute has no
 * deadline, so `respond_by` is derived from its opening, `responseDays` and, when that has
 * per-country entries, the disputed card's issuing country.
 */
export function toDisputeRow(
  dispute: Dispute,
  context: ProjectionContext,
  responseDays: DisputeResponseDays,
  { customerId = null, cardCountry = null }: DisputedChargeFields = {},
): NewDispute {
  // Documents live in their own table; the embedded page would only go stale in `raw`.
  const { documents: _documents, ...raw } = dispute;
  return {
    id: dispute.id,
    charge_id: disputeChargeId(dispute),
    customer_id: customerId,
    livemode: dispute.livemode,
    amount: dispute.amount,
    currency: dispute.currency.toUpperCase(),
    status: toStorableText(dispute.status),
    reason_code: toStorableText(dispute.reason_code ?? null),
    reason_message: toStorableText(dispute.reason_message ?? null),
    message: toStorableText(dispute.message ?? null),
    admin_message: toStorableText(dispute.admin_message ?? null),
    metadata: storableObject(dispute.metadata ?? {}),
    created_at: dispute.created_at,
    closed_at: dispute.closed_at ?? null,
    respond_by: disputeRespondBy(dispute.created_at, responseDays, cardCountry),
    raw: storableObject(raw),
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/** Maps one evidence document of `dispute` to its `omise.dispute_documents` row. Pure. */
export function toDisputeDocumentRow(
  document: DisputeDocument,
  dispute: Pick<Dispute, 'id' | 'created_at'>,
  context: ProjectionContext,
): NewDisputeDocument {
  return {
    id: document.id,
    dispute_id: dispute.id,
    livemode: document.livemode,
    filename: toStorableText(document.filename),
    kind: toStorableText(document.kind ?? null),
    download_uri: toStorableText(document.download_uri ?? null),
    deleted: document.deleted ?? false,
    // Documents recorded by API versions before 2019 have no time of their own; the dispute's
    // opening is the closest bound known (they cannot predate it).
    created_at: document.created_at ?? dispute.created_at,
    raw: storableObject(document),
    observed_at: context.observedAt,
  };
}

/**
 * The documents embedded in a dispute when that list is complete; `undefined` when it is
 * missing or truncated and must be paged through `documents.list`.
 */
export function embeddedDocuments(dispute: Dispute): DisputeDocument[] | undefined {
  const list = dispute.documents;
  if (list === undefined) return undefined;
  return list.data.length >= list.total ? list.data : undefined;
}

/** Upserts one dispute row; an older observation never replaces a newer one. */
async function upsertDispute(db: Kysely<Database>, row: NewDispute): Promise<boolean> {
  const result = await db
    .insertInto('omise.disputes')
    .values({ ...row, metadata: json(row.metadata), raw: json(row.raw) })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          charge_id: eb.ref('excluded.charge_id'),
          customer_id: eb.ref('excluded.customer_id'),
          livemode: eb.ref('excluded.livemode'),
          amount: eb.ref('excluded.amount'),
          currency: eb.ref('excluded.currency'),
          status: eb.ref('excluded.status'),
          reason_code: eb.ref('excluded.reason_code'),
          reason_message: eb.ref('excluded.reason_message'),
          message: eb.ref('excluded.message'),
          admin_message: eb.ref('excluded.admin_message'),
          metadata: eb.ref('excluded.metadata'),
          created_at: eb.ref('excluded.created_at'),
          closed_at: eb.ref('excluded.closed_at'),
          respond_by: eb.ref('excluded.respond_by'),
          raw: eb.ref('excluded.raw'),
          origin: eb.ref('excluded.origin'),
          observed_at: eb.ref('excluded.observed_at'),
          projected_at: sql<Date>`now()`,
        }))
        .whereRef('omise.disputes.observed_at', '<=', 'excluded.observed_at')
        .whereRef('omise.disputes.account', '=', 'excluded.account'),
    )
    .returning('id')
    .executeTakeFirst();
  return result !== undefined;
}

/**
 * Writes the complete document list of one dispute as observed at `observedAt`: documents in
 * `rows` are upserted (guarded by `observed_at`), and documents the dispute no longer lists
 * are marked `deleted`. A list older than what is stored for the dispute is ignored as a
 * whole. `rows` must be the whole list, not a page of it.
 * @returns how many documents were inserted, updated or marked deleted
 */
async function writeDisputeDocuments(
  db: Kysely<Database>,
  disputeId: string,
  rows: readonly NewDisputeDocument[],
  observedAt: Date,
): Promise<number> {
  // The list is one observation: if any document of this dispute was observed later, this
  // whole list is older, and even a document it alone contains must not be inserted.
  const newest = await db
    .selectFrom('omise.dispute_documents')
    .select((eb) => eb.fn.max('observed_at').as('observed_at'))
    .where('dispute_id', '=', disputeId)
    .executeTakeFirst();
  if (newest?.observed_at != null && new Date(newest.observed_at) > observedAt) return 0;
  let written = 0;
  for (const batch of chunk(newestPerId(rows))) {
    const result = await db
      .insertInto('omise.dispute_documents')
      .values(batch.map((row) => ({ ...row, raw: json(row.raw) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            dispute_id: eb.ref('excluded.dispute_id'),
            livemode: eb.ref('excluded.livemode'),
            filename: eb.ref('excluded.filename'),
            kind: eb.ref('excluded.kind'),
            download_uri: eb.ref('excluded.download_uri'),
            deleted: eb.ref('excluded.deleted'),
            created_at: eb.ref('excluded.created_at'),
            raw: eb.ref('excluded.raw'),
            observed_at: eb.ref('excluded.observed_at'),
            projected_at: sql<Date>`now()`,
          }))
          .whereRef('omise.dispute_documents.observed_at', '<=', 'excluded.observed_at')
          .whereRef('omise.dispute_documents.account', '=', 'excluded.account'),
      )
      .returning('id')
      .execute();
    written += result.length;
  }
  const listed = rows.map((row) => row.id);
  let missing = db
    .updateTable('omise.dispute_documents')
    .set({ deleted: true, observed_at: observedAt, projected_at: sql<Date>`now()` })
    .where('dispute_id', '=', disputeId)
    .where('deleted', '=', false)
    .where('observed_at', '<=', observedAt);
  if (listed.length > 0) missing = missing.where('id', 'not in', listed);
  const deleted = await missing.returning('id').execute();
  return written + deleted.length;
}

/** The disputed charge from Omise, or null when Omise no longer has it. */
type ChargeFromOmise = () => Promise<Charge | null>;

/**
 * Fetches the disputed charge from Omise on the first call only: a write may need it both for
 * the card's country and for what Postgres does not hold, and one request serves both.
 */
function chargeFromOmise(omise: OmiseClient, chargeId: string): ChargeFromOmise {
  let fetched: Promise<Charge | null> | undefined;
  return () =>
    (fetched ??= omise.charges.retrieve(chargeId).catch((error: unknown) => {
      if (error instanceof OmiseNotFoundError) return null;
      throw error;
    }));
}

/** The disputed charge's creation time and customer. */
interface DisputedCharge {
  createdAt: Date;
  customerId: string | null;
}

/**
 * The disputed charge's creation time and customer from Postgres, else from Omise; undefined
 * if it is gone. Neither ever changes, so a stored row is as good as a fetch.
 */
async function disputedCharge(
  db: Kysely<Database>,
  chargeId: string,
  fromOmise: ChargeFromOmise,
): Promise<DisputedCharge | undefined> {
  const stored = await findImmutableChargeFields(db, chargeId);
  if (stored !== undefined) return { createdAt: stored.created_at, customerId: stored.customer_id };
  const charge = await fromOmise();
  return charge === null
    ? undefined
    : { createdAt: new Date(charge.created_at), customerId: expandableId(charge.customer) };
}

function countryOf(charge: Record<string, unknown>): string | null {
  const card = charge['card'];
  if (card === null || typeof card !== 'object') return null;
  const country = (card as Record<string, unknown>)['country'];
  return typeof country === 'string' && country !== '' ? country : null;
}

/**
 * The country of the disputed card's issuing bank (`charge.card.country`), which picks the
 * per-country response days. Postgres keeps only a card's brand and last digits, so it comes
 * from the expanded charge or from Omise; null when nothing depends on it (no per-country
 * days), when the charge is gone or was not paid by card.
 */
async function disputeCardCountry(
  dispute: Dispute,
  responseDays: DisputeResponseDays,
  fromOmise: ChargeFromOmise,
): Promise<string | null> {
  if (!dependsOnCardCountry(responseDays)) return null;
  if (typeof dispute.charge === 'object') return countryOf(dispute.charge);
  const charge = await fromOmise();
  return charge === null ? null : countryOf(charge);
}

/**
 * The dispute's follow-up step, in the projection's transaction: the first time omise-sync
 * sees a dispute, whatever its state, it gets exactly one flag (keyed by the dispute id), graded
 * by the severity rules; a dispute first seen won or lost gets its flag resolved at once, so
 * a dispute that opened and closed between two looks still reaches the team. A flag is
 * resolved when its dispute is seen closed. Only live webhooks owe a notification.
 */
async function flagDispute(
  trx: Kysely<Database>,
  dispute: Dispute,
  context: ProjectionContext,
  deps: FollowUpDeps,
  chargeCreatedAt: Date | undefined,
): Promise<WrittenFlag | undefined> {
  const closed = isDisputeClosed(dispute.status);
  const now = deps.clock.now();
  const resolvedAt =
    dispute.closed_at === undefined || dispute.closed_at === null
      ? now
      : new Date(dispute.closed_at);
  if ((await findDisputeFlag(trx, dispute.id)) !== undefined) {
    if (closed) {
      await resolveDisputeFlag(trx, dispute.id, { resolution: dispute.status, resolvedAt });
    }
    return undefined;
  }
  const assessment = assessDisputeSeverity(
    {
      amount: dispute.amount,
      currency: dispute.currency,
      reasonCode: dispute.reason_code ?? null,
      openedAt: new Date(dispute.created_at),
      chargeCreatedAt,
    },
    deps.severityRules,
  );
  const flag: WrittenFlag = {
    disputeId: dispute.id,
    severity: assessment.severity,
    reasons: assessment.reasons,
    origin: context.origin,
    firstSeenStatus: toStorableText(dispute.status),
    notify: context.origin === 'webhook',
  };
  const inserted = await insertDisputeFlag(trx, {
    account: deps.account,
    dispute_id: flag.disputeId,
    flagged_at: now,
    severity: flag.severity,
    reasons: flag.reasons,
    origin: flag.origin,
    notify: flag.notify,
    first_seen_status: flag.firstSeenStatus,
    ...(closed ? { resolution: dispute.status, resolved_at: resolvedAt } : {}),
  });
  return inserted ? flag : undefined;
}

async function writeDispute(
  trx: Kysely<Database>,
  { observation: { dispute, documents }, ...context }: Observed<DisputeObservation>,
  deps: FollowUpDeps,
): Promise<WriteOutcome> {
  const { account } = deps;
  const chargeId = disputeChargeId(dispute);
  const fromOmise = chargeFromOmise(deps.omise, chargeId);
  const cardCountry = await disputeCardCountry(dispute, deps.responseDays, fromOmise);
  const charge = await disputedCharge(trx, chargeId, fromOmise);
  const written = await upsertDispute(trx, {
    ...toDisputeRow(dispute, context, deps.responseDays, {
      customerId: charge?.customerId ?? null,
      cardCountry,
    }),
    account,
  });
  const children = await writeDisputeDocuments(
    trx,
    dispute.id,
    documents.map((document) => ({ ...toDisputeDocumentRow(document, dispute, context), account })),
    context.observedAt,
  );
  // A row the guard refused is older than what is stored: its follow-ups ran already.
  const flag = written
    ? await flagDispute(trx, dispute, context, deps, charge?.createdAt)
    : undefined;
  return { written, children, flag };
}

/** Disputes with their evidence documents; follow-up: the dispute flag. */
export const disputeResource: ResourceModule<DisputeObservation> = {
  type: 'dispute',
  idPattern: omiseIdPattern('dspt'),

  async fetch(omise, disputeId) {
    const dispute = await omise.disputes.retrieve(disputeId);
    const documents =
      embeddedDocuments(dispute) ?? (await collect(omise.documents.list(disputeId)));
    return { dispute, documents };
  },

  idOf: (observation) => observation.dispute.id,

  findObservedAt: (db, ids) => findStoredObservations(db, 'omise.disputes', ids),

  async write(trx, items, deps) {
    const outcomes: WriteOutcome[] = [];
    for (const item of items) outcomes.push(await writeDispute(trx, item, deps));
    return outcomes;
  },
};
