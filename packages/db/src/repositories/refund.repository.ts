import { type Kysely } from 'kysely';
import type { Database } from '../database';
import { type RefundRow } from './rows';

/** The refund, or `undefined`. */
export async function findRefund(db: Kysely<Database>, id: string): Promise<RefundRow | undefined> {
  return db.selectFrom('omise.refunds').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every refund of a charge, oldest first. */
export async function findRefundsByCharge(
  db: Kysely<Database>,
  chargeId: string,
): Promise<RefundRow[]> {
  return db
    .selectFrom('omise.refunds')
    .selectAll()
    .where('charge_id', '=', chargeId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
