import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createLogger } from '@omise-sync/core';
import { createDatabase, migrateToLatest } from '@omise-sync/db';
import { systemClock } from '@omise-sync/core';
import {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DEFAULT_DISPUTE_RESPONSE_DAYS,
} from '@omise-sync/projection';
import { runBackfill } from '../sync/backfill';
import { createProgressReporter } from '../sync/progress-reporter';
import { createSyncOmiseClient } from '../sync/sync-services';
import { createScratchDatabase, positive, runBenchmark } from './bench-kit';
import { formatTable } from '../text-table';

/**
 * `npm run bench:backfill`: backfill of BENCH_CHARGES (default 100,000) charges from the
 * emulator running as its own process (seeded with the bulk scenario: 10% refunded, 2%
 * disputed, no webhooks) into a fresh database created for the run and dropped after it.
 *
 * Env: DATABASE_URL (a server URL; default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_CHARGES (default 100000), BENCH_TARGET_ROWS_PER_S (default 5000), and the backfill's
 * own BACKFILL_BATCH_SIZE (default 1000), BACKFILL_PREFETCH_PAGES (default 4),
 * OMISE_RATE_LIMIT_RPS (default 100; the limiter runs as in production).
 */

const EMULATOR_KEY = 'skey_test_emulator';

function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const cli = join(dirname(require.resolve('@omise-sync/omise-emulator')), 'cli.js');
  const child = spawn(
    process.execPath,
    [cli, '--port', '0', '--seed', 'bench-backfill', '--admin'],
    {
      env: { ...process.env, EMULATOR_LOG_LEVEL: 'warn', EMULATOR_SECRET_KEY: EMULATOR_KEY },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(buffered);
      if (match?.[1] !== undefined) resolve({ url: match[1], child });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
  });
}

async function main(): Promise<number> {
  const charges = positive('BENCH_CHARGES', 100_000);
  const target = positive('BENCH_TARGET_ROWS_PER_S', 5_000);
  const scratch = await createScratchDatabase('omise_sync_bench');
  const databaseUrl = scratch.url;
  const { url: emulatorUrl, child } = await startEmulatorProcess();
  const database = createDatabase({ connectionString: databaseUrl, maxConnections: 4 });
  try {
    await migrateToLatest(databaseUrl);
    const seeding = Date.now();
    const seeded = await fetch(`${emulatorUrl}/_emulator/scenario`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bulk',
        charges,
        refundShare: 0.1,
        disputeShare: 0.02,
        seed: 'bench',
        wait: true,
      }),
    });
    if (!seeded.ok) throw new Error(`seeding failed: HTTP ${seeded.status}`);
    console.log(
      `seeded ${charges.toLocaleString('en-US')} charges in ${((Date.now() - seeding) / 1000).toFixed(1)} s (bulk scenario, no webhooks)`,
    );

    const omise = createSyncOmiseClient({
      account: 'default',
      secretKey: EMULATOR_KEY,
      apiUrl: emulatorUrl,
      timeoutMs: 30_000,
      rateLimitRps: positive('OMISE_RATE_LIMIT_RPS', 100),
      rateLimitBurst: 10,
    });
    const summaries = await runBackfill(
      {
        db: database.db,
        omise,
        clock: systemClock,
        progress: createProgressReporter({ stream: process.stdout }),
        logger: createLogger({ name: 'bench-backfill', level: 'warn' }),
        account: 'default',
        severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
        responseDays: DEFAULT_DISPUTE_RESPONSE_DAYS,
      },
      {
        resources: ['charges', 'disputes'],
        batchSize: positive('BACKFILL_BATCH_SIZE', 1_000),
        prefetchPages: positive('BACKFILL_PREFETCH_PAGES', 4),
      },
    );
    const count = async (table: 'omise.charges' | 'omise.refunds' | 'omise.disputes') =>
      Number(
        (
          await database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const [chargeRows, refundRows, disputeRows] = [
      await count('omise.charges'),
      await count('omise.refunds'),
      await count('omise.disputes'),
    ];
    const chargeSummary = summaries.find((s) => s.resource === 'charges');
    if (chargeSummary === undefined) throw new Error('the charges backfill did not run');
    const rowsPerSecond = chargeSummary.items / chargeSummary.seconds;
    const pass = rowsPerSecond >= target && chargeRows === charges;
    console.log(
      `\n${formatTable(
        ['benchmark', 'rows', 'seconds', 'rows/s', 'target', 'result'],
        [
          [
            'backfill charges (with refunds)',
            chargeSummary.items,
            Number(chargeSummary.seconds.toFixed(2)),
            Math.round(rowsPerSecond),
            target,
            pass ? 'PASS' : 'FAIL',
          ],
          ...summaries
            .filter((s) => s.resource !== 'charges')
            .map((s) => [
              `backfill ${s.resource}`,
              s.items,
              Number(s.seconds.toFixed(2)),
              Math.round(s.items / Math.max(s.seconds, 0.001)),
              '',
              '',
            ]),
        ],
      )}`,
    );
    console.log(
      `\nrows in Postgres: ${chargeRows.toLocaleString('en-US')} charges (expected ${charges.toLocaleString('en-US')}), ` +
        `${refundRows.toLocaleString('en-US')} refunds, ${disputeRows.toLocaleString('en-US')} disputes; ` +
        `pages ${chargeSummary.pages}; node ${process.version}`,
    );
    if (chargeRows !== charges) {
      console.error('row count check FAILED');
      return 1;
    }
    return pass ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
    await database.destroy();
    await scratch.drop();
  }
}

runBenchmark(main);
