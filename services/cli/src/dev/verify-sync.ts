import { type Kysely } from 'kysely';
import { type Database } from '@omise-sync/db';
import { type OmiseClient } from '@omise-sync/omise-client';

/** How many of one kind of resource match between Omise and Postgres. */
export interface SyncCheck {
  resource: string;
  omise: number;
  postgres: number;
  matching: number;
  differing: string[];
}

/**
 * Compares every charge and dispute the Omise API lists with its row in Postgres (status,
 * amounts, flags), and refund totals: the proof that the pipeline converged.
 */
export async function verifySync(
  client: OmiseClient,
  db: Kysely<Database>,
  account: string,
): Promise<SyncCheck[]> {
  const chargeRows = new Map(
    (
      await db
        .selectFrom('omise.charges')
        .select(['id', 'status', 'amount', 'paid', 'refunded_amount'])
        .where('account', '=', account)
        .execute()
    ).map((r) => [r.id, r]),
  );
  const charges: SyncCheck = {
    resource: 'charges',
    omise: 0,
    postgres: chargeRows.size,
    matching: 0,
    differing: [],
  };
  let omiseRefunded = 0;
  for await (const charge of client.charges.list()) {
    charges.omise += 1;
    omiseRefunded += charge.refunded_amount ?? 0;
    const row = chargeRows.get(charge.id);
    const same =
      row !== undefined &&
      row.status === charge.status &&
      row.amount === charge.amount &&
      row.paid === (charge.paid ?? false) &&
      row.refunded_amount === (charge.refunded_amount ?? 0);
    if (same) charges.matching += 1;
    else charges.differing.push(charge.id);
  }

  const disputeRows = new Map(
    (
      await db
        .selectFrom('omise.disputes')
        .select(['id', 'status', 'amount'])
        .where('account', '=', account)
        .execute()
    ).map((r) => [r.id, r]),
  );
  const disputes: SyncCheck = {
    resource: 'disputes',
    omise: 0,
    postgres: disputeRows.size,
    matching: 0,
    differing: [],
  };
  for await (const dispute of client.disputes.list()) {
    disputes.omise += 1;
    const row = disputeRows.get(dispute.id);
    if (row !== undefined && row.status === dispute.status && row.amount === dispute.amount)
      disputes.matching += 1;
    else disputes.differing.push(dispute.id);
  }

  const refundTotal = await db
    .selectFrom('omise.refunds')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('sum'),
    ])
    .where('account', '=', account)
    .executeTakeFirstOrThrow();
  const refunds: SyncCheck = {
    resource: 'refunded amount',
    omise: omiseRefunded,
    postgres: Number(refundTotal.sum),
    matching: omiseRefunded === Number(refundTotal.sum) ? 1 : 0,
    differing: omiseRefunded === Number(refundTotal.sum) ? [] : ['sum of refunds differs'],
  };
  return [charges, disputes, refunds];
}
