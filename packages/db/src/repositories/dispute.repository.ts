import { type Kysely, sql } from 'kysely';
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

/** A dispute as the desk lists it: its row, its flag's severity and its live documents. */
export interface DisputeDeadlineRow {
  id: string;
  status: string;
  amount: number;
  currency: string;
  reason_code: string | null;
  message: string | null;
  created_at: Date;
  respond_by: Date;
  severity: string | null;
  documents: number;
}

/** Disputes in deadline order (earliest `respond_by` first), only open ones and one account's if asked. */
export async function findDisputesByDeadline(
  db: Kysely<Database>,
  options: { openOnly: boolean; limit: number; account?: string },
): Promise<DisputeDeadlineRow[]> {
  let query = db
    .selectFrom('omise.disputes as d')
    .leftJoin('omise.dispute_flags as f', 'f.dispute_id', 'd.id')
    .select((eb) => [
      'd.id',
      'd.status',
      'd.amount',
      'd.currency',
      'd.reason_code',
      'd.message',
      'd.created_at',
      'd.respond_by',
      'f.severity',
      eb
        .selectFrom('omise.dispute_documents as doc')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('doc.dispute_id', '=', 'd.id')
        .where('doc.deleted', '=', false)
        .as('documents'),
    ])
    .orderBy('d.respond_by')
    .orderBy('d.id')
    .limit(options.limit);
  if (options.openOnly) query = query.where('d.status', '=', 'open');
  if (options.account !== undefined) query = query.where('d.account', '=', options.account);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, documents: row.documents ?? 0 }));
}
