import { describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import {
  acquireSyncLease,
  rebuildChargeSummaries,
  findLatestReconcileRuns,
  findSyncCheckpoint,
  finishReconcileRun,
  insertDisputeReminders,
  insertReconcileRun,
  listSyncCheckpoints,
  releaseSyncLease,
  saveSyncCheckpoint,
  startDisputeAction,
} from './repositories';
import { json } from './repositories/rows';
import { disputeRow, useTestDatabase } from '@omise-sync/testing';

describe('the account of every row', () => {
  const database = useTestDatabase();
  const db = () => database.handle.db;

  it('rows stored before accounts existed become "default"; every table and bi view has account', async () => {
    // Rows that name no account: what a release without accounts writes, and what a row stored
    // before the migration reads as (ADD COLUMN … DEFAULT fills existing rows the same way).
    // Not down() then up(): their role statements are cluster-wide and would race other files.
    await sql`
      INSERT INTO omise.charges (id, livemode, amount, currency, status, authorized, paid,
        capturable, reversed, expired, refunded_amount, metadata, created_at, raw, origin, observed_at)
      VALUES ('chrg_test_old', false, 1000, 'THB', 'successful', true, true, false, false, false, 0,
        '{}', now(), '{}', 'webhook', now())`.execute(db());
    // Written around the projection core, which keeps bi.daily_charge_volume's summary.
    await db()
      .transaction()
      .execute((trx) => rebuildChargeSummaries(trx));
    await sql`INSERT INTO omise.sync_checkpoints (name, cursor) VALUES ('backfill:charges', '{}')`.execute(
      db(),
    );

    const { rows: charges } = await sql<{ account: string }>`
      SELECT account FROM omise.charges WHERE id = 'chrg_test_old'`.execute(db());
    expect(charges).toEqual([{ account: 'default' }]);
    expect((await findSyncCheckpoint(db(), 'backfill:charges'))?.account).toBe('default');

    const { rows: missing } = await sql<{ relation: string }>`
      SELECT n.nspname || '.' || c.relname AS relation
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('omise', 'bi') AND c.relkind IN ('r', 'v')
         AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attname = 'account' AND NOT a.attisdropped)
       ORDER BY 1`.execute(db());
    expect(missing).toEqual([]);
    const { rows: views } = await sql<{ account: string; charge_count: number }>`
      SELECT account, charge_count FROM bi.daily_charge_volume`.execute(db());
    expect(views).toEqual([{ account: 'default', charge_count: 1 }]);
  });

  it('checkpoints, leases and reconcile runs are kept per account', async () => {
    await saveSyncCheckpoint(db(), 'reconcile:events', { at: 1 }, 'th');
    await saveSyncCheckpoint(db(), 'reconcile:events', { at: 2 }, 'jp');
    expect((await findSyncCheckpoint(db(), 'reconcile:events', 'th'))?.cursor).toEqual({ at: 1 });
    expect((await findSyncCheckpoint(db(), 'reconcile:events', 'jp'))?.cursor).toEqual({ at: 2 });
    expect((await listSyncCheckpoints(db(), 'reconcile:', null)).map((r) => r.account)).toEqual([
      'jp',
      'th',
    ]);

    expect(await acquireSyncLease(db(), 'reconcile', 'run-th', 30_000, 'th')).toBe(true);
    expect(await acquireSyncLease(db(), 'reconcile', 'run-jp', 30_000, 'jp')).toBe(true);
    expect(await acquireSyncLease(db(), 'reconcile', 'run-th-2', 30_000, 'th')).toBe(false);
    await releaseSyncLease(db(), 'reconcile', 'run-th', 'th');
    expect(await acquireSyncLease(db(), 'reconcile', 'run-th-2', 30_000, 'th')).toBe(true);

    for (const account of ['th', 'jp']) {
      const id = await insertReconcileRun(db(), {
        startedAt: new Date(),
        since: new Date(0),
        account,
      });
      await finishReconcileRun(db(), id, {
        finishedAt: new Date(),
        eventsSeen: account.length,
        eventsEnqueued: 0,
        drift: { charge_missing: account === 'th' ? 1 : 0 },
        repaired: {},
        error: null,
      });
    }
    const latest = await findLatestReconcileRuns(db());
    expect(latest.map((run) => [run.account, run.drift])).toEqual([
      ['jp', { charge_missing: 0 }],
      ['th', { charge_missing: 1 }],
    ]);
  });

  it("reminders and desk actions about a dispute carry the dispute's account", async () => {
    const row = disputeRow({ id: 'dspt_test_jp_1' });
    await db()
      .insertInto('omise.disputes')
      .values({ ...row, account: 'jp', metadata: json(row.metadata), raw: json(row.raw) })
      .execute();
    const [reminder] = await insertDisputeReminders(db(), [
      { disputeId: 'dspt_test_jp_1', kind: '24h', dueAt: new Date() },
    ]);
    expect(reminder?.account).toBe('jp');
    const actionId = await startDisputeAction(db(), {
      disputeId: 'dspt_test_jp_1',
      action: 'message',
      actor: 'ops',
      details: {},
      at: new Date(),
    });
    const { rows } = await sql<{ account: string }>`
      SELECT account FROM omise.dispute_actions WHERE id = ${actionId}`.execute(db());
    expect(rows).toEqual([{ account: 'jp' }]);
  });
});
