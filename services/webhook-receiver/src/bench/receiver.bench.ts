import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants } from 'node:os';
import { join } from 'node:path';
import { jobCatalog } from '@omise-sync/core';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { affinityOf, cpuPlan, type CpuPlan, isLocalRedis, pinProcess } from './cpu-pinning';

/**
 * `npm run bench:receiver`: autocannon sends signed ~2 KB events over 50 connections to the
 * receiver (real Redis, real BullMQ) and, in the same run and with the same requests, to a stock
 * express route that only answers 200. Targets: receiver req/s >= 0.45 x bare, receiver p99 <=
 * 50 ms; every 2xx is a job in Redis.
 *
 * The machine is shared, and its speed drifts by tens of percent within minutes, so the two are
 * measured in many short rounds that alternate (bare, receiver, bare, ..., bare), and each
 * round's receiver figures are compared with the mean of the bare rounds just before and just
 * after them; the verdict is on the median of those ratios. The requests of a round are signed
 * before it starts: signing ~2 KB in the load generator cost ~15 µs of CPU per request on the
 * two cores the servers, Redis and autocannon share, and would count against whichever server
 * needs Redis's core too.
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), BENCH_CONNECTIONS (50),
 * BENCH_DURATION_SECONDS (4), BENCH_ROUNDS (8), BENCH_WARMUP_SECONDS (3), BENCH_MAX_RPS (12000:
 * requests signed ahead per second of a round; beyond them requests are signed on the fly),
 * BENCH_CPU_PROFILE_DIR (unset; when set, each server process writes a V8 CPU profile into
 * <dir>/<role>), BENCH_PIN_CPUS (auto: each server runs alone on CPU 0 while this process, with
 * autocannon, and a local Redis share the others, see cpu-pinning.ts; off: no pinning).
 */

const RPS_TARGET = 0.45;
/** Receiver p99 latency, in milliseconds. */
const P99_TARGET_MS = 50;
/** Longest an interrupted run waits to stop its servers and delete its keys. */
const CLEANUP_TIMEOUT_MS = 5_000;

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const connections = intFromEnv('BENCH_CONNECTIONS', 50);
const durationSeconds = intFromEnv('BENCH_DURATION_SECONDS', 4);
const rounds = intFromEnv('BENCH_ROUNDS', 8);
const maxRps = intFromEnv('BENCH_MAX_RPS', 12_000);
const warmupSeconds = intFromEnv('BENCH_WARMUP_SECONDS', 3);
const prefix = `bench:receiver:${randomBytes(4).toString('hex')}`;
const secret = randomBytes(32).toString('base64');
const key = Buffer.from(secret, 'base64');

/** A 2019-05-29 charge.complete envelope of about 2 KB, split where the event id goes. */
function eventTemplate(): string[] {
  const charge = {
    object: 'charge',
    id: 'chrg_test_5xbench00000000000000',
    livemode: false,
    location: '/charges/chrg_test_5xbench00000000000000',
    amount: 100_000,
    net: 96_226,
    fee: 3_650,
    fee_vat: 124,
    currency: 'THB',
    status: 'successful',
    authorized: true,
    paid: true,
    capturable: false,
    reversible: false,
    description: 'Order #10042',
    metadata: { order_id: '10042', customer_ref: 'cust-8842' },
    card: {
      object: 'card',
      id: 'card_test_5xbench00000000000000',
      livemode: false,
      country: 'th',
      brand: 'Visa',
      last_digits: '4242',
      expiration_month: 12,
      expiration_year: 2035,
      fingerprint: 'mKleiBfwp+PoJWB/ipngANuECUmRKjyxROwFW5IO7TM=',
      name: 'Somchai Prasert',
      security_code_check: true,
      created_at: '2026-11-23T09:59:58Z',
    },
    failure_code: null,
    failure_message: null,
    refunded_amount: 0,
    transaction: 'trxn_test_5xbench00000000000000',
    return_uri: 'https://shop.example.com/orders/10042/complete',
    created_at: '2026-11-23T09:59:58Z',
    paid_at: '2026-11-23T10:00:00Z',
  };
  const marker = 'EVENT_ID_MARKER';
  const json = JSON.stringify({
    object: 'event',
    id: marker,
    livemode: false,
    location: `/events/${marker}`,
    webhook_deliveries: [],
    data: charge,
    key: 'charge.complete',
    created_at: '2026-11-23T10:00:00Z',
  });
  // Pad `data.description` so the whole body is about 2 KB.
  const padded = json.replace(
    'Order #10042',
    `Order #10042 ${'x'.repeat(Math.max(0, 2048 - json.length - 16))}`,
  );
  return padded.split(marker);
}

