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
import { cpuMilliseconds, peakRss } from './proc-stats';

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
 * ≥ 1,500 events/s sustained with one worker process, p99 lag ≤ 250 ms at 300 events/s, worker
 * peak RSS ≤ 250 MiB. The worker runs as it ships: WORKER_CONCURRENCY is not set (the default of
 * src/config.ts applies) and NODE_OPTIONS is read from the production overlay at run time, so
 * bench and manifest cannot drift. Phase 2 also reports the CPU time of every process per event.
 *
 * Environment: DATABASE_URL (an admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * REDIS_URL (default redis://127.0.0.1:6379), BENCH_THROUGHPUT_SECONDS (20),
 * BENCH_LAG_SECONDS (20), BENCH_LAG_RATE (300), BENCH_WARMUP_SECONDS (10), BENCH_DEBUG (1:
 * per-second lag and worker metrics), BENCH_CPU_PROFILE_DIR (V8 CPU profiles of the receiver and
 * worker in <dir>/<name>). For experiments only (the targets are then not judged):
 * BENCH_WORKER_CONCURRENCY (the worker's WORKER_CONCURRENCY) and BENCH_WORKER_NODE_OPTIONS (its
 * NODE_OPTIONS instead of the production overlay's).
 */

const THROUGHPUT_TARGET = 1_500;
const P99_TARGET_MS = 250;
const PEAK_RSS_TARGET_MIB = 250;

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
const warmupSeconds = intFromEnv('BENCH_WARMUP_SECONDS', 10);
const concurrencyOverride =
  process.env['BENCH_WORKER_CONCURRENCY'] === undefined
    ? undefined
    : String(intFromEnv('BENCH_WORKER_CONCURRENCY', 1));
const nodeOptionsOverride = process.env['BENCH_WORKER_NODE_OPTIONS'];
const runsAsShipped = concurrencyOverride === undefined && nodeOptionsOverride === undefined;
const runId = randomBytes(4).toString('hex');
const databaseName = `omise_sync_bench_${runId}`;
const prefix = `bench:pipeline:${runId}`;
const webhookSecret = randomBytes(32).toString('base64');

const workerMain = path.join(__dirname, '..', 'main.js');
const receiverMain = path.join(__dirname, '..', '..', '..', 'webhook-receiver', 'dist', 'main.js');
const prodOverlay = path.join(
  __dirname,
  ...['..', '..', '..', '..', 'infra', 'overlays', 'prod', 'kustomization.yaml'],
);

/**
 * NODE_OPTIONS of the worker in the production overlay: the NODE_OPTIONS literal of its
 * `omise-sync-worker-config` generator. `--enable-source-maps` stays in: it costs only when a
 * stack trace is formatted (and source maps are read once, at start), which a healthy worker
 * rarely does, and leaving it out would measure a worker that does not ship.
 */
function shippedWorkerNodeOptions(): string {
  const lines = readFileSync(prodOverlay, 'utf8').split('\n');
  const start = lines.findIndex((line) => /-\s+name:\s+omise-sync-worker-config\s*$/.test(line));
  for (const line of start === -1 ? [] : lines.slice(start + 1)) {
    if (/-\s+name:/.test(line)) break;
    const value = /^\s*-\s+NODE_OPTIONS=(.*)$/.exec(line)?.[1];
    if (value !== undefined) return value.trim();
  }
  throw new Error(`${prodOverlay} sets no NODE_OPTIONS for omise-sync-worker-config`);
}

const workerNodeOptions = nodeOptionsOverride ?? shippedWorkerNodeOptions();
const isLocal = (url: string) =>
  ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

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

function startChild(name: string, script: string, env: Record<string, string>): ChildProcess {
  const profileDir = process.env['BENCH_CPU_PROFILE_DIR'];
  const args = [
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
      // Its /metrics port must not collide with the worker's.
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    children.push(receiver);
    const worker = startChild('worker', workerMain, {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      BULLMQ_PREFIX: prefix,
      OMISE_SECRET_KEY: emulator.secretKey,
      PII_SALT: 'bench-pii-salt-0123456789',
      OMISE_API_URL: emulator.url,
      METRICS_PORT: String(metricsPort),
      NODE_OPTIONS: workerNodeOptions,
      ...(concurrencyOverride === undefined ? {} : { WORKER_CONCURRENCY: concurrencyOverride }),
      LOG_LEVEL: 'warn',
    });
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

    const redisPid = isLocal(redisUrl)
      ? Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1])
      : undefined;
    /**
     * CPU milliseconds used so far by each process of the pipeline. The emulator is this
     * process (with the traffic generator and the bench's own queries); Postgres is the sum
     * over the backends of the bench database, by pid, as the pool may open or close them.
     */
    const cpuSample = async () => {
      const cpuOf = (pid: number | undefined) =>
        pid === undefined ? undefined : cpuMilliseconds(pid);
      const backends = isLocal(adminUrl)
        ? (
            await sql<{ pid: number }>`
              SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(
              database.db,
            )
          ).rows.map(({ pid }) => pid)
        : [];
      return {
        receiver: cpuOf(receiver.pid),
        worker: cpuOf(worker.pid),
        emulator: cpuOf(process.pid),
        redis: cpuOf(redisPid),
        postgres: new Map(backends.map((pid) => [pid, cpuOf(pid)])),
      };
    };

    const generator = new TrafficGenerator(emulator);
    // Warm-up: JIT, connection pools, the first pages of every table. A fresh worker on an
    // empty database shows p99 lags of 300-550 ms for its first ~7 s at 300 events/s (measured
    // per second with BENCH_DEBUG=1), then settles well under 100 ms; the phases below measure
    // the settled pipeline.
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
    const cpuBefore = await cpuSample();
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
    const cpuAfter = await cpuSample();
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
    const memoryMib = memory === undefined ? undefined : memory / 1024 / 1024;
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
        value: memoryMib === undefined ? 'n/a' : memoryMib.toFixed(0),
        target: `<= ${PEAK_RSS_TARGET_MIB}`,
        pass: memoryMib === undefined ? undefined : memoryMib <= PEAK_RSS_TARGET_MIB,
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
      const verdict = r.pass === undefined || !runsAsShipped ? '' : r.pass ? 'PASS' : 'FAIL';
      console.log(
        `${r.metric.padEnd(width)}  ${r.value.padStart(9)}  ${r.target.padEnd(8)}  ${verdict}`,
      );
    }
    const settings = `WORKER_CONCURRENCY ${concurrencyOverride ?? 'unset (default)'}, NODE_OPTIONS '${workerNodeOptions}'`;
    console.log(
      runsAsShipped
        ? `\n(worker as shipped: ${settings}; ${produced} events in phase 2 over ${windowSeconds.toFixed(1)}s, drained in ${totalSeconds.toFixed(1)}s)`
        : `\n(experiment, targets not judged: ${settings}; ${produced} events in phase 2 over ${windowSeconds.toFixed(1)}s, drained in ${totalSeconds.toFixed(1)}s)`,
    );

    const cpuDelta = (before: number | undefined, after: number | undefined) =>
      before === undefined || after === undefined ? undefined : after - before;
    let postgresCpu: number | undefined = cpuAfter.postgres.size === 0 ? undefined : 0;
    for (const [pid, after] of cpuAfter.postgres) {
      // A backend opened during the phase used all of its CPU in it.
      const spent = cpuDelta(cpuBefore.postgres.get(pid) ?? 0, after);
      if (postgresCpu !== undefined && spent !== undefined) postgresCpu += spent;
    }
    const cpuRows: [string, number | undefined][] = [
      ['receiver', cpuDelta(cpuBefore.receiver, cpuAfter.receiver)],
      ['worker', cpuDelta(cpuBefore.worker, cpuAfter.worker)],
      ['postgres', postgresCpu],
      ['redis', cpuDelta(cpuBefore.redis, cpuAfter.redis)],
      ['emulator', cpuDelta(cpuBefore.emulator, cpuAfter.emulator)],
    ];
    const cpuTotal = cpuRows.reduce((sum, [, ms]) => sum + (ms ?? 0), 0);
    console.log(
      `\nCPU in phase 2 (${completedTotal} events completed in ${totalSeconds.toFixed(1)}s)`,
    );
    console.log(`${'process'.padEnd(9)}  ${'CPU ms'.padStart(8)}  ${'CPU ms/event'.padStart(12)}`);
    for (const [name, ms] of [...cpuRows, ['total', cpuTotal] as const]) {
      const perEvent = ms === undefined ? 'n/a' : (ms / completedTotal).toFixed(3);
      console.log(
        `${name.padEnd(9)}  ${(ms === undefined ? 'n/a' : ms.toFixed(0)).padStart(8)}  ${perEvent.padStart(12)}`,
      );
    }
    console.log(
      '(postgres: backends of the bench database only, not the background writer, checkpointer, WAL writer or autovacuum; redis: the whole server, shared with anything else using it; emulator: this process, with the traffic generator)',
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
