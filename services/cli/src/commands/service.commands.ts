import { onShutdownSignal } from '@omise-sync/core';
import { CLI_USAGE, runEmulatorCli } from '@omise-sync/omise-emulator';
import { UsageError, isParseArgsError, parseCommandArgs } from '../cli-env';
import { runServiceProcess } from './service-process';

// The long-running services. The receiver and the worker run as their own processes (their
// compiled entry points), so this command lives as long as the service and exits with its code.

export const RECEIVER_USAGE = `Usage: omise-sync receiver

Runs the webhook receiver (POST /webhooks/omise on PORT); configured by the environment only.
`;

export const WORKER_USAGE = `Usage: omise-sync worker

Runs the projection worker (metrics and probes on METRICS_PORT); configured by the environment
only.
`;

/** True for `--help`; anything else on the command line is a usage error (the services take none). */
function isHelpOnly(args: readonly string[], usage: string): boolean {
  const { values } = parseCommandArgs(
    { args: [...args], options: { help: { type: 'boolean' } } },
    usage,
  );
  if (values.help === true) console.log(usage);
  return values.help === true;
}

/** `omise-sync receiver`: the webhook endpoint on PORT. */
export async function receiverCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (isHelpOnly(args, RECEIVER_USAGE)) return 0;
  return runServiceProcess('receiver', env);
}

/** `omise-sync worker`: consumes the event queue; metrics and probes on METRICS_PORT. */
export async function workerCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (isHelpOnly(args, WORKER_USAGE)) return 0;
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
  const run = await runEmulatorCli(env, args, (line) => console.log(line)).catch(
    (error: unknown) => {
      if (isParseArgsError(error)) throw new UsageError(`${error.message}\n\n${CLI_USAGE}`);
      throw error;
    },
  );
  if (run === undefined) return 0;
  onShutdownSignal(() => run.emulator.close());
  return 0;
}