const template = eventTemplate();
let sequence = 0;
const runTag = randomBytes(3).toString('hex');

interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

function signedRequest(): SignedRequest {
  sequence += 1;
  const id = `evnt_test_${runTag}${sequence.toString(36)}`;
  const body = template.join(id);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'omise-signature': signature,
      'omise-signature-timestamp': timestamp,
    },
  };
}

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(role: 'receiver' | 'bare', plan: CpuPlan | undefined): Promise<Server> {
  const child = fork(join(__dirname, 'bench-server.js'), [role], {
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      BULLMQ_PREFIX: prefix,
      OMISE_WEBHOOK_SECRETS: secret,
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
    },
    // The receiver logs one JSON line per delivery, as in production; the lines go nowhere.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv:
      process.env['BENCH_CPU_PROFILE_DIR'] === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(process.env['BENCH_CPU_PROFILE_DIR'], role)}`],
  });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  // Pinned once it has started, so every thread it has is pinned (later ones inherit it).
  if (plan !== undefined && child.pid !== undefined && !pinProcess(child.pid, plan.server)) {
    throw new Error(`could not pin the ${role} server to CPU ${plan.server}`);
  }
  return { child, url: `http://127.0.0.1:${message.port}` };
}

/**
 * Stops a server: by default it finishes what it is doing and exits; with `kill`, at once (for
 * an interrupted run). A server that has already exited is left alone.
 */
async function stopServer(server: Server, how: 'finish' | 'kill' = 'finish'): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  if (how === 'kill') server.child.kill('SIGKILL');
  else server.child.send('stop');
  await exited;
}

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  /** CPU time of the server process per request, in microseconds. */
  cpuPerRequest: number;
}

async function cpuMicros(server: Server): Promise<number> {
  const reply = once(server.child, 'message');
  server.child.send('cpu');
  const [message] = (await reply) as [{ cpuMicros: number }];
  return message.cpuMicros;
}

/** Requests for one run, signed now (each with a new event id), handed out in order. */
function signedAhead(count: number): () => SignedRequest {
  const ready = Array.from({ length: count }, signedRequest);
  let next = 0;
  return () => ready[next++] ?? signedRequest();
}

