import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createDatabase, migrateToLatest } from '@omise-sync/db';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';

/**
 * `npm run bench:pipeline`: events flow emulator → receiver → worker → Postgres, all real.
 * The emulator runs in this process; the receiver and one worker are child processes (so the
 * worker's peak memory is its own), on a fresh database (created, migrated, dropped) and a
 * Redis prefix of their own (deleted after).
 *
 * Phase 1 paces 300 events/s on the warmed-up pipeline and measures the lag from delivery
 * (`received_at`, set by the receiver) to the committed row (`processed_at`): the lag target.
 * Phase 2 pushes events as fast as the emulator can produce them and measures what the worker
 * completes per second draining the backlog. Phase 3 repeats phase 1 right after the burst,
 * while Postgres absorbs it (autovacuum, analyze, checkpoints): reported, not a target.
 *
 * Targets on the reference machine (2 cores shared by everything above, Postgres and Redis):
 * ≥ 1,500 events/s sustained with one worker process, p99 lag ≤ 250 ms at 300 events/s.
 *
 * Environment: DATABASE_URL (an admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * REDIS_URL (default redis://127.0.0.1:6379), BENCH_THROUGHPUT_SECONDS (20),
 * BENCH_LAG_SECONDS (20), BENCH_LAG_RATE (300), BENCH_WORKER_CONCURRENCY (256),
 * BENCH_WARMUP_SECONDS (10), BENCH_DEBUG (1: per-second lag and worker metrics),
 * BENCH_CPU_PROFILE_DIR (V8 CPU profiles of the receiver and worker in <dir>/<name>),
 * BENCH_WORKER_NODE_FLAGS (node flags of the worker process; default: the GC setting of the
 * production overlay, see WORKER_NODE_FLAGS).
 */

const THROUGHPUT_TARGET = 1_500;
const P99_TARGET_MS = 250;

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const adminUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const throughputSeconds = intFromEnv('BENCH_THROUGHPUT_SECONDS', 20);
const lagSeconds = intFromEnv('BENCH_LAG_SECONDS', 20);
const lagRate = intFromEnv('BENCH_LAG_RATE', 300);
const workerConcurrency = intFromEnv('BENCH_WORKER_CONCURRENCY', 256);
const warmupSeconds = intFromEnv('BENCH_WARMUP_SECONDS', 10);
/**
 * The worker runs with the young-generation size of infra/overlays/prod: with Node's default
 * semi-spaces the scavenger runs several times per hundred jobs under load.
 */
const WORKER_NODE_FLAGS = '--max-semi-space-size=64';
const workerNodeFlags = (process.env['BENCH_WORKER_NODE_FLAGS'] ?? WORKER_NODE_FLAGS)
  .split(' ')
  .filter((flag) => flag !== '');
const runId = randomBytes(4).toString('hex');
const databaseName = `omise_sync_bench_${runId}`;
const prefix = `bench:pipeline:${runId}`;
const webhookSecret = randomBytes(32).toString('base64');

const workerMain = path.join(__dirname, '..', 'main.js');
const receiverMain = path.join(__dirname, '..', '..', '..', 'webhook-receiver', 'dist', 'main.js');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const profileDir = process.env['BENCH_CPU_PROFILE_DIR'];
  const args = [
    ...nodeFlags,
    ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${name}`]),
    script,
  ];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) =>
    process.stderr.write(`[${name}] ${chunk.toString()}`),
  );
  return child;
}

async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer in time`);
    await sleep(100);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Peak resident set size of a process, in bytes (Linux: VmHWM). */
function peakRss(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Sum of a counter family in a Prometheus text exposition, optionally filtered by labels. */
function counterSum(text: string, name: string, labelFilter?: RegExp): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labelFilter !== undefined && !labelFilter.test(line)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * Produces a realistic mix of events through the emulator's own actions (each call produces
 * the same events and signed webhook deliveries as the API): new charges, refunds, metadata
 * updates and disputes, on a pool of recent charges.
 */
class TrafficGenerator {
  private readonly recent: { id: string; refundable: number; disputed: boolean }[] = [];
  private token = 0;

  constructor(private readonly emulator: Emulator) {}

