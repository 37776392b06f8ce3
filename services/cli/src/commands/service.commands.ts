import { createLogger, onShutdownSignal } from '@omise-sync/core';
import { runEmulatorCli } from '@omise-sync/omise-emulator';
import { loadConfig as loadReceiverConfig, startReceiver } from '@omise-sync/webhook-receiver';
import { runWorker } from '@omise-sync/worker';
import { UsageError } from '../cli-env';

// The long-running services. Each installs its shutdown on SIGTERM/SIGINT and keeps the process
// alive; the command itself returns as soon as the service is running.

/** `omise-sync receiver`: the webhook endpoint on PORT. */
export async function receiverCommand(
  _args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const config = loadReceiverConfig(env);
  const logger = createLogger({ name: 'webhook-receiver', level: config.logLevel });
  const receiver = await startReceiver(config, { logger });
  onShutdownSignal(
    async (signal) => {
      logger.info({ signal }, 'signal received');
      await receiver.close();
    },
    (error) => logger.error({ err: error }, 'shutdown failed'),
  );
  return 0;
}

/** `omise-sync worker`: consumes the event queue; metrics and probes on METRICS_PORT. */
export async function workerCommand(
  _args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  await runWorker(env);
  return 0;
}

/**
 * `omise-sync emulator [--port N] [--scenario …]`: the Omise test-mode emulator. The image sets
 * NODE_ENV=production, so a deployment never runs it by mistake; the local demo
 * (docker-compose.yml) sets NODE_ENV=development for its emulator container on purpose.
 */
export async function emulatorCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (env.NODE_ENV === 'production') {
    throw new UsageError(
      'the Omise emulator is for tests and demos and does not run with NODE_ENV=production',
    );
  }
  const run = await runEmulatorCli(env, args, (line) => console.log(line));
  if (run === undefined) return 0;
  onShutdownSignal(() => run.emulator.close());
  return 0;
}
