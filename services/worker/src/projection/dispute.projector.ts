import type { EventOrigin } from '@omise-sync/core';
import {
  type Database,
  type DisputeSeverity,
  type NewDispute,
  type NewDisputeDocument,
  findDisputeFlag,
  insertDisputeFlag,
  resolveDisputeFlag,
  upsertDisputeDocuments,
  upsertDisputes,
} from '@omise-sync/db';
import type { Dispute, DisputeDocument } from '@omise-sync/omise-client';
import type { Kysely } from 'kysely';
import { type DisputeSeverityRules, assessDisputeSeverity } from '../dispute-severity';
import { type ProjectionContext, expandableId } from './projection-context';

/** Statuses in which a dispute still needs the team's attention (and gets a flag). */
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

/** Maps a dispute as Omise returned it to its `omise.disputes` row. Pure. */
export function toDisputeRow(dispute: Dispute, context: ProjectionContext): NewDispute {
  // Documents live in their own table; the embedded page would only go stale in `raw`.
  const { documents: _documents, ...raw } = dispute;
  return {
    id: dispute.id,
    charge_id: disputeChargeId(dispute),
    livemode: dispute.livemode,
    amount: dispute.amount,
    currency: dispute.currency.toUpperCase(),
    status: dispute.status,
    reason_code: dispute.reason_code ?? null,
    reason_message: dispute.reason_message ?? null,
    message: dispute.message ?? null,
    admin_message: dispute.admin_message ?? null,
    metadata: dispute.metadata ?? {},
    created_at: dispute.created_at,
    closed_at: dispute.closed_at ?? null,
    raw,
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
    filename: document.filename,
    kind: document.kind ?? null,
    download_uri: document.download_uri ?? null,
    deleted: document.deleted ?? false,
    // Documents recorded by API versions before 2019 have no time of their own; the dispute's
    // opening is the closest bound known (they cannot predate it).
    created_at: document.created_at ?? dispute.created_at,
    raw: { ...document },
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

/** What flagging needs beyond the dispute itself. */
export interface DisputeProjectionOptions extends ProjectionContext {
  rules: DisputeSeverityRules;
  /** The time written as `flagged_at` / used for `resolved_at` when Omise gives none. */
  now: Date;
  /**
   * When the disputed charge was created, for the charge-age rule; called only when a flag
   * is about to be written. `undefined` when it cannot be known.
   */
  chargeCreatedAt(chargeId: string): Promise<Date | undefined>;
}

/** The flag a projection wrote. */
export interface WrittenFlag {
  disputeId: string;
  severity: DisputeSeverity;
  reasons: string[];
  origin: EventOrigin;
  /** Whether a notification is owed (the dispute came in through a live webhook). */
  notify: boolean;
}

export interface DisputeProjection {
  /** False when the SQL guard refused the row (a newer observation is stored). */
  written: boolean;
  /** Set when this projection created the dispute's flag. */
  flag: WrittenFlag | undefined;
  /** True when this projection resolved the dispute's flag. */
  resolved: boolean;
}

/**
 * Writes a dispute and its complete document list, then its follow-up steps in the same
 * transaction (`db` should be one): the first time a dispute is seen open or pending, a flag
 * graded by the severity rules (exactly once: the flag's key is the dispute id); when it is
 * seen won or lost, the flag is resolved.
 */
export async function projectDispute(
  db: Kysely<Database>,
  dispute: Dispute,
  documents: readonly DisputeDocument[],
  options: DisputeProjectionOptions,
): Promise<DisputeProjection> {
  const context: ProjectionContext = { origin: options.origin, observedAt: options.observedAt };
  const written = await upsertDisputes(db, [toDisputeRow(dispute, context)]);
  await upsertDisputeDocuments(
    db,
    dispute.id,
    documents.map((document) => toDisputeDocumentRow(document, dispute, context)),
    options.observedAt,
  );
  let flag: WrittenFlag | undefined;
  let resolved = false;
  if (written.length > 0 && isDisputeActive(dispute.status)) {
    if ((await findDisputeFlag(db, dispute.id)) === undefined) {
      const chargeId = disputeChargeId(dispute);
      const assessment = assessDisputeSeverity(
        {
          amount: dispute.amount,
          currency: dispute.currency,
          reasonCode: dispute.reason_code ?? null,
          openedAt: new Date(dispute.created_at),
          chargeCreatedAt: await options.chargeCreatedAt(chargeId),
        },
        options.rules,
      );
      const candidate: WrittenFlag = {
        disputeId: dispute.id,
        severity: assessment.severity,
        reasons: assessment.reasons,
        origin: options.origin,
        notify: options.origin === 'webhook',
      };
      const inserted = await insertDisputeFlag(db, {
        dispute_id: candidate.disputeId,
        flagged_at: options.now,
        severity: candidate.severity,
        reasons: candidate.reasons,
        origin: candidate.origin,
        notify: candidate.notify,
      });
      if (inserted) flag = candidate;
    }
  } else if (written.length > 0 && isDisputeClosed(dispute.status)) {
    resolved = await resolveDisputeFlag(db, dispute.id, {
      resolution: dispute.status,
      resolvedAt:
        dispute.closed_at === undefined || dispute.closed_at === null
          ? options.now
          : new Date(dispute.closed_at),
    });
  }
  return { written: written.length > 0, flag, resolved };
}