  /** Performs one action; returns how many events it produced. */
  step(): number {
    const before = this.emulator.count('events');
    const roll = Math.random();
    const target = this.recent[Math.floor(Math.random() * this.recent.length)];
    if (target === undefined || roll < 0.55) {
      this.createCharge();
    } else if (roll < 0.75 && target.refundable >= 2_000) {
      this.emulator.actions.createRefund(target.id, { amount: 1_000 });
      target.refundable -= 1_000;
    } else if (roll < 0.95) {
      this.emulator.actions.updateCharge(target.id, { metadata: { touched: String(Date.now()) } });
    } else if (!target.disputed) {
      this.emulator.actions.createDispute(target.id);
      target.disputed = true;
    } else {
      this.createCharge();
    }
    return this.emulator.count('events') - before;
  }

  private createCharge(): void {
    this.token += 1;
    const token = this.emulator.actions.createToken({
      card: {
        name: `Bench ${this.token}`,
        number: '4242424242424242',
        expiration_month: 12,
        expiration_year: 2040,
      },
    });
    const charge = this.emulator.actions.createCharge({
      amount: 100_000 + (this.token % 1_000) * 100,
      currency: 'THB',
      card: String(token['id']),
      metadata: { order: String(this.token) },
    });
    this.recent.push({ id: String(charge['id']), refundable: 100_000, disputed: false });
    if (this.recent.length > 2_000) this.recent.shift();
  }

  /**
   * Produces events at `ratePerSecond` (or as fast as possible when undefined) for
   * `seconds`, yielding to the event loop so deliveries and API calls keep flowing.
   */
  async run(seconds: number, ratePerSecond?: number): Promise<number> {
    const start = performance.now();
    const end = start + seconds * 1_000;
    let produced = 0;
    while (performance.now() < end) {
      if (ratePerSecond === undefined) {
        for (let i = 0; i < 20; i += 1) produced += this.step();
        await tick();
        continue;
      }
      const due = Math.floor(((performance.now() - start) / 1_000) * ratePerSecond);
      while (produced < due) produced += this.step();
      await sleep(5);
    }
    return produced;
  }
}

interface Result {
  metric: string;
  value: string;
  target: string;
  pass: boolean | undefined;
}

