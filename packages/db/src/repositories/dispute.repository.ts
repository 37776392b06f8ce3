import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import {
  type DisputeDocumentRow,
  type DisputeRow,
  type NewDispute,
  type NewDisputeDocument,
  chunk,
  json,
  newestPerId,
} from './rows';

/**
 * Inserts or updates disputes in batches; an older observation never replaces a newer one.
 * @returns the ids actually written
 */
export async function upsertDisputes(
  db: Kysely<Database>,
  rows: readonly NewDispute[],
): Promise<string[]> {
  const written: string[] = [];
  for (const batch of chunk(newestPerId(rows))) {
    const result = await db
      .insertInto('omise.disputes')
      .values(batch.map((row) => ({ ...row, metadata: json(row.metadata), raw: json(row.raw) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            charge_id: eb.ref('excluded.charge_id'),
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
            raw: eb.ref('excluded.raw'),
            origin: eb.ref('excluded.origin'),
            observed_at: eb.ref('excluded.observed_at'),
            projected_at: sql<Date>`now()`,
          }))
          .whereRef('omise.disputes.observed_at', '<=', 'excluded.observed_at'),
      )
      .returning('id')
      .execute();
    for (const { id } of result) written.push(id);
  }
  return written;
}

/** The dispute, or `undefined`. */
export async function findDispute(
  db: Kysely<Database>,
  id: string,
): Promise<DisputeRow | undefined> {
  return db.selectFrom('omise.disputes').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The dispute; throws when it has never been projected. */
export async function getDispute(db: Kysely<Database>, id: string): Promise<DisputeRow> {
  return db.selectFrom('omise.disputes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** When the dispute's current row was requested from Omise, or `undefined` if there is none. */
export async function findDisputeObservedAt(
  db: Kysely<Database>,
  id: string,
): Promise<Date | undefined> {
  const row = await db
    .selectFrom('omise.disputes')
    .select('observed_at')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.observed_at;
}

/** What {@link upsertDisputeDocuments} did. */
export interface DisputeDocumentsWritten {
  /** Ids inserted or updated. */
  written: string[];
  /** Ids newly marked deleted because the dispute no longer lists them. */
  deleted: string[];
}

/**
 * Writes the complete document list of one dispute as observed at `observedAt`: documents in
 * `rows` are upserted (guarded by `observed_at` like every resource), and documents the
 * dispute no longer lists are marked `deleted`. A list older than what is stored for the
 * dispute is ignored as a whole. `rows` must be the whole list, not a page of it.
 */
export async function upsertDisputeDocuments(
  db: Kysely<Database>,
  disputeId: string,
  rows: readonly NewDisputeDocument[],
  observedAt: Date,
): Promise<DisputeDocumentsWritten> {
  // The list is one observation: if any document of this dispute was observed later, this
  // whole list is older, and even a document it alone contains must not be inserted.
  const newest = await db
    .selectFrom('omise.dispute_documents')
    .select((eb) => eb.fn.max('observed_at').as('observed_at'))
    .where('dispute_id', '=', disputeId)
    .executeTakeFirst();
  if (newest?.observed_at != null && new Date(newest.observed_at) > observedAt) {
    return { written: [], deleted: [] };
  }
  const written: string[] = [];
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
          .whereRef('omise.dispute_documents.observed_at', '<=', 'excluded.observed_at'),
      )
      .returning('id')
      .execute();
    for (const { id } of result) written.push(id);
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
  return { written, deleted: deleted.map((row) => row.id) };
}

/** The documents of a dispute (deleted ones included), oldest first. */
export async function findDisputeDocuments(
  db: Kysely<Database>,
  disputeId: string,
): Promise<DisputeDocumentRow[]> {
  return db
    .selectFrom('omise.dispute_documents')
    .selectAll()
    .where('dispute_id', '=', disputeId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
