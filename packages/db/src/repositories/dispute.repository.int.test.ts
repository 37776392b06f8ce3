import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { disputeRow, useTestDatabase } from '@omise-sync/testing';
import {
  claimDisputeFlagNotification,
  findDisputeFlag,
  findDisputeFlagsAwaitingNotification,
  markDisputeFlagNotified,
  recordDisputeFlagNotifyError,
  releaseDisputeFlagClaim,
} from './dispute-flag.repository';
import { type NewDisputeFlag, json } from './rows';

const T1 = new Date('2026-01-01T00:00:01Z');
const T2 = new Date('2026-01-01T00:00:02Z');
const T3 = new Date('2026-01-01T00:00:03Z');

/** A dispute and its flag, written directly: the projection writes them in production. */
async function insertFlaggedDispute(
  db: Kysely<Database>,
  flag: Omit<NewDisputeFlag, 'first_seen_status'>,
): Promise<void> {
  const dispute = disputeRow({ id: flag.dispute_id });
  await db
    .insertInto('omise.disputes')
    .values({ ...dispute, metadata: json(dispute.metadata), raw: json(dispute.raw) })
    .execute();
  await db
    .insertInto('omise.dispute_flags')
    .values({ ...flag, first_seen_status: 'open' })
    .execute();
}

describe('dispute flag notification claims', () => {
  const database = useTestDatabase();

  it('when two callers claim one notification, only one wins; a released claim can be retaken', async () => {
    const { db } = database.handle;
    await insertFlaggedDispute(db, {
      dispute_id: 'dspt_claim',
      severity: 'medium',
      reasons: [],
      origin: 'webhook',
      notify: true,
    });
    const [first, second] = await Promise.all([
      claimDisputeFlagNotification(db, 'dspt_claim', T1),
      claimDisputeFlagNotification(db, 'dspt_claim', T1),
    ]);
    expect([first, second].filter((c) => c !== undefined)).toHaveLength(1);

    await releaseDisputeFlagClaim(db, 'dspt_claim', 'HTTP 500');
    expect(await findDisputeFlag(db, 'dspt_claim')).toMatchObject({
      notify_attempted_at: null,
      notify_error: 'HTTP 500',
    });
    expect(await claimDisputeFlagNotification(db, 'dspt_claim', T2)).toBeDefined();
    await markDisputeFlagNotified(db, 'dspt_claim', T3);
    expect(await claimDisputeFlagNotification(db, 'dspt_claim', T3)).toBeUndefined();
    expect(await findDisputeFlag(db, 'dspt_claim')).toMatchObject({
      notified_at: T3,
      notify_error: null,
    });
  });

  it('when a notification failed ambiguously, the claim stays and no one can retake it', async () => {
    const { db } = database.handle;
    await insertFlaggedDispute(db, {
      dispute_id: 'dspt_amb',
      severity: 'low',
      reasons: [],
      origin: 'webhook',
      notify: true,
    });
    expect(await claimDisputeFlagNotification(db, 'dspt_amb', T1)).toBeDefined();
    await recordDisputeFlagNotifyError(db, 'dspt_amb', 'timed out');
    expect(await claimDisputeFlagNotification(db, 'dspt_amb', T2)).toBeUndefined();
  });

  it('when flags owe a notification nobody started, the sweeper query finds only those', async () => {
    const { db } = database.handle;
    const old = new Date('2026-01-01T00:00:00Z');
    await insertFlaggedDispute(db, {
      dispute_id: 'dspt_s1',
      severity: 'low',
      reasons: [],
      origin: 'webhook',
      notify: true,
      flagged_at: old,
    });
    await insertFlaggedDispute(db, {
      dispute_id: 'dspt_s2',
      severity: 'low',
      reasons: [],
      origin: 'backfill',
      notify: false,
      flagged_at: old,
    });
    await insertFlaggedDispute(db, {
      dispute_id: 'dspt_s3',
      severity: 'low',
      reasons: [],
      origin: 'webhook',
      notify: true,
      flagged_at: old,
    });
    await claimDisputeFlagNotification(db, 'dspt_s3', T1);
    const due = await findDisputeFlagsAwaitingNotification(db, {
      flaggedBefore: new Date('2026-01-01T00:01:00Z'),
      limit: 10,
    });
    expect(due.map((f) => f.dispute_id)).toEqual(['dspt_s1']);
  });
});