async function measure(server: Server, seconds: number): Promise<Measurement> {
  const nextRequest = signedAhead(maxRps * seconds);
  const cpuBefore = await cpuMicros(server);
  const result = await autocannon({
    url: `${server.url}/webhooks/omise`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({ ...request, ...nextRequest() }),
      },
    ],
  });
  const cpuUsed = (await cpuMicros(server)) - cpuBefore;
  const completed = result['2xx'] + result.non2xx;
  return {
    cpuPerRequest: completed > 0 ? cpuUsed / completed : 0,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/** Sums and counts of the receiver's enqueue histograms, to report means per round. */
async function enqueueStats(server: Server): Promise<Record<string, number>> {
  const response = await fetch(`${server.url}/metrics`);
  const text = await response.text();
  const stats: Record<string, number> = {};
  for (const name of [
    'omise_webhook_enqueue_duration_seconds_sum',
    'omise_webhook_enqueue_duration_seconds_count',
  ]) {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    stats[name] = match?.[1] === undefined ? 0 : Number(match[1]);
  }
  return stats;
}

function meanOf(
  after: Record<string, number>,
  before: Record<string, number>,
  name: string,
): number {
  const count = (after[`${name}_count`] ?? 0) - (before[`${name}_count`] ?? 0);
  const sum = (after[`${name}_sum`] ?? 0) - (before[`${name}_sum`] ?? 0);
  return count > 0 ? sum / count : 0;
}

async function deletePrefix(redis: Redis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Pins this process (autocannon) and, when it runs on this machine, Redis to `plan.rest`.
 * Returns what undoes the Redis part: it is a shared server, so its affinity is restored.
 */
async function pinLoadAndRedis(plan: CpuPlan, redis: Redis): Promise<() => void> {
  if (!pinProcess(process.pid, plan.rest)) {
    throw new Error(`could not pin the load generator to CPUs ${plan.rest}`);
  }
  const host = new URL(redisUrl).hostname;
  const pid = Number(/^process_id:(\d+)/m.exec(await redis.info('server'))?.[1]);
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(host) && isLocalRedis(pid);
  const before = local ? affinityOf(pid) : undefined;
  if (before === undefined || !pinProcess(pid, plan.rest)) {
    console.log(`  Redis is not pinned (${local ? 'taskset refused' : 'not on this machine'})`);
    return () => undefined;
  }
  return () => {
    pinProcess(pid, before);
  };
}

async function main(): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const plan = cpuPlan(process.env['BENCH_PIN_CPUS']);
  const pinned = 'off' in plan ? undefined : plan;
  console.log(
    'off' in plan
      ? `CPU pinning off (${plan.off}): servers, autocannon and Redis share every CPU`
      : `CPU pinning: the server being measured alone on CPU ${plan.server}; autocannon and Redis on CPU ${plan.rest}`,
  );
  const unpinRedis = pinned === undefined ? () => undefined : await pinLoadAndRedis(pinned, redis);
  const servers: Server[] = [];
  // The servers are stopped first, so that none writes after this run's keys are deleted.
  const cleanUp = async (how: 'finish' | 'kill') => {
    unpinRedis();
    await Promise.all(servers.map((server) => stopServer(server, how)));
    await deletePrefix(redis);
  };
  // Stopped mid-run (Ctrl-C, a CI timeout), `finally` below never runs: clean up with the
  // servers killed, waiting at most CLEANUP_TIMEOUT_MS for Redis, then exit. Not core's
  // onShutdownSignal: that exits 0, and an interrupted benchmark has not passed; the status is
  // the shell's 128 + signal number instead. A second signal exits at once (the default).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      const exit = () => process.exit(128 + constants.signals[signal]);
      setTimeout(exit, CLEANUP_TIMEOUT_MS);
      cleanUp('kill').then(exit, (error: unknown) => {
        console.error(`could not delete the ${prefix}:* keys:`, error);
        exit();
      });
    });
  }
  const receiver = await startServer('receiver', pinned);
  servers.push(receiver);
  const bare = await startServer('bare', pinned);
  servers.push(bare);
  const waitingKey = `${prefix}:${jobCatalog.omiseEvent.queue}:wait`;
  const results: { bare: Measurement[]; receiver: Measurement[] } = { bare: [], receiver: [] };
  try {
    console.log(
      `receiver benchmark: ${connections} connections, ${durationSeconds} s per run, ${rounds} rounds (bare, receiver), ~${signedRequest().body.length} B signed events`,
    );
    await measure(bare, warmupSeconds);
    await measure(receiver, warmupSeconds);
    await deletePrefix(redis);
    for (let round = 1; round <= rounds; round += 1) {
      const bareRun = await measure(bare, durationSeconds);
      results.bare.push(bareRun);
      const statsBefore = await enqueueStats(receiver);
      const receiverRun = await measure(receiver, durationSeconds);
      results.receiver.push(receiverRun);
      const statsAfter = await enqueueStats(receiver);
      // Every 2xx must be a job in Redis (each request carries a new event id). There may be a
      // few more jobs than 2xx: requests still in flight when autocannon stopped counting.
      const waiting = await redis.llen(waitingKey);
      console.log(
        `round ${round}: bare ${bareRun.rps.toFixed(0)} req/s (${bareRun.cpuPerRequest.toFixed(0)} µs CPU/req), receiver ${receiverRun.rps.toFixed(0)} req/s (${receiverRun.cpuPerRequest.toFixed(0)} µs CPU/req), p99 ${receiverRun.p99.toFixed(1)} ms; receiver 2xx ${receiverRun.ok}, non-2xx/errors ${receiverRun.failed}, jobs in Redis ${waiting}`,
      );
      const enqueueMs =
        1000 * meanOf(statsAfter, statsBefore, 'omise_webhook_enqueue_duration_seconds');
      console.log(`  receiver: mean wait for Redis ${enqueueMs.toFixed(1)} ms per job`);
      if (waiting < receiverRun.ok) {
        throw new Error(
          `receiver answered ${receiverRun.ok} x 2xx but Redis holds ${waiting} jobs`,
        );
      }
      await deletePrefix(redis);
    }
    // The bare round after the last receiver round, which it is compared with too.
    const closing = await measure(bare, durationSeconds);
    results.bare.push(closing);
    console.log(`closing bare round: ${closing.rps.toFixed(0)} req/s`);
  } finally {
    await cleanUp('finish');
    await redis.quit();
  }

  const bareRps = mean(results.bare.map((r) => r.rps));
  const receiverRps = mean(results.receiver.map((r) => r.rps));
  const bareP50 = mean(results.bare.map((r) => r.p50));
  const receiverP50 = mean(results.receiver.map((r) => r.p50));
  const bareP99 = mean(results.bare.map((r) => r.p99));
  const receiverP99 = mean(results.receiver.map((r) => r.p99));
  // Each receiver round against the mean of the bare rounds just before and just after it, so
  // that a drift of the machine's speed during the pair counts against neither server.
  const paired = (of: (m: Measurement) => number) =>
    results.receiver.map((run, i) => {
      const before = results.bare[i] ?? run;
      const after = results.bare[i + 1] ?? before;
      return of(run) / ((of(before) + of(after)) / 2);
    });
  const rpsRatios = paired((m) => m.rps);
  const rpsRatio = median(rpsRatios);
  const ratioRow = (value: number) => Number(value.toFixed(2));
  const millis = (value: number) => Number(value.toFixed(1));
  console.table({
    'stock express route': {
      'req/s': Math.round(bareRps),
      'p50 ms': millis(bareP50),
      'p99 ms': millis(bareP99),
    },
    'webhook receiver': {
      'req/s': Math.round(receiverRps),
      'p50 ms': millis(receiverP50),
      'p99 ms': millis(receiverP99),
    },
    'receiver / bare, median of rounds': {
      'req/s': ratioRow(rpsRatio),
      'p50 ms': ratioRow(median(paired((m) => m.p50))),
      'p99 ms': ratioRow(median(paired((m) => m.p99))),
    },
  });
  const spread = (ratios: number[]) =>
    `rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
  const rpsPass = rpsRatio >= RPS_TARGET;
  const p99Pass = receiverP99 <= P99_TARGET_MS;
  console.log(
    `req/s ratio ${rpsRatio.toFixed(2)}, median of ${rounds} rounds (${spread(rpsRatios)}; target >= ${RPS_TARGET}): ${rpsPass ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `receiver p99 ${receiverP99.toFixed(1)} ms, mean of ${rounds} rounds (target <= ${P99_TARGET_MS} ms): ${p99Pass ? 'PASS' : 'FAIL'}`,
  );
  const cpuPer = (runs: Measurement[]) => median(runs.map((r) => r.cpuPerRequest)).toFixed(0);
  console.log(
    `for information: CPU per request, median of rounds: bare ${cpuPer(results.bare)} µs, receiver ${cpuPer(results.receiver)} µs`,
  );
  console.log(rpsPass && p99Pass ? 'PASS' : 'FAIL');
  if (!(rpsPass && p99Pass)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
