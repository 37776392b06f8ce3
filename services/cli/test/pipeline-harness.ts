import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type Server, createServer, request } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  type OmiseEventJob,
  type RedisConnection,
  jobCatalog,
  systemClock,
} from '@omise-sync/core';
import { type TestDatabase, type TestRedis } from '@omise-sync/testing';
import { type OmiseClient, createOmiseClient } from '@omise-sync/omise-client';
import { type Emulator, type Faults, startEmulator } from '@omise-sync/omise-emulator';
import {
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DEFAULT_DISPUTE_RESPONSE_DAYS,
} from '@omise-sync/projection';
import { Queue } from 'bullmq';
import { type ServiceName, serviceEntry } from '../src/commands/service-process';
import { AlertSink, freePort } from '../src/dev/alert-sink';
import { waitForHttp } from '../src/dev/child-service';
import { type ReconcileDeps } from '../src/sync/reconcile';
import { silentLogger, waitFor } from './sync-test-kit';

/**
 * The whole live pipeline, as deployed: the emulator delivering signed webhooks (with faults)
 * to the real receiver, which enqueues on BullMQ; a real worker projecting into the test
 * database; a local alert endpoint on port 0. The receiver and the worker run as their own
 * processes from source, so the CLI's tests never import another service's code.
 */
export interface Pipeline {
  emulator: Emulator;
  alerts: AlertSink;
  events: Queue<OmiseEventJob>;
  followups: Queue;
  /** A client on the emulator, for the sync commands under test. */
  omise: OmiseClient;
  /** GET requests the worker has made to Omise so far, by path template (from its /metrics). */
  workerOmiseGets(): Promise<Map<string, number>>;
  /** Resolves once the emulator has no delivery pending and both queues are empty. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Startup compiles each service from source; on a loaded machine that takes a while. */
const READY_TIMEOUT_MS = 120_000;
const KILL_AFTER_MS = 10_000;
/** For the `beforeAll` and `afterAll` hooks that start and close a pipeline. */
export const PIPELINE_TIMEOUT_MS = READY_TIMEOUT_MS + 2 * KILL_AFTER_MS;

/**
 * Runs a service in a child process and resolves once `readyUrl` answers; the result stops it
 * (SIGTERM, SIGKILL after {@link KILL_AFTER_MS}). Under jest the service's `./main` export
 * resolves to its `src/main.ts` (the `@omise-sync/source` condition), run through tsx.
 */
async function startService(
  name: ServiceName,
  env: Record<string, string>,
  readyUrl: string,
): Promise<() => Promise<void>> {
  const child = fork(serviceEntry(name), [], {
    execArgv: ['--conditions=@omise-sync/source', '--require', 'tsx/cjs'],
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'fatal', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running = false;
      resolve();
    }),
  );
  const stop = async () => {
    if (!running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHttp(readyUrl, READY_TIMEOUT_MS, () => running);
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

/**
 * A local stand-in for Omise in front of the emulator: forwards every request, except that
 * while `revoked()` is true it answers 401 authentication_failure, as Omise does for a
 * revoked key.
 */
async function startKeyGate(
  target: string,
  revoked: () => boolean,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (revoked()) {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'error',
          location: 'https://www.omise.co/api-errors#authentication-failure',
          code: 'authentication_failure',
          message: 'authentication failed',
        }),
      );
      return;
    }
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * Redis other than the test server (a local Cluster or Sentinel set): the variables the
 * services get, the BullMQ prefix, and connections for the harness's own queues.
 */
export interface PipelineRedis {
  readonly env: Record<string, string>;
  readonly prefix: string;
  connect(): RedisConnection;
}

/** Sums `omise_sync_omise_api_requests_total` over statuses, for GET requests, by path. */
function omiseGetsFromMetrics(text: string): Map<string, number> {
  // Listed even before the first request; without it, an empty answer would prove nothing.
  if (!text.includes('# TYPE omise_sync_omise_api_requests_total counter')) {
    throw new Error('the worker exports no omise_sync_omise_api_requests_total');
  }
  const gets = new Map<string, number>();
  for (const [, labels = '', value] of text.matchAll(
    /^omise_sync_omise_api_requests_total\{(.*)\} (\d+)$/gm,
  )) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];
    const path = label('path');
    if (label('method') !== 'GET' || path === undefined) continue;
    gets.set(path, (gets.get(path) ?? 0) + Number(value));
  }
  return gets;
}

