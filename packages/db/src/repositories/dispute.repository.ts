import { type Kysely } from 'kysely';
import type { Database } from '../database';
import { type DisputeDocumentRow, type DisputeRow } from './rows';

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
