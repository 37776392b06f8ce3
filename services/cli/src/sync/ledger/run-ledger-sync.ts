import { type AccountName, type Clock, type Logger } from '@omise-sync/core';
import { type Database, findSyncCheckpoint, saveSyncCheckpoint } from '@omise-sync/db';
import {
  type OmiseClient,
  type OmiseList,
  type Receipt,
  type Transaction,
  MAX_PAGE_SIZE,
} from '@omise-sync/omise-client';
import {
  findNetMovementFees,
  writeBalanceSnapshot,
  writeReceipts,
  writeTransactions,
} from '@omise-sync/projection';
import { type Kysely } from 'kysely';
import { z } from 'zod';
import { type ProgressReporter } from '../progress-reporter';
import { CheckpointFormatError } from '../sync-errors';
import { withSyncLease } from '../sync-lease';

/** The polled resources, in the order a run reads them. */
export const LEDGER_STREAMS = ['transactions', 'receipts'] as const;
export type LedgerStream = (typeof LEDGER_STREAMS)[number];

export interface LedgerSyncDeps {
  db: Kysely<Database>;
  omise: OmiseClient;
  account: AccountName;
  clock: Clock;
  progress: ProgressReporter;
  logger: Logger;
  leaseTtlMs?: number | undefined;
  /** Aborting stops the run after the page being written (its checkpoint is kept). */
  signal?: AbortSignal | undefined;
}

/** What one stream's walk did. */
export interface LedgerStreamSummary {
  stream: LedgerStream;
  status: 'completed' | 'interrupted';
  from: string;
  to: string;
  /** Items read from Omise in this run. */
  items: number;
  /** Rows new or changed in Postgres. */
  written: number;
  pages: number;
  seconds: number;
}

export interface LedgerSyncSummary {
  balance: { currency: string; total: number; transferable: number | null; takenAt: Date };
  streams: LedgerStreamSummary[];
}

/**
 * A stream's checkpoint: the window being read (`to` fixed when it started, null between
 * runs) and how far into it. Saved with every page, in the page's transaction.
 */
export const LedgerCursor = z.object({
  from: z.string(),
  to: z.string().nullable(),
  offset: z.number().int().min(0),
});
export type LedgerCursor = z.infer<typeof LedgerCursor>;

const EPOCH = '1970-01-01T00:00:00Z';

/** Prefix of the ledger streams' checkpoint names (`ledger:transactions`, `ledger:receipts`). */
export const LEDGER_CHECKPOINT_PREFIX = 'ledger:';
const checkpointName = (stream: LedgerStream): string => `${LEDGER_CHECKPOINT_PREFIX}${stream}`;

/** Omise's timestamps have whole seconds; a window ends on one. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function listPage(
  omise: OmiseClient,
  stream: LedgerStream,
  window: { from: string; to: string },
): (offset: number) => Promise<OmiseList<unknown>> {
  const params = { ...window, limit: MAX_PAGE_SIZE, order: 'chronological' as const };
  const list =
    stream === 'transactions' ? omise.transactions.list(params) : omise.receipts.list(params);
  return (offset) => list.page(offset);
}

/**
 * How to write a page, in the transaction that saves its checkpoint. What a charge's net
 * movement is net of is looked up first (from Omise for a charge not stored), so no request
 * to Omise holds the transaction open.
 */
async function pageWriter(
  deps: LedgerSyncDeps,
  stream: LedgerStream,
  page: OmiseList<unknown>,
  observedAt: Date,
): Promise<(trx: Kysely<Database>) => Promise<number>> {
  const context = { origin: 'backfill' as const, observedAt };
  // The list schemas validated every item; the union only loses which stream it came from.
  if (stream === 'receipts') {
    const receipts = page.data as Receipt[];
    return (trx) => writeReceipts(trx, deps.account, receipts, context);
  }
  const transactions = page.data as Transaction[];
  const fees = await findNetMovementFees(deps.db, deps.omise, transactions);
  return (trx) => writeTransactions(trx, deps.account, transactions, context, fees);
}

