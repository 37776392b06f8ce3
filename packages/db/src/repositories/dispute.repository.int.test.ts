import { useTestDatabase } from '../testing';
import {
  findDisputeDocuments,
  getDispute,
  upsertDisputeDocuments,
  upsertDisputes,
} from './dispute.repository';
import {
  claimDisputeFlagNotification,
  findDisputeFlag,
  findDisputeFlagsAwaitingNotification,
  insertDisputeFlag,
  markDisputeFlagNotified,
  recordDisputeFlagNotifyError,
  releaseDisputeFlagClaim,
  resolveDisputeFlag,
} from './dispute-flag.repository';
import { disputeRow, documentRow } from './test-rows';

const T1 = new Date('2026-01-01T00:00:01Z');
const T2 = new Date('2026-01-01T00:00:02Z');
const T3 = new Date('2026-01-01T00:00:03Z');

describe('dispute, document and flag repositories', () => {
  const database = useTestDatabase();

  it('when an older dispute observation arrives late, the closed state stays', async () => {
    const { db } = database.handle;
    await upsertDisputes(db, [disputeRow({ id: 'dspt_1', status: 'won', observed_at: T2 })]);
    expect(await upsertDisputes(db, [disputeRow({ id: 'dspt_1', observed_at: T1 })])).toEqual([]);
    expect((await getDispute(db, 'dspt_1')).status).toBe('won');
  });

  it('when a document disappears from the dispute, it is kept and marked deleted', async () => {
    const { db } = database.handle;
    await upsertDisputeDocuments(
      db,
      'dspt_docs',
      [
        documentRow({ id: 'docu_1', dispute_id: 'dspt_docs', observed_at: T1 }),
        documentRow({ id: 'docu_2', dispute_id: 'dspt_docs', observed_at: T1 }),
      ],
      T1,
    );
    const result = await upsertDisputeDocuments(
      db,
      'dspt_docs',
      [documentRow({ id: 'docu_2', dispute_id: 'dspt_docs', observed_at: T2 })],
      T2,
    );
    expect(result).toEqual({ written: ['docu_2'], deleted: ['docu_1'] });
    const documents = await findDisputeDocuments(db, 'dspt_docs');
    expect(documents.map((d) => [d.id, d.deleted])).toEqual([
      ['docu_1', true],
      ['docu_2', false],
    ]);
  });

  it('when the dispute lists no documents any more, all are marked deleted', async () => {
    const { db } = database.handle;
    await upsertDisputeDocuments(
      db,
      'dspt_empty',
      [documentRow({ id: 'docu_e', dispute_id: 'dspt_empty', observed_at: T1 })],
      T1,
    );
    expect(await upsertDisputeDocuments(db, 'dspt_empty', [], T2)).toEqual({
      written: [],
      deleted: ['docu_e'],
    });
  });

  it('when an older document list arrives late, it neither revives nor deletes anything', async () => {
    const { db } = database.handle;
    await upsertDisputeDocuments(
      db,
      'dspt_late',
      [documentRow({ id: 'docu_new', dispute_id: 'dspt_late', observed_at: T3 })],
      T3,
    );
    const late = await upsertDisputeDocuments(
      db,
      'dspt_late',
      [documentRow({ id: 'docu_old', dispute_id: 'dspt_late', observed_at: T1 })],
      T1,
    );
    expect(late).toEqual({ written: [], deleted: [] });
    const documents = await findDisputeDocuments(db, 'dspt_late');
    expect(documents.map((d) => [d.id, d.deleted])).toEqual([['docu_new', false]]);
  });

  it('when a flag is inserted twice, only the first insert creates it', async () => {
    const { db } = database.handle;
    await upsertDisputes(db, [disputeRow({ id: 'dspt_flag' })]);
    const flag = {
      dispute_id: 'dspt_flag',
      severity: 'high' as const,
      reasons: ['reason=unauthorized_charge'],
      origin: 'webhook' as const,
      notify: true,
    };
    expect(await insertDisputeFlag(db, flag)).toBe(true);
    expect(await insertDisputeFlag(db, { ...flag, severity: 'low' })).toBe(false);
    expect(await findDisputeFlag(db, 'dspt_flag')).toMatchObject({
      severity: 'high',
      reasons: ['reason=unauthorized_charge'],
      notify: true,
      notified_at: null,
    });
  });

  it('when two callers claim one notification, only one wins; a released claim can be retaken', async () => {
    const { db } = database.handle;
    await upsertDisputes(db, [disputeRow({ id: 'dspt_claim' })]);
    await insertDisputeFlag(db, {
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
    await upsertDisputes(db, [disputeRow({ id: 'dspt_amb' })]);
    await insertDisputeFlag(db, {
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
    await upsertDisputes(db, [
      disputeRow({ id: 'dspt_s1' }),
      disputeRow({ id: 'dspt_s2' }),
      disputeRow({ id: 'dspt_s3' }),
    ]);
    const old = new Date('2026-01-01T00:00:00Z');
    await insertDisputeFlag(db, {
      dispute_id: 'dspt_s1',
      severity: 'low',
      reasons: [],
      origin: 'webhook',
      notify: true,
      flagged_at: old,
    });
    await insertDisputeFlag(db, {
      dispute_id: 'dspt_s2',
      severity: 'low',
      reasons: [],
      origin: 'backfill',
      notify: false,
      flagged_at: old,
    });
    await insertDisputeFlag(db, {
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

  it('when a dispute closes, its flag is resolved once', async () => {
    const { db } = database.handle;
    await upsertDisputes(db, [disputeRow({ id: 'dspt_res' })]);
    await insertDisputeFlag(db, {
      dispute_id: 'dspt_res',
      severity: 'low',
      reasons: [],
      origin: 'webhook',
      notify: false,
    });
    expect(await resolveDisputeFlag(db, 'dspt_res', { resolution: 'won', resolvedAt: T2 })).toBe(
      true,
    );
    expect(await resolveDisputeFlag(db, 'dspt_res', { resolution: 'lost', resolvedAt: T3 })).toBe(
      false,
    );
    expect(await findDisputeFlag(db, 'dspt_res')).toMatchObject({
      resolution: 'won',
      resolved_at: T2,
    });
  });
});
