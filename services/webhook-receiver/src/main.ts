import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  ConfigError,
  createLogger,
  describeRedisTarget,
  type Logger,
  startTracing,
} from '@omise-sync/core';
import { createOmiseClient, type FetchLike } from '@omise-sync/omise-client';
import { type Express } from 'express';
import { createApp } from './app';
import { BacklogMonitor } from './backlog-monitor';
import { loadConfig, type ReceiverAccount, type ReceiverConfig } from './config';
import {
  createFetchVerifier,
  createSignatureVerifier,
  type DeliveryVerifier,
} from './delivery-verifier';
import { EventEnqueuer, type OmiseEventQueue } from './event-enqueuer';
import { closeEventQueues, createEventQueue, createProducerConnection } from './event-queue';
import { ReceiverMetrics } from './metrics';
import { type WebhookAccount } from './omise-webhook.route';
import { guardConnections, serverLimitOptions } from './server-limits';

export interface StartReceiverOptions {
  /** @defaultValue a pino JSON logger on stdout at `config.logLevel` */
  logger?: Logger;
  /** Clock in milliseconds since the epoch. @defaultValue Date.now */
  now?: () => number;
  /** Export Node process metrics too. @defaultValue true */
  processMetrics?: boolean;
  /** HTTP transport for fetch mode. @defaultValue globalThis.fetch */
  fetch?: FetchLike;
  /** Interface to listen on. @defaultValue all interfaces */
  host?: string;
}

/** A listening receiver. */
export interface RunningReceiver {
  /** `http://host:port` it listens on. */
  readonly url: string;
  readonly port: number;
  /** `http://host:port` of `GET /metrics` (a port of its own, never the webhook's). */
  readonly metricsUrl: string;
  readonly app: Express;
  readonly metrics: ReceiverMetrics;
  /**
   * Graceful shutdown: `/readyz` turns 503, the listener closes, in-flight deliveries finish
   * (connections still open after `shutdownTimeoutMs` are cut), and the Redis connection
   * closes. Safe to call twice.
   */
  close(): Promise<void>;
}

/** `http://host:port` for a listening server (the loopback address for a wildcard one). */
function urlOf(server: Server): { url: string; port: number } {
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address === '::' ? '::1' : address}]` : address;
  return { url: `http://${address === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, port };
}

/**
 * `GET /metrics` on a server of its own, so the port the ingress forwards to serves webhooks and
 * probes only.
 */
function createMetricsServer(metrics: ReceiverMetrics): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
}

