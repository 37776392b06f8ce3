import {
  ConfigError,
  createLogger,
  createRedisConnection,
  describeRedisTarget,
  startTracing,
} from '@omise-sync/core';
import { createDatabase } from '@omise-sync/db';
import { loadConfig } from './config';
import { createWorker } from './create-worker';
import { WorkerMetrics } from './metrics';
import { startMetricsServer } from './metrics-server';
import { createAccountClients } from './omise-accounts';

/**
 * The worker's composition root: reads the environment once, builds every dependency, starts
 * consuming, and shuts down gracefully on SIGTERM/SIGINT.
 */
export async function runWorker(env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(env);
  const logger = createLogger({ name: 'omise-sync-worker', level: config.logLevel });
  // Off unless the OTEL_* variables ask for traces; started before any span is made.
  const tracing = await startTracing('omise-sync-worker', env);
  if (tracing !== undefined) logger.info('OpenTelemetry tracing on');
  const metrics = new WorkerMetrics();
  const database = createDatabase({
    connectionString: config.databaseUrl,
    maxConnections: config.databasePoolSize,
    applicationName: 'omise-sync-worker',
  });
  // Per account: its own key, rate limiter and connection pool (see omise-accounts.ts).
  const omise = createAccountClients(config.accounts, {
    connections: config.omise.maxConnections,
    timeoutMs: config.omise.timeoutMs,
    metrics,
  });
  const worker = createWorker({
    db: database.db,
    createRedisConnection: () =>
      createRedisConnection(config.redis, { connectionName: 'omise-sync:worker' }),
    accounts: omise.accounts,
    logger,
    metrics,
    prefix: config.redis.bullmqPrefix,
    concurrency: config.concurrency,
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
    severityRules: config.severityRules,
    responseDays: config.responseDays,
    pii: config.pii,
    reminderHours: config.reminderHours,
    alertWebhook: config.alertWebhook,
    notifySweepIntervalMs: config.notifySweepIntervalMs,
    eventsRetentionDays: config.eventsRetentionDays,
  });
  const server = await startMetricsServer({
    port: config.metricsPort,
    registry: metrics.registry,
    checkReady: () => worker.checkReady(),
  });
  await worker.start();
  logger.info(
    {
      concurrency: config.concurrency,
      metricsPort: server.port,
      redis: describeRedisTarget(config.redis),
      accounts: config.accounts.map((account) => account.name),
    },
    'worker started',
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    // Past the deadline plus a margin for closing, exit anyway: Postgres rolls back whatever
    // an interrupted job left open, and its job is already back in the queue.
    const hardStop = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 15_000);
    hardStop.unref();
    void (async () => {
      await worker.close({ timeoutMs: config.shutdownTimeoutMs });
      await Promise.allSettled([server.close(), database.destroy(), omise.close()]);
      await tracing?.shutdown().catch((error: unknown) => {
        logger.warn({ err: error }, 'could not flush the last spans');
      });
      logger.info('worker stopped');
      logger.flush();
      process.exitCode = 0;
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (require.main === module) {
  runWorker(process.env).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`worker failed to start: ${String(error)}\n`);
    process.exit(1);
  });
}
