import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { eventQueueName, systemClock } from '@omise-sync/core';
import { createDatabase, migrateToLatest } from '@omise-sync/db';
import { createOmiseClient } from '@omise-sync/omise-client';
import { AlertSink, freePort } from '../dev/alert-sink';
import { ChildService, waitForHttp } from '../dev/child-service';
import { serviceEntry } from './service-process';
import { isSettled, progressLine, takeSnapshot, type DemoSnapshot } from '../dev/demo-progress';
import { START_SERVICES_HELP, resolveServices } from '../dev/local-services';
import { verifySync, type SyncCheck } from '../dev/verify-sync';
import { runLedgerSync } from '../sync/ledger';
import { silentProgress } from '../sync/progress-reporter';
import { createCliLogger } from '../sync/sync-services';
import { formatTable } from '../text-table';
import { UsageError, parseCommandArgs } from '../cli-env';

const DEV_DATABASE = 'omise_sync_dev';
const EMULATOR_SECRET_KEY = 'skey_test_emulator';

export const DEV_USAGE = `Usage: npm run dev [-- options]

Runs the whole pipeline locally against the Omise emulator: migrations, the emulator with a
traffic scenario, the webhook receiver and the worker (each its own process), live progress,
then a summary and a sample BI query. Ctrl-C stops early, cleanly.

  --charges N         charges the scenario creates (default 300)
  --rate N            charges per second (default 20)
  --refund-share X    share of charges refunded (default 0.15)
  --dispute-share X   share of charges disputed (default 0.1)
  --payout-every N    pay out the balance after every N charges (default 50; 0 = never)
  --timeout S         give up waiting for the pipeline to settle after S seconds (default 600)
  --accounts N        Omise accounts, each with its own key, webhook URL and secret, all into
                      one database (default 1; 2 or more use OMISE_ACCOUNTS_FILE)

The ledger (balance, transactions, receipts) is synced every LEDGER_SYNC_INTERVAL seconds
(default 10) while it runs and once more when the pipeline has settled.
`;

/** One demo account: its name, emulator key and webhook secret. */
interface DevAccount {
  name: string;
  secretKey: string;
  webhookSecret: string;
}

/** `default` (the emulator's own account), then `account-2`, `account-3`… */
function devAccounts(count: number): DevAccount[] {
  return Array.from({ length: count }, (_, index) => ({
    name: index === 0 ? 'default' : `account-${index + 1}`,
    secretKey: index === 0 ? EMULATOR_SECRET_KEY : `${EMULATOR_SECRET_KEY}_${index + 1}`,
    webhookSecret: randomBytes(32).toString('base64'),
  }));
}

function numberFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number`);
  return n;
}

/** With no DATABASE_URL, the demo owns a database of its own on the server and starts it empty. */
async function prepareDevDatabase(serverUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${DEV_DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${DEV_DATABASE}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${DEV_DATABASE}`;
  return url.toString();
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** `npm run dev`: the demo. */
export async function devCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: [...args],
      options: {
        charges: { type: 'string' },
        rate: { type: 'string' },
        'refund-share': { type: 'string' },
        'dispute-share': { type: 'string' },
        'payout-every': { type: 'string' },
        timeout: { type: 'string' },
        accounts: { type: 'string' },
        help: { type: 'boolean' },
      },
    },
    DEV_USAGE,
  );
  if (values.help === true) {
    console.log(DEV_USAGE);
    return 0;
  }
  const scenario = {
    name: 'demo',
    charges: numberFlag('charges', values.charges, 300),
    ratePerSecond: numberFlag('rate', values.rate, 20),
    refundShare: numberFlag('refund-share', values['refund-share'], 0.15),
    disputeShare: numberFlag('dispute-share', values['dispute-share'], 0.1),
    payoutEvery: Math.floor(numberFlag('payout-every', values['payout-every'], 50)),
  };
  const ledgerSyncSeconds = Number(env.LEDGER_SYNC_INTERVAL ?? 10);
  if (!Number.isFinite(ledgerSyncSeconds) || ledgerSyncSeconds <= 0) {
    throw new UsageError('LEDGER_SYNC_INTERVAL must be a positive number of seconds');
  }
  const ledgerSyncMs = ledgerSyncSeconds * 1000;
  const timeoutMs = numberFlag('timeout', values.timeout, 600) * 1000;
  const accountCount = numberFlag('accounts', values.accounts, 1);
  if (!Number.isInteger(accountCount) || accountCount < 1 || accountCount > 20) {
    throw new UsageError('--accounts must be a whole number from 1 to 20');
  }
  const accounts = devAccounts(accountCount);

  const say = (line: string) => console.log(line);
  const services = await resolveServices(env, say);
  if (services === undefined) {
    console.error(START_SERVICES_HELP);
    return 1;
  }
  const databaseUrl = services.databaseIsOurs
    ? await prepareDevDatabase(services.databaseUrl)
    : services.databaseUrl;
  say(
    `Postgres and Redis: ${services.source}${services.databaseIsOurs ? ` (database ${DEV_DATABASE}, fresh)` : ''}`,
  );
  const migrated = await migrateToLatest(databaseUrl);
  say(`migrations: ${migrated.applied.length} applied, ${migrated.known.length} known`);

  const runId = randomBytes(3).toString('hex');
  const prefix = `omise-sync-dev-${runId}`;
  const logDir = join(process.cwd(), '.dev', 'logs');
  mkdirSync(logDir, { recursive: true });
  const [emulatorPort, receiverPort, receiverMetricsPort, workerMetricsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;
  const workerUrl = `http://127.0.0.1:${workerMetricsPort}`;

  const alerts = await AlertSink.start(() => undefined);
  const handle = createDatabase({ connectionString: databaseUrl, maxConnections: 2 });
  const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
  const lanes = accounts.map((account) => ({
    account,
    queue: new Queue(eventQueueName(account.name), { connection: redis, prefix }),
  }));
  // Several accounts go through the accounts file, as in production; one keeps the variables.
  const accountsFile = join(process.cwd(), '.dev', 'accounts.json');
  if (accounts.length > 1) {
    writeFileSync(
      accountsFile,
      JSON.stringify(
        accounts.map((a) => ({
          name: a.name,
          secretKey: a.secretKey,
          webhookSecrets: [a.webhookSecret],
        })),
      ),
      { mode: 0o600 },
    );
  }
  const [primary] = accounts;
  if (primary === undefined) throw new UsageError('--accounts must be at least 1');
  const accountVariables =
    accounts.length > 1
      ? { OMISE_ACCOUNTS_FILE: accountsFile, OMISE_SECRET_KEY: undefined }
      : { OMISE_ACCOUNTS_FILE: undefined };
  const cli = process.argv[1] ?? join(__dirname, '..', 'main.js');
  const common = {
    ...env,
    LOG_LEVEL: env.LOG_LEVEL ?? 'info',
    // A fresh salt per run unless one is given: the demo's hashes need not outlive it.
    PII_SALT: env.PII_SALT ?? randomBytes(24).toString('base64url'),
    BULLMQ_PREFIX: prefix,
    REDIS_URL: services.redisUrl,
  };
  const children: ChildService[] = [];
  const start = (name: string, args: string[], childEnv: NodeJS.ProcessEnv) => {
    const child = new ChildService(name, args, childEnv, join(logDir, `${name}.log`));
    children.push(child);
    return child;
  };

  let interrupted = false;
  let wake: (() => void) | undefined;
  const onSignal = () => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const startedAt = Date.now();
  let last: DemoSnapshot[] | undefined;
  let settled = false;
  let checks: SyncCheck[][] | undefined;
  try {
    const receiver = start('receiver', [serviceEntry('receiver')], {
      ...common,
      PORT: String(receiverPort),
      METRICS_PORT: String(receiverMetricsPort),
      ...accountVariables,
      // Signature mode needs no API key; one exported for the CLI must not reach the receiver.
      OMISE_SECRET_KEY: undefined,
      OMISE_WEBHOOK_SECRETS: accounts.length > 1 ? undefined : primary.webhookSecret,
    });
    const worker = start('worker', [serviceEntry('worker')], {
      ...common,
      DATABASE_URL: databaseUrl,
      OMISE_SECRET_KEY: EMULATOR_SECRET_KEY,
      ...accountVariables,
      OMISE_API_URL: emulatorUrl,
      METRICS_PORT: String(workerMetricsPort),
      ALERT_WEBHOOK_URL: alerts.url,
      // The emulator makes only test-mode disputes; the demo should still show their alerts.
      ALERT_TEST_MODE: 'notify',
    });
    const emulator = start(
      'emulator',
      [
        cli,
        'emulator',
        '--port',
        String(emulatorPort),
        '--admin',
        '--webhook-url',
        `${receiverUrl}/webhooks/omise`,
      ],
      {
        ...env,
        EMULATOR_SECRET_KEY,
        EMULATOR_WEBHOOK_SECRETS: primary.webhookSecret,
        EMULATOR_ACCOUNTS: JSON.stringify(
          accounts.slice(1).map((a) => ({
            name: a.name,
            secretKey: a.secretKey,
            webhooks: [
              { url: `${receiverUrl}/webhooks/omise/${a.name}`, secrets: [a.webhookSecret] },
            ],
          })),
        ),
        EMULATOR_LOG_LEVEL: 'info',
      },
    );
    await Promise.all([
      waitForHttp(`${receiverUrl}/readyz`, 30_000, () => receiver.running),
      waitForHttp(`${workerUrl}/readyz`, 30_000, () => worker.running),
      waitForHttp(`${emulatorUrl}/_emulator/stats`, 30_000, () => emulator.running),
    ]);
    say(
      `emulator ${emulatorUrl} → receiver ${receiverUrl}/webhooks/omise → queue ${prefix} → worker → Postgres`,
    );
    if (accounts.length > 1) {
      say(
        `accounts: ${accounts.map((a) => `${a.name} (${receiverUrl}/webhooks/omise/${a.name})`).join(', ')}`,
      );
    }
    say(`logs: ${logDir}/{emulator,receiver,worker}.log`);
    for (const account of accounts) {
      const query = new URLSearchParams({ account: account.name });
      const response = await fetch(`${emulatorUrl}/_emulator/scenario?${query.toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(scenario),
      });
      if (!response.ok)
        throw new Error(`the emulator refused the scenario: ${await response.text()}`);
    }
    say(
      `scenario${accounts.length > 1 ? ' per account' : ''}: ${scenario.charges} charges at ${scenario.ratePerSecond}/s, ` +
        `${Math.round(scenario.refundShare * 100)}% refunded, ${Math.round(scenario.disputeShare * 100)}% disputed (Ctrl-C to stop early)`,
    );

    const ledgerLogger = createCliLogger('ledger', 'warn');
    // The ledger has no events: it is read on a timer, as the CronJob does in production.
    const syncLedger = async (): Promise<void> => {
      for (const account of accounts) {
        await runLedgerSync({
          db: handle.db,
          omise: createOmiseClient({ secretKey: account.secretKey, baseUrl: emulatorUrl }),
          account: account.name,
          clock: systemClock,
          progress: silentProgress,
          logger: ledgerLogger,
        });
      }
    };
    let lastLedgerSync = Date.now();

    const tty = process.stdout.isTTY;
    let lastPrinted = 0;
    let settledReadings = 0;
    while (!interrupted && Date.now() - startedAt < timeoutMs) {
      if (!children.every((c) => c.running)) {
        const dead = children.filter((c) => !c.running).map((c) => c.name);
        throw new Error(`${dead.join(', ')} exited unexpectedly; see ${logDir}`);
      }
      last = await Promise.all(
        lanes.map(({ account, queue }) =>
          takeSnapshot(emulatorUrl, handle.db, queue, account.name),
        ),
      );
      const readings = last;
      const line = readings
        .map((reading, index) => {
          const text = progressLine(reading, Date.now() - startedAt);
          return accounts.length > 1 ? `${accounts[index]?.name ?? ''} ${text}` : text;
        })
        .join(' || ');
      if (tty)
        process.stdout.write(
          `\r${line.padEnd(process.stdout.columns - 1 || 0).slice(0, (process.stdout.columns || 200) - 1)}`,
        );
      else if (Date.now() - lastPrinted >= 5_000) {
        console.log(line);
        lastPrinted = Date.now();
      }
      if (Date.now() - lastLedgerSync >= ledgerSyncMs) {
        await syncLedger();
        lastLedgerSync = Date.now();
      }
      settledReadings = readings.every(isSettled) ? settledReadings + 1 : 0;
      if (settledReadings >= 2) {
        settled = true;
        break;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1_000);
      });
    }
    if (tty) process.stdout.write('\n');
    if (interrupted) say('interrupted: stopping…');
    else if (!settled) say(`the pipeline did not settle within ${timeoutMs / 1000} s: stopping…`);
    // Compared while the emulator still runs: Omise's state against Postgres, resource by resource.
    if (emulator.running) {
      await syncLedger();
      checks = [];
      for (const account of accounts) {
        checks.push(
          await verifySync(
            createOmiseClient({ secretKey: account.secretKey, baseUrl: emulatorUrl }),
            handle.db,
            account.name,
          ),
        );
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Upstream first: the emulator stops delivering, the receiver drains, the worker finishes its jobs.
    const codes = [];
    for (const name of ['emulator', 'receiver', 'worker']) {
      const child = children.find((c) => c.name === name);
      if (child !== undefined) codes.push(`${name} ${String(await child.stop(30_000))}`);
    }
    if (children.length > 0) say(`stopped (exit codes: ${codes.join(', ')})`);
    await alerts.close();
  }

  try {
    await printSummary(last, checks, handle.db, alerts.messages, startedAt, settled);
  } finally {
    await Promise.all(lanes.map(({ queue }) => queue.close()));
    await deleteKeys(redis, prefix);
    await redis.quit();
    await handle.destroy();
  }
  return settled || interrupted ? 0 : 1;

  async function printSummary(
    snapshots: readonly DemoSnapshot[] | undefined,
    syncChecks: readonly (readonly SyncCheck[])[] | undefined,
    db: typeof handle.db,
    notifications: readonly string[],
    began: number,
    done: boolean,
  ): Promise<void> {
    const seconds = (Date.now() - began) / 1000;
    console.log(`\n== summary (${seconds.toFixed(1)} s${done ? ', settled' : ''})`);
    if (snapshots !== undefined) {
      // One column per account: the demo's point with several is that each flows on its own.
      const column = (pick: (s: DemoSnapshot) => number) => snapshots.map(pick);
      console.log(
        formatTable(
          ['stage', ...accounts.map((a) => a.name)],
          [
            ['events created by Omise (emulator)', ...column((s) => s.emulator.counts.events)],
            ['webhook deliveries accepted', ...column((s) => s.emulator.deliveries.succeeded)],
            ['events projected into Postgres', ...column((s) => s.events.projected)],
            ['events not found / failed', ...column((s) => s.events.notFound + s.events.failed)],
            ['jobs left in queue (failed)', ...column((s) => s.queue.failed)],
            ['disputes flagged', ...column((s) => s.flags.flagged)],
            ['lag delivery→commit p50 (ms)', ...column((s) => Math.round(s.events.lagP50Ms ?? 0))],
            ['lag delivery→commit p99 (ms)', ...column((s) => Math.round(s.events.lagP99Ms ?? 0))],
          ],
        ),
      );
      console.log(`team notifications sent: ${notifications.length}`);
    }
    if (syncChecks !== undefined) {
      console.log('\n== Postgres against the Omise API');
      console.log(
        formatTable(
          ['account', 'resource', 'omise', 'postgres', 'matching'],
          syncChecks.flatMap((checksOfAccount, index) =>
            checksOfAccount.map((c) => [
              accounts[index]?.name ?? '',
              c.resource,
              c.omise,
              c.postgres,
              c.matching,
            ]),
          ),
        ),
      );
    }
    const money = await sql<{
      account: string;
      payouts: string;
      payout_differences: string;
      snapshot_days: string;
      rollforward_differences: string;
    }>`
      SELECT coalesce(p.account, r.account) AS account,
             coalesce(p.payouts, 0) AS payouts,
             coalesce(p.differences, 0) AS payout_differences,
             coalesce(r.snapshot_days, 0) AS snapshot_days,
             coalesce(r.differences, 0) AS rollforward_differences
        FROM (SELECT account, count(*) AS payouts, count(*) FILTER (WHERE difference <> 0) AS differences
                FROM bi.payout_reconciliation GROUP BY account) p
        FULL JOIN (SELECT account, count(*) AS snapshot_days,
                          count(*) FILTER (WHERE difference <> 0) AS differences
                     FROM bi.balance_rollforward WHERE snapshot_at IS NOT NULL GROUP BY account) r
          USING (account)
       ORDER BY 1`.execute(db);
    console.log('\n== the money picture: bi.payout_reconciliation, bi.balance_rollforward');
    console.log(
      formatTable(
        [
          'account',
          'payouts',
          'with a difference',
          'days with a snapshot',
          'roll-forward differences',
        ],
        money.rows.map((r) => [
          r.account,
          Number(r.payouts),
          Number(r.payout_differences),
          Number(r.snapshot_days),
          Number(r.rollforward_differences),
        ]),
      ),
    );
    const differences = money.rows.reduce(
      (sum, r) => sum + Number(r.payout_differences) + Number(r.rollforward_differences),
      0,
    );
    console.log(
      differences === 0
        ? 'payouts reconcile and the balance rolls forward: no differences'
        : `${differences} difference(s): see bi.payout_reconciliation and bi.balance_rollforward`,
    );
    const volume = await sql<{
      account: string;
      day: Date;
      currency: string;
      status: string;
      charge_count: number;
      amount_total: number;
      refunded_total: number;
    }>`
      SELECT account, day, currency, status, charge_count, amount_total, refunded_total
        FROM bi.daily_charge_volume ORDER BY account, day, currency, status`.execute(db);
    console.log('\n== sample BI query: SELECT * FROM bi.daily_charge_volume');
    console.log(
      formatTable(
        ['account', 'day', 'currency', 'status', 'charges', 'amount', 'refunded'],
        volume.rows.map((r) => [
          r.account,
          r.day.toISOString().slice(0, 10),
          r.currency,
          r.status,
          r.charge_count,
          r.amount_total,
          r.refunded_total,
        ]),
      ),
    );
    const open = await sql<{
      dispute_id: string;
      amount: number;
      currency: string;
      reason_code: string | null;
      severity: string | null;
    }>`
      SELECT dispute_id, amount, currency, reason_code, severity FROM bi.open_disputes ORDER BY opened_at LIMIT 10`.execute(
      db,
    );
    console.log('\n== SELECT … FROM bi.open_disputes (oldest 10)');
    console.log(
      open.rows.length === 0
        ? '(no open disputes)'
        : formatTable(
            ['dispute', 'amount', 'currency', 'reason', 'severity'],
            open.rows.map((r) => [r.dispute_id, r.amount, r.currency, r.reason_code, r.severity]),
          ),
    );
  }
}