async function waitUntilReady(
  queues: readonly OmiseEventQueue[],
  timeoutMs: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const ready = Promise.all(queues.map((queue) => queue.waitUntilReady()));
    return await Promise.race([ready.then(() => true), timedOut]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Proves an account's deliveries genuine: with its webhook secrets, or by fetching with its key. */
function createVerifier(
  config: ReceiverConfig,
  account: ReceiverAccount,
  fetch: FetchLike | undefined,
  now: () => number,
): DeliveryVerifier {
  if (config.verification.mode === 'signature') {
    return createSignatureVerifier({
      secrets: account.webhookSecrets,
      toleranceSeconds: config.verification.toleranceSeconds,
      now,
    });
  }
  const omise = createOmiseClient({
    secretKey: account.secretKey ?? '',
    baseUrl: account.apiUrl,
    timeoutMs: config.verification.apiTimeoutMs,
    // A failed check is answered 503 and Omise delivers again; retrying here would only
    // hold the delivery past Omise's own timeout.
    maxRetries: 0,
    fetch,
    now,
  });
  return createFetchVerifier({
    retrieveEvent: (id) => omise.events.retrieve(id),
    retryAfterSeconds: config.retryAfterSeconds,
    now,
    cacheTtlMs: config.verification.cacheTtlMs,
    cacheMaxEntries: config.verification.cacheMaxEntries,
    lookupsPerSecond: config.verification.lookupsPerSecond,
  });
}

/** The composition root: builds every dependency from the config and starts listening. */
export async function startReceiver(
  config: ReceiverConfig,
  options: StartReceiverOptions = {},
): Promise<RunningReceiver> {
  const logger =
    options.logger ?? createLogger({ name: 'webhook-receiver', level: config.logLevel });
  const now = options.now ?? Date.now;

  const connection = createProducerConnection({
    redis: config.redis,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    logger,
  });
  // One queue per account on the one connection, so each account's backlog is its own.
  const queues = config.accounts.map((account) =>
    createEventQueue(connection, config.redis.bullmqPrefix, account.name),
  );
  // Give Redis a moment so the first deliveries are not refused for a connection still being
  // set up; if it is down, start anyway and answer 503 until it is back.
  if (!(await waitUntilReady(queues, config.redisCommandTimeoutMs))) {
    logger.warn('Redis is not reachable yet; deliveries are answered 503 until it is');
  }
  const accounts = new Map<string, WebhookAccount & { backlog: BacklogMonitor }>();
  config.accounts.forEach((account, index) => {
    const queue = queues[index];
    if (queue === undefined) return;
    accounts.set(account.name, {
      verify: createVerifier(config, account, options.fetch, now),
      enqueuer: new EventEnqueuer({ queue, connection, replicaAck: config.replicaAck }),
      backlog: new BacklogMonitor({ queue, connection, maxWaiting: config.maxBacklog, now }),
    });
  });
  const metrics = new ReceiverMetrics({
    queueDepths: new Map(
      [...accounts].map(([name, account]) => [name, () => account.backlog.waitingCount()]),
    ),
    processMetrics: options.processMetrics ?? true,
  });
  const closeQueues = () => closeEventQueues(queues, connection);

  let shuttingDown = false;
  const app = createApp({
    logger,
    metrics,
    accounts,
    connection,
    bodyLimitBytes: config.bodyLimitBytes,
    retryAfterSeconds: config.retryAfterSeconds,
    now,
    isShuttingDown: () => shuttingDown,
  });

  const server = createServer(serverLimitOptions(config.limits), app);
  guardConnections(server, {
    maxConnections: config.limits.maxConnections,
    metrics,
    logger,
    now,
  });
  const metricsServer = createMetricsServer(metrics);
  server.listen({ port: config.port, host: options.host });
  metricsServer.listen({ port: config.metricsPort, host: options.host });
  try {
    await Promise.all([once(server, 'listening'), once(metricsServer, 'listening')]);
  } catch (error) {
    server.close();
    metricsServer.close();
    await closeQueues();
    throw error;
  }
  const { url, port } = urlOf(server);
  const metricsUrl = urlOf(metricsServer).url;
  logger.info(
    {
      port,
      metricsPort: urlOf(metricsServer).port,
      verification: config.verification.mode,
      redis: describeRedisTarget(config.redis),
      accounts: config.accounts.map((account) => account.name),
    },
    'webhook receiver listening',
  );

  let closing: Promise<void> | undefined;
  const close = async () => {
    shuttingDown = true;
    logger.info('shutting down: finishing in-flight deliveries');
    // Keep-alive clients are told to reconnect (to another instance) from now on. A listener
    // added only now costs the requests before shutdown nothing, unlike a middleware.
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('Connection', 'close');
    });
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = setTimeout(() => {
      logger.warn('shutdown timeout: closing connections still open');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    await closed;
    clearTimeout(deadline);
    // Scrapes go on until the deliveries are done, so the last counts are visible.
    const metricsClosed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
    metricsServer.closeAllConnections();
    await metricsClosed;
    await closeQueues();
    logger.info('shut down');
  };

  return {
    url,
    port,
    metricsUrl,
    app,
    metrics,
    close: () => (closing ??= close()),
  };
}

async function main(): Promise<void> {
  let config: ReceiverConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const logger = createLogger({ name: 'webhook-receiver', level: config.logLevel });
  // Off unless the OTEL_* variables ask for traces; started before any span is made.
  const tracing = await startTracing('omise-sync-webhook-receiver', process.env);
  if (tracing !== undefined) logger.info('OpenTelemetry tracing on');
  const receiver = await startReceiver(config, { logger });
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'signal received');
    receiver
      .close()
      .then(() => tracing?.shutdown())
      .then(
        () => {
          process.exitCode = 0;
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exitCode = 1;
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
