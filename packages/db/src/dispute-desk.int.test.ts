import { describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import {
  cancelClosedDisputeReminders,
  claimDisputeReminder,
  findBlockingUpload,
  finishDisputeAction,
  insertDisputeReminders,
  markDisputeReminderSent,
  releaseDisputeReminderClaim,
  startDisputeAction,
} from './repositories';
import { json } from './repositories/rows';
import { disputeRow, documentRow, useTestDatabase } from '@omise-sync/testing';

const HOUR = 3_600_000;

describe('dispute desk tables and views', () => {
  const database = useTestDatabase();
  const db = () => database.handle.db;

  async function insertDispute(overrides: Parameters<typeof disputeRow>[0]): Promise<void> {
    const row = disputeRow(overrides);
    await db()
      .insertInto('omise.disputes')
      .values({ ...row, metadata: json(row.metadata), raw: json(row.raw) })
      .execute();
  }

  async function insertDocument(overrides: Parameters<typeof documentRow>[0]): Promise<void> {
    const row = documentRow(overrides);
    await db()
      .insertInto('omise.dispute_documents')
      .values({ ...row, raw: json(row.raw) })
      .execute();
  }

  it('when the same file is uploaded to a dispute twice, only the first is recorded; a failed upload frees it', async () => {
    const upload = {
      disputeId: 'dspt_test_up',
      action: 'upload' as const,
      actor: 'ops',
      details: { kind: 'proof_of_receipt' },
      sha256: 'a'.repeat(64),
      at: new Date(),
    };
    const first = await startDisputeAction(db(), upload);
    expect(first).toBeDefined();
    expect(await startDisputeAction(db(), upload)).toBeUndefined();
    expect(
      await startDisputeAction(db(), { ...upload, disputeId: 'dspt_test_other' }),
    ).toBeDefined();

    await finishDisputeAction(db(), first ?? '', {
      result: 'failed',
      error: 'bad_request: nope',
      details: { status: 400 },
      finishedAt: new Date(),
    });
    expect(await findBlockingUpload(db(), upload.disputeId, upload.sha256)).toBeUndefined();
    const retried = await startDisputeAction(db(), upload);
    expect(retried).toBeDefined();
    await finishDisputeAction(db(), retried ?? '', { result: 'ok', finishedAt: new Date() });
    expect(await startDisputeAction(db(), upload)).toBeUndefined();
    const row = await db()
      .selectFrom('omise.dispute_actions')
      .selectAll()
      .where('id', '=', first ?? '')
      .executeTakeFirstOrThrow();
    expect(row.details).toEqual({ kind: 'proof_of_receipt', status: 400 });
  });

  it('when a reminder is claimed by one worker, no other claim wins, and a closed dispute cancels the rest', async () => {
    const now = new Date();
    await insertDispute({
      id: 'dspt_test_rem',
      status: 'open',
      respond_by: new Date(now.getTime() + 10 * HOUR),
    });
    const key = { disputeId: 'dspt_test_rem', kind: '24h' };
    const inserted = await insertDisputeReminders(db(), [
      { disputeId: key.disputeId, kind: '24h', dueAt: new Date(now.getTime() - 14 * HOUR) },
      { disputeId: key.disputeId, kind: '1h', dueAt: new Date(now.getTime() + 9 * HOUR) },
    ]);
    expect(inserted).toHaveLength(2);
    expect(
      await insertDisputeReminders(db(), [{ ...key, dueAt: new Date(now.getTime() - HOUR) }]),
    ).toEqual([]);

    const claims = await Promise.all([1, 2, 3].map(() => claimDisputeReminder(db(), key, now)));
    expect(claims.filter((claim) => claim !== undefined)).toHaveLength(1);
    await releaseDisputeReminderClaim(db(), key, 'refused');
    expect(await claimDisputeReminder(db(), key, now)).toBeDefined();
    await markDisputeReminderSent(db(), key, now);
    expect(await claimDisputeReminder(db(), key, now)).toBeUndefined();
    // Not due yet.
    expect(await claimDisputeReminder(db(), { ...key, kind: '1h' }, now)).toBeUndefined();

    await db()
      .updateTable('omise.disputes')
      .set({ status: 'lost' })
      .where('id', '=', key.disputeId)
      .execute();
    const cancelled = await cancelClosedDisputeReminders(db(), now);
    expect(cancelled.map((r) => r.kind)).toEqual(['1h']);
    const late = new Date(now.getTime() + 9.5 * HOUR);
    expect(await claimDisputeReminder(db(), { ...key, kind: '1h' }, late)).toBeUndefined();
  });

  it('disputes_at_risk lists open disputes with hours left, documents, message and urgency', async () => {
    const now = Date.now();
    await insertDispute({
      id: 'dspt_test_risk1',
      status: 'open',
      amount: 50_000,
      message: 'We shipped it',
      created_at: new Date(now - 6.5 * 24 * HOUR),
      respond_by: new Date(now + 12 * HOUR),
    });
    await insertDispute({
      id: 'dspt_test_risk2',
      status: 'open',
      respond_by: new Date(now - HOUR),
    });
    await insertDispute({ id: 'dspt_test_risk3', status: 'won', respond_by: new Date(now + HOUR) });
    await insertDocument({ id: 'docu_test_r1', dispute_id: 'dspt_test_risk1' });
    await insertDocument({ id: 'docu_test_r2', dispute_id: 'dspt_test_risk1', deleted: true });
    const { rows } = await sql<{
      dispute_id: string;
      amount: number;
      hours_left: string;
      documents_uploaded: number;
      message_sent: boolean;
      urgency: string;
    }>`SELECT dispute_id, amount, hours_left, documents_uploaded, message_sent, urgency
         FROM bi.disputes_at_risk WHERE dispute_id LIKE 'dspt_test_risk%' ORDER BY respond_by`.execute(
      db(),
    );
    expect(rows.map((r) => ({ ...r, hours_left: Math.round(Number(r.hours_left)) }))).toEqual([
      {
        dispute_id: 'dspt_test_risk2',
        amount: 90_000,
        hours_left: -1,
        documents_uploaded: 0,
        message_sent: false,
        urgency: 'overdue',
      },
      {
        dispute_id: 'dspt_test_risk1',
        amount: 50_000,
        hours_left: 12,
        documents_uploaded: 1,
        message_sent: true,
        urgency: 'due_24h',
      },
    ]);
  });

  it('dispute_outcomes gives win and loss rates, time to first response and evidence in time by reason and month', async () => {
    const opened = new Date('2026-05-10T00:00:00Z');
    const respondBy = new Date('2026-05-17T00:00:00Z');
    const base = { reason_code: 'credit_not_processed', created_at: opened, respond_by: respondBy };
    await insertDispute({ id: 'dspt_test_out1', ...base, status: 'won' });
    await insertDispute({ id: 'dspt_test_out2', ...base, status: 'lost' });
    await insertDispute({ id: 'dspt_test_out3', ...base, status: 'won' });
    await insertDispute({ id: 'dspt_test_out4', ...base, status: 'open' });
    // out1: evidence 10 h after opening; out2: evidence only after the deadline.
    await insertDocument({
      id: 'docu_test_o1',
      dispute_id: 'dspt_test_out1',
      created_at: new Date(opened.getTime() + 10 * HOUR),
    });
    await insertDocument({
      id: 'docu_test_o2',
      dispute_id: 'dspt_test_out2',
      created_at: new Date(respondBy.getTime() + HOUR),
    });
    // out3: a message through the desk 20 h after opening, no evidence.
    await db()
      .insertInto('omise.dispute_actions')
      .values({
        dispute_id: 'dspt_test_out3',
        action: 'message',
        actor: 'ops',
        result: 'ok',
        at: new Date(opened.getTime() + 20 * HOUR),
      })
      .execute();
    const { rows } = await sql<Record<string, unknown>>`
      SELECT * FROM bi.dispute_outcomes WHERE reason_code = 'credit_not_processed'`.execute(db());
    expect(rows).toEqual([
      {
        account: 'default',
        month: new Date('2026-05-01T00:00:00Z'),
        reason_code: 'credit_not_processed',
        dispute_count: 4,
        won_count: 2,
        lost_count: 1,
        undecided_count: 1,
        win_rate: '0.6667',
        loss_rate: '0.3333',
        responded_count: 3,
        avg_hours_to_first_response: String(((10 + 20 + 7 * 24 + 1) / 3).toFixed(1)),
        median_hours_to_first_response: '20.0',
        evidence_in_time_count: 1,
        evidence_in_time_rate: '0.2500',
      },
    ]);
  });
});
