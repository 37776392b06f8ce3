import { systemClock } from '@omise-sync/core';
import { findSyncCheckpoint } from '@omise-sync/db';
import { type Emulator, seedCharges, startEmulator } from '@omise-sync/omise-emulator';
import {
  DEFAULT_DISPUTE_RESPONSE_DAYS,
  DEFAULT_DISPUTE_SEVERITY_RULES,
} from '@omise-sync/projection';
import { useTestDatabase } from '@omise-sync/testing';
import { sql } from 'kysely';
import { runBackfill } from './backfill';
import { type LedgerSyncDeps, runLedgerSync } from './ledger';
import { type ProgressReporter, silentProgress } from './progress-reporter';
import { collectStatus, formatStatus } from './status';
import { countingClient, silentLogger } from '../../test/sync-test-kit';

describe('sync ledger', () => {
  const database = useTestDatabase();
  let emulator: Emulator;
  // Omise lists and settles by whole seconds: the emulator's clock moves on between steps.
  let emulatorNow = Date.parse('2026-11-30T08:00:00Z');

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'cli-ledger', now: () => emulatorNow });
  });
  afterAll(async () => {
    await emulator.close();
  });

  const deps = (overrides: Partial<LedgerSyncDeps> = {}): LedgerSyncDeps => ({
    db: database.handle.db,
    omise: countingClient(emulator).client,
    account: 'default',
    clock: { now: () => new Date(emulatorNow) },
    progress: silentProgress,
    logger: silentLogger,
    ...overrides,
  });

  /** Charges with refunds and disputes, then a payout of what they settled, sent and paid. */
  async function dayOfTrade(charges: number, seed: number, fail = false): Promise<void> {
    await seedCharges(emulator, { charges, refundShare: 0.2, disputeShare: 0.05, seed });
    emulatorNow += 2_000;
    const payout = emulator.actions.createPayout();
    if (payout === undefined) throw new Error('nothing to pay out');
    emulatorNow += 1_000;
    emulator.actions.markTransferAsSent(String(payout.id));
    if (fail) emulator.actions.markTransferAsFailed(String(payout.id));
    else emulator.actions.markTransferAsPaid(String(payout.id));
    emulatorNow += 1_000;
  }

  async function projectTransfers(): Promise<void> {
    await runBackfill(
      {
        db: database.handle.db,
        omise: countingClient(emulator).client,
        clock: systemClock,
        progress: silentProgress,
        logger: silentLogger,
        account: 'default',
        severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
        responseDays: DEFAULT_DISPUTE_RESPONSE_DAYS,
      },
      { resources: ['transfers'], restart: true },
    );
  }

  it('when payouts settle charges, refunds and disputes, every payout reconciles and the balance rolls forward to the snapshot', async () => {
    const { db } = database.handle;
    await dayOfTrade(120, 1);
    await dayOfTrade(80, 2, true);
    await dayOfTrade(60, 3);
    await projectTransfers();
    const summary = await runLedgerSync(deps());
    expect(summary.streams.map((s) => [s.stream, s.status])).toEqual([
      ['transactions', 'completed'],
      ['receipts', 'completed'],
    ]);
    expect(summary.streams[0]?.items).toBe(emulator.count('transactions'));

    const payouts = await sql<Record<string, string>>`
      SELECT transfer_id, difference, charge_count, gross, fees, vat, refunds, disputes, net
        FROM bi.payout_reconciliation`.execute(db);
    // The failed payout settles nothing; the next one pays its charges too.
    expect(payouts.rows).toHaveLength(2);
    for (const row of payouts.rows) {
      expect(Number(row['difference'])).toBe(0);
      // Omise credits charges net: their fees come from the charges, and add up to the gross.
      const n = (column: string) => Number(row[column]);
      expect(n('fees')).toBeGreaterThan(0);
      expect(n('gross') - n('fees') - n('vat') + n('refunds') + n('disputes')).toBe(n('net'));
    }
    expect(payouts.rows.reduce((sum, row) => sum + Number(row.charge_count), 0)).toBe(260);

    const days = await sql<{ difference: string | null; snapshot_total: string | null }>`
      SELECT difference, snapshot_total FROM bi.balance_rollforward WHERE snapshot_at IS NOT NULL`.execute(
      db,
    );
    expect(days.rows).toHaveLength(1);
    expect(Number(days.rows[0]?.difference)).toBe(0);
  });

  it('when new movements arrive, a run reads only them, and a run stopped after a page resumes where it stopped', async () => {
    const { db } = database.handle;
    const before = emulator.count('transactions');
    await seedCharges(emulator, { charges: 150, refundShare: 0, disputeShare: 0, seed: 4 });
    emulatorNow += 2_000;
    const controller = new AbortController();
    const stopAfterFirstPage: ProgressReporter = {
      ...silentProgress,
      update: () => controller.abort(),
    };
    const stopped = await runLedgerSync(
      deps({ progress: stopAfterFirstPage, signal: controller.signal }),
    );
    expect(stopped.streams[0]).toMatchObject({ status: 'interrupted', items: 100 });
    const cursor = (await findSyncCheckpoint(db, 'ledger:transactions'))?.cursor;
    expect(cursor).toMatchObject({ offset: 100 });
    const ledgerStatus = async () => {
      const status = await collectStatus({
        db,
        account: 'default',
        queues: [],
        clock: { now: () => new Date(emulatorNow) },
      });
      return { status, text: formatStatus(status) };
    };
    const whileStopped = await ledgerStatus();
    const transactions = () => whileStopped.status.ledger.find((l) => l.stream === 'transactions');
    expect(transactions()?.unfinished).toEqual({ to: stopped.streams[0]?.to, itemsRead: 100 });
    expect(whileStopped.text).toMatch(/transactions\s+\S+\s+unfinished window to \S+, 100 read/);
    expect(whileStopped.status.lastBalanceAt).toBeInstanceOf(Date);

    const { client, pages } = countingClient(emulator);
    const resumed = await runLedgerSync(deps({ omise: client }));
    const fresh = emulator.count('transactions') - before;
    // The window starts at the previous one's end: only the new movements (and those of that
    // very second) are read again.
    expect(resumed.streams[0]?.status).toBe('completed');
    const inStep = await ledgerStatus();
    expect(inStep.status.ledger.map((l) => [l.stream, l.syncedTo, l.unfinished])).toEqual([
      ['receipts', resumed.streams[1]?.to, null],
      ['transactions', resumed.streams[0]?.to, null],
    ]);
    expect(inStep.text).toMatch(/transactions\s+\S+\s+in step/);
    expect(pages.get('/transactions')).toBe(Math.ceil((fresh - 100) / 100) || 1);
    const stored = await sql<{ n: string }>`SELECT count(*) AS n FROM omise.transactions`.execute(
      db,
    );
    expect(Number(stored.rows[0]?.n)).toBe(emulator.count('transactions'));
    // The daily summary counts each movement once, however often a page was read.
    const summed = await sql<{ n: string }>`
      SELECT sum(movement_count) AS n FROM omise.ledger_daily`.execute(db);
    expect(Number(summed.rows[0]?.n)).toBe(emulator.count('transactions'));
  });

  it('fees by month agree between the ledger and the daily receipts', async () => {
    const { db } = database.handle;
    emulatorNow += 86_400_000;
    await runLedgerSync(deps());
    const rows = await sql<{
      charge_fees: string;
      transfer_fees: string;
      vat: string;
      receipt_charge_fee: string;
      receipt_transfer_fee: string;
      receipt_vat: string;
      receipt_count: string;
    }>`SELECT * FROM bi.fees_monthly`.execute(db);
    expect(rows.rows).toHaveLength(1);
    const [month] = rows.rows;
    expect(Number(month?.receipt_count)).toBeGreaterThan(0);
    expect(Number(month?.charge_fees)).toBeGreaterThan(0);
    expect(month?.receipt_charge_fee).toBe(month?.charge_fees);
    expect(month?.receipt_transfer_fee).toBe(month?.transfer_fees);
    expect(month?.receipt_vat).toBe(month?.vat);
  });
});