async function main(): Promise<void> {
  console.log(`pipeline benchmark ${runId}: database ${databaseName}, Redis prefix ${prefix}`);
  await adminQuery(`CREATE DATABASE "${databaseName}"`);
  const databaseUrl = withDatabase(adminUrl, databaseName);
  const children: ChildProcess[] = [];
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const database = createDatabase({ connectionString: databaseUrl, maxConnections: 2 });
  let emulator: Emulator | undefined;
  try {
    await migrateToLatest(databaseUrl);
    const receiverPort = await freePort();
    const metricsPort = await freePort();
    emulator = await startEmulator({
      seed: `bench-${runId}`,
      webhooks: [
        { url: `http://127.0.0.1:${receiverPort}/webhooks/omise`, secrets: [webhookSecret] },
      ],
      delivery: { concurrency: 128 },
    });
    const receiver = startChild('receiver', receiverMain, {
      PORT: String(receiverPort),
      REDIS_URL: redisUrl,
      BULLMQ_PREFIX: prefix,
      OMISE_WEBHOOK_SECRETS: webhookSecret,
      LOG_LEVEL: 'warn',
    });
    children.push(receiver);
    const worker = startChild(
      'worker',
      workerMain,
      {
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        BULLMQ_PREFIX: prefix,
        OMISE_SECRET_KEY: emulator.secretKey,
        OMISE_API_URL: emulator.url,
        METRICS_PORT: String(metricsPort),
        WORKER_CONCURRENCY: String(workerConcurrency),
        LOG_LEVEL: 'warn',
      },
      workerNodeFlags,
    );
    children.push(worker);
    await waitForHttp(`http://127.0.0.1:${receiverPort}/readyz`);
    await waitForHttp(`http://127.0.0.1:${metricsPort}/readyz`);

    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const completed = async () =>
      counterSum(
        await scrape(),
        'omise_sync_worker_jobs_total',
        /outcome="(projected|coalesced|not_found)"/,
      );
    const waiting = async () =>
      counterSum(await scrape(), 'omise_sync_queue_waiting_jobs', /queue="omise-events"/);
    const drain = async (timeoutMs: number) => {
      await emulator?.deliveries.idle();
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const counts = await redis.eval(
          // wait + active + delayed + prioritized of the events queue
          "return redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2]) + redis.call('ZCARD', KEYS[3]) + redis.call('ZCARD', KEYS[4])",
          4,
          `${prefix}:omise-events:wait`,
          `${prefix}:omise-events:active`,
          `${prefix}:omise-events:delayed`,
          `${prefix}:omise-events:prioritized`,
        );
        if (counts === 0) return;
        await sleep(100);
      }
      throw new Error('the pipeline did not drain in time');
    };

    const generator = new TrafficGenerator(emulator);
    // Warm-up: JIT, connection pools, the first pages of every table. A fresh worker on an
    // empty database lags for its first seconds (BENCH_DEBUG=1 shows it per second); the
    // phases below measure the settled pipeline.
    await generator.run(warmupSeconds, lagRate);
    await drain(60_000);

    /** Paced load at `lagRate`; lag from delivery (`received_at`) to the committed row. */
    const measureLag = async (phase: string) => {
      console.log(`${phase}: ${lagRate} events/s for ${lagSeconds}s…`);
      const from = new Date();
      const produced = await generator.run(lagSeconds, lagRate);
      const to = new Date();
      await drain(120_000);
      const lag = await sql<{ n: string; p50: number; p99: number }>`
        SELECT count(*) AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000 AS p50,
               percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000 AS p99
          FROM omise.events
         WHERE received_at >= ${from} AND received_at < ${to}`.execute(database.db);
      const row = lag.rows[0];
      if (process.env['BENCH_DEBUG'] === '1') {
        const bySecond = await sql<{ second: string; n: string; p99: number; max: number }>`
          SELECT to_char(date_trunc('second', received_at), 'HH24:MI:SS') AS second, count(*) AS n,
                 percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000 AS p99,
                 max(extract(epoch FROM processed_at - received_at)) * 1000 AS max
            FROM omise.events
           WHERE received_at >= ${from} AND received_at < ${to}
           GROUP BY 1 ORDER BY 1`.execute(database.db);
        for (const r of bySecond.rows) {
          console.log(
            `  ${r.second}  n=${r.n}  p99=${Math.round(r.p99)} ms  max=${Math.round(r.max)} ms`,
          );
        }
      }
      return {
        produced,
        measured: Number(row?.n ?? 0),
        p50: Number(row?.p50 ?? NaN),
        p99: Number(row?.p99 ?? NaN),
      };
    };

    // Phase 1: paced load on the warmed-up pipeline, lag from delivery to committed row.
    const steady = await measureLag('phase 1');

    // Phase 2: as many events as possible. While the emulator produces them (in this process)
    // it competes with the worker for CPU and answers the worker's API calls late, so the
    // worker's own capacity is measured on the backlog left once production stops: from then
    // on the emulator only answers API calls.
    console.log(`phase 2: pushing events as fast as possible for ${throughputSeconds}s…`);
    const startCompleted = await completed();
    const t0 = performance.now();
    let maxWaiting = 0;
    const sampler = setInterval(() => {
      waiting().then(
        (n) => {
          maxWaiting = Math.max(maxWaiting, n);
        },
        () => undefined,
      );
    }, 1_000);
    const produced = await generator.run(throughputSeconds);
    const windowSeconds = (performance.now() - t0) / 1_000;
    const completedInWindow = (await completed()) - startCompleted;
    await emulator.deliveries.idle();
    const backlogStart = performance.now();
    const completedAtBacklog = await completed();
    const backlog = await waiting();
    await drain(300_000);
    clearInterval(sampler);
    const backlogSeconds = (performance.now() - backlogStart) / 1_000;
    const drained = (await completed()) - completedAtBacklog;
    const totalSeconds = (performance.now() - t0) / 1_000;
    const completedTotal = (await completed()) - startCompleted;
    const producedRate = produced / windowSeconds;
    const windowRate = completedInWindow / windowSeconds;
    const overallRate = completedTotal / totalSeconds;
    const sustained =
      backlog >= 1_000 ? drained / backlogSeconds : Math.max(windowRate, overallRate);

    // After the burst: the same paced load while Postgres and Redis absorb what the burst left
    // (autovacuum and analyze of tables that grew tenfold, checkpoints, completed-job cleanup).
    // Reported, but not the target, which is about steady state.
    const afterBurst = await measureLag('phase 3');
    if (process.env['BENCH_DEBUG'] === '1') {
      const text = await scrape();
      for (const line of text.split('\n')) {
        if (
          /^omise_sync_(projection_duration_seconds_(sum|count)|worker_jobs_total|delivery_lag_seconds_(sum|count)|omise_api_request_duration_seconds_(sum|count)|projection_batch_size_(sum|count))/.test(
            line,
          )
        )
          console.log(line);
      }
      console.log(JSON.stringify(emulator.deliveries.stats()));
    }
    const memory = worker.pid === undefined ? undefined : peakRss(worker.pid);
    const calls = counterSum(await scrape(), 'omise_sync_omise_api_requests_total');
    const failedJobs = counterSum(
      await scrape(),
      'omise_sync_worker_jobs_total',
      /outcome="failed"/,
    );

    const results: Result[] = [
      {
        metric: `events/s sustained by the worker (draining a ${backlog}-job backlog)`,
        value: sustained.toFixed(0),
        target: `>= ${THROUGHPUT_TARGET}`,
        pass: sustained >= THROUGHPUT_TARGET,
      },
      {
        metric: '  events/s completed while the emulator was producing',
        value: windowRate.toFixed(0),
        target: '',
        pass: undefined,
      },
      {
        metric: '  events/s produced by emulator + receiver (phase 2)',
        value: producedRate.toFixed(0),
        target: '',
        pass: undefined,
      },
      {
        metric: '  events/s end to end, production + drain',
        value: overallRate.toFixed(0),
        target: '',
        pass: undefined,
      },
      {
        metric: '  largest backlog seen (waiting jobs)',
        value: String(maxWaiting),
        target: '',
        pass: undefined,
      },
      {
        metric: `p50 lag delivery → committed row at ${lagRate}/s (ms)`,
        value: steady.p50.toFixed(1),
        target: '',
        pass: undefined,
      },
      {
        metric: `p99 lag delivery → committed row at ${lagRate}/s (ms)`,
        value: steady.p99.toFixed(1),
        target: `<= ${P99_TARGET_MS}`,
        pass: steady.p99 <= P99_TARGET_MS,
      },
      {
        metric: `  events measured in phase 1 (produced ${steady.produced})`,
        value: String(steady.measured),
        target: '',
        pass: undefined,
      },
      {
        metric: `  p50 / p99 lag at ${lagRate}/s right after the burst (ms)`,
        value: `${afterBurst.p50.toFixed(0)} / ${afterBurst.p99.toFixed(0)}`,
        target: '',
        pass: undefined,
      },
      {
        metric: 'worker peak RSS (MiB)',
        value: memory === undefined ? 'n/a' : (memory / 1024 / 1024).toFixed(0),
        target: '',
        pass: undefined,
      },
      {
        metric: '  Omise API calls by the worker',
        value: String(calls),
        target: '',
        pass: undefined,
      },
      { metric: '  failed jobs', value: String(failedJobs), target: '0', pass: failedJobs === 0 },
    ];
    const width = Math.max(...results.map((r) => r.metric.length));
    console.log('');
    console.log(`${'metric'.padEnd(width)}  ${'value'.padStart(9)}  ${'target'.padEnd(8)}  result`);
    for (const r of results) {
      const verdict = r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL';
      console.log(
        `${r.metric.padEnd(width)}  ${r.value.padStart(9)}  ${r.target.padEnd(8)}  ${verdict}`,
      );
    }
    console.log(
      `\n(worker concurrency ${workerConcurrency}, node flags '${workerNodeFlags.join(' ')}'; ${produced} events in phase 2 over ${windowSeconds.toFixed(1)}s, drained in ${totalSeconds.toFixed(1)}s)`,
    );
  } finally {
    for (const child of children) await stopChild(child);
    await emulator?.close();
    await database.destroy();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
    await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
