import { onShutdownSignal } from '@omise-sync/core';
import { runEmulatorCli } from '@omise-sync/omise-emulator';
import { UsageError } from '../cli-env';
import { runServiceProcess } from './service-process';

// The long-running services. The receiver and the worker run as their own processes (their
// compiled entry points), so this command lives as long as the service and exits with its code.

/** `omise-sync receiver`: the webhook endpoint on PORT. */
export function receiverCommand(_args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runServiceProcess('receiver', env);
}

/** `omise-sync worker`: consumes the event queue; metrics and probes on METRICS_PORT. */
export function workerCommand(_args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runServiceProcess('worker', env);
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
