import { sql } from 'kysely';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { findSyncCheckpoint } from '@omise-sync/db';
import { useTestDatabase } from '@omise-sync/testing';
import { type Emulator, seedCharges, startEmulator } from '@omise-sync/omise-emulator';
import { systemClock } from '@omise-sync/core';
import {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DEFAULT_DISPUTE_RESPONSE_DAYS,
} from '@omise-sync/projection';
import { BackfillCursor, runBackfill } from './backfill';
import { silentProgress } from './progress-reporter';
import { countRows, countingClient, silentLogger, waitFor } from '../../test/sync-test-kit';

const CHARGES = 3_000;

describe('a backfill killed halfway', () => {
  const database = useTestDatabase();
  let emulator: Emulator;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'cli-backfill-crash' });
    await seedCharges(emulator, { charges: CHARGES, refundShare: 0.1, disputeShare: 0, seed: 3 });
  });
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await emulator.close();
  });

  it('when the CLI process is SIGKILLed mid-walk, the next run resumes from the checkpoint with no duplicates and nothing missing', async () => {
    const { db } = database.handle;
    // The real entry point, from source, in its own process; slowed by its own rate limiter so
    // the kill lands mid-walk.
    child = fork(path.join(__dirname, '..', 'main.ts'), ['backfill', '--resources', 'charges'], {
      execArgv: ['--conditions=@omise-sync/source', '--require', 'tsx/cjs'],
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        OMISE_SECRET_KEY: emulator.secretKey,
        OMISE_API_URL: emulator.url,
        PII_SALT: 'test-pii-salt-0123456789',
        OMISE_RATE_LIMIT_RPS: '10',
        OMISE_RATE_LIMIT_BURST: '1',
        BACKFILL_BATCH_SIZE: '200',
        BACKFILL_PREFETCH_PAGES: '2',
        SYNC_LEASE_TTL_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
      stdio: 'pipe',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child?.once('exit', (_code, signal) => resolve(signal)),
    );
    const progressed = await waitFor(
      async () => {
        const row = await findSyncCheckpoint(db, 'backfill:charges');
        if (row === undefined) return undefined;
        const cursor = BackfillCursor.parse(row.cursor);
        return cursor.offset >= 600 ? cursor : undefined;
      },
      { timeoutMs: 60_000, what: 'the child to commit 600 charges' },
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const killedAt = BackfillCursor.parse(
      (await findSyncCheckpoint(db, 'backfill:charges'))?.cursor,
    );
    expect(killedAt.offset).toBeGreaterThanOrEqual(progressed.offset);
    expect(killedAt.offset).toBeLessThan(CHARGES);
    expect(killedAt.completedAt).toBeNull();
    // Nothing beyond the checkpoint survived the kill: the rows and the cursor commit together.
    expect(await countRows(db, 'omise.charges')).toBe(killedAt.offset);

    // The killed run's lease expires unrenewed; until then the next run would refuse to start.
    await waitFor(
      async () => {
        const lease = await db
          .selectFrom('omise.sync_leases')
          .select(sql<boolean>`expires_at < now()`.as('expired'))
          .where('name', '=', 'omise-sync:backfill')
          .executeTakeFirst();
        return lease === undefined || lease.expired ? true : undefined;
      },
      { what: "the killed run's lease to expire" },
    );
    const { client, pages } = countingClient(emulator);
    const [summary] = await runBackfill(
      {
        db,
        omise: client,
        clock: systemClock,
        progress: silentProgress,
        logger: silentLogger,
        account: 'default',
        severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
        responseDays: DEFAULT_DISPUTE_RESPONSE_DAYS,
      },
      { resources: ['charges'] },
    );
    expect(summary).toMatchObject({
      status: 'completed',
      resumed: true,
      startOffset: killedAt.offset,
    });
    const remainingPages = Math.ceil((CHARGES - killedAt.offset) / 100);
    expect(pages.get('/charges')).toBe(remainingPages);
    expect(remainingPages).toBeLessThan(CHARGES / 100);

    const ids = (await db.selectFrom('omise.charges').select('id').execute()).map((r) => r.id);
    expect(ids).toHaveLength(CHARGES);
    expect(new Set(ids)).toEqual(new Set(emulator.listAll('charges').map((c) => String(c.id))));
    expect(await countRows(db, 'omise.refunds')).toBe(emulator.count('refunds'));
    const done = BackfillCursor.parse((await findSyncCheckpoint(db, 'backfill:charges'))?.cursor);
    expect(done).toMatchObject({ offset: CHARGES, total: CHARGES, written: CHARGES });
    expect(done.pages).toBeGreaterThanOrEqual(CHARGES / 100);
  }, 120_000);
});