export async function startPipeline(
  database: TestDatabase,
  redis: TestRedis | PipelineRedis,
  options: {
    seed: string;
    faults?: Partial<Faults>;
    /**
     * While this returns true, the worker's Omise requests are answered 401, as after its key
     * was revoked (by a local gate between the worker and the emulator). @defaultValue never
     */
    workerKeyRevoked?: () => boolean;
    /** The emulator's clock (default: Date.now). */
    emulatorNow?: () => number;
    /** More environment for the receiver and the worker (e.g. `OTEL_*`). @defaultValue none */
    serviceEnv?: Record<string, string>;
  } = { seed: 'pipeline' },
): Promise<Pipeline> {
  const redisEnv =
    'env' in redis ? redis.env : { REDIS_URL: redis.url, BULLMQ_PREFIX: redis.prefix };
  const alerts = await AlertSink.start(() => undefined);
  const secret = randomBytes(32).toString('base64');
  const [receiverPort, receiverMetricsPort, metricsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
  ]);
  const emulator = await startEmulator({
    seed: options.seed,
    webhooks: [{ url: `http://127.0.0.1:${receiverPort}/webhooks/omise`, secrets: [secret] }],
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.emulatorNow === undefined ? {} : { now: options.emulatorNow }),
  });
  const gate =
    options.workerKeyRevoked === undefined
      ? undefined
      : await startKeyGate(emulator.url, options.workerKeyRevoked);
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;
  const started = await Promise.allSettled([
    startService(
      'receiver',
      {
        ...redisEnv,
        OMISE_WEBHOOK_SECRETS: secret,
        PORT: String(receiverPort),
        METRICS_PORT: String(receiverMetricsPort),
        ...options.serviceEnv,
      },
      `http://127.0.0.1:${receiverPort}/readyz`,
    ),
    startService(
      'worker',
      {
        DATABASE_URL: database.url,
        ...redisEnv,
        OMISE_SECRET_KEY: emulator.secretKey,
        PII_SALT: 'test-pii-salt-0123456789',
        OMISE_API_URL: gate?.url ?? emulator.url,
        WORKER_CONCURRENCY: '8',
        METRICS_PORT: String(metricsPort),
        ALERT_WEBHOOK_URL: alerts.url,
        // The emulator's disputes are test-mode ones; the tests expect their alerts.
        ALERT_TEST_MODE: 'notify',
        // The sweep re-sends alerts whose job was lost; no test here loses one.
        NOTIFY_SWEEP_INTERVAL_MS: '3600000',
        ...options.serviceEnv,
      },
      `${metricsUrl}/readyz`,
    ),
  ]);
  const stops = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const shutDown = async () => {
    await emulator.close();
    await Promise.all(stops.map((stop) => stop()));
    await gate?.close();
    await alerts.close();
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await shutDown();
    throw failed.reason;
  }

  const omise = createOmiseClient({ secretKey: emulator.secretKey, baseUrl: emulator.url });
  const events = new Queue<OmiseEventJob>(jobCatalog.omiseEvent.queue, {
    connection: redis.connect(),
    prefix: redis.prefix,
  });
  const followups = new Queue(jobCatalog.notifyDisputeFlag.queue, {
    connection: redis.connect(),
    prefix: redis.prefix,
  });
  const busy = async () => {
    let jobs = 0;
    for (const queue of [events, followups]) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      jobs += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return jobs;
  };
  return {
    emulator,
    alerts,
    events,
    followups,
    omise,
    async workerOmiseGets() {
      const response = await fetch(`${metricsUrl}/metrics`);
      if (!response.ok) throw new Error(`worker /metrics answered ${response.status}`);
      return omiseGetsFromMetrics(await response.text());
    },
    async idle() {
      await emulator.deliveries.idle();
      // Twice in a row, so a job added by a finishing one (a follow-up) is not missed.
      await waitFor(async () => ((await busy()) === 0 && (await busy()) === 0 ? true : undefined), {
        timeoutMs: 120_000,
        what: 'the queues to drain',
      });
    },
    async close() {
      await shutDown();
      await Promise.allSettled([events.close(), followups.close()]);
    },
  };
}

/** What `runReconcile` needs to reconcile the test database against the pipeline's emulator. */
export function reconcileDepsOf(pipeline: Pipeline, database: TestDatabase): ReconcileDeps {
  return {
    db: database.handle.db,
    omise: pipeline.omise,
    queue: pipeline.events,
    clock: systemClock,
    logger: silentLogger,
    account: 'default',
    severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
    responseDays: DEFAULT_DISPUTE_RESPONSE_DAYS,
    pii: { mode: 'hash', salt: 'test-pii-salt-0123456789' },
  };
}