/**
 * Reads what is new in one stream since its checkpoint: one window from the end of the last
 * one to now, paged in chronological order at a fixed `to` (so offsets stay stable while
 * Omise adds items), each page committed with the checkpoint. A run that stops continues in
 * the same window; a window re-read from its start changes nothing (items are keyed by id).
 */
async function syncStream(
  deps: LedgerSyncDeps,
  stream: LedgerStream,
): Promise<LedgerStreamSummary> {
  const started = deps.clock.now().getTime();
  const name = checkpointName(stream);
  const stored = await findSyncCheckpoint(deps.db, name, deps.account);
  const parsed = stored === undefined ? undefined : LedgerCursor.safeParse(stored.cursor);
  if (parsed?.success === false) {
    throw new CheckpointFormatError(`checkpoint ${name} of account ${deps.account} is unreadable`);
  }
  let cursor: LedgerCursor = parsed?.data ?? { from: EPOCH, to: null, offset: 0 };
  const to = cursor.to ?? isoSeconds(deps.clock.now());
  cursor = { ...cursor, to };
  const window = { from: cursor.from, to };
  const page = listPage(deps.omise, stream, window);
  const summary: LedgerStreamSummary = {
    stream,
    status: 'completed',
    from: window.from,
    to,
    items: 0,
    written: 0,
    pages: 0,
    seconds: 0,
  };
  let offset = cursor.offset;
  let progressStarted = false;
  for (;;) {
    if (deps.signal?.aborted === true) {
      summary.status = 'interrupted';
      break;
    }
    const observedAt = deps.clock.now();
    const current = await page(offset);
    summary.pages++;
    if (!progressStarted) {
      deps.progress.start({ label: stream, total: current.total, done: offset });
      progressStarted = true;
    }
    const next = offset + current.data.length;
    const write = await pageWriter(deps, stream, current, observedAt);
    summary.written += await deps.db.transaction().execute(async (trx) => {
      const written = await write(trx);
      await saveSyncCheckpoint(trx, name, { ...window, offset: next }, deps.account);
      return written;
    });
    summary.items += current.data.length;
    offset = next;
    deps.progress.update(offset, current.total);
    if (current.data.length === 0 || offset >= current.total) break;
  }
  if (progressStarted) deps.progress.stop();
  if (summary.status === 'completed') {
    await saveSyncCheckpoint(deps.db, name, { from: to, to: null, offset: 0 }, deps.account);
  }
  summary.seconds = (deps.clock.now().getTime() - started) / 1000;
  deps.logger.info({ ...summary, account: deps.account }, 'ledger stream synced');
  return summary;
}

/**
 * `sync ledger` for one account: snapshots the balance, then reads the transactions and
 * receipts added since the last run. The snapshot comes first, so every movement it counts
 * has a creation time at or before it and is read by this run.
 */
export async function runLedgerSync(deps: LedgerSyncDeps): Promise<LedgerSyncSummary> {
  return withSyncLease(
    deps.db,
    { name: 'omise-sync:ledger', account: deps.account },
    async () => {
      const takenAt = deps.clock.now();
      const balance = await deps.omise.balance.retrieve();
      await writeBalanceSnapshot(deps.db, deps.account, balance, takenAt);
      const streams: LedgerStreamSummary[] = [];
      for (const stream of LEDGER_STREAMS) {
        const summary = await syncStream(deps, stream);
        streams.push(summary);
        if (summary.status === 'interrupted') break;
      }
      return {
        balance: {
          currency: balance.currency.toUpperCase(),
          total: balance.total,
          transferable: balance.transferable ?? balance.available ?? null,
          takenAt,
        },
        streams,
      };
    },
    deps.leaseTtlMs,
  );
}
