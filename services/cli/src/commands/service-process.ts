import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';

/**
 * The services the CLI starts, by their package's `./main` export (the compiled entry point).
 * The CLI runs them as processes and never imports their code.
 */
const SERVICE_ENTRIES = {
  receiver: '@omise-sync/webhook-receiver/main',
  worker: '@omise-sync/worker/main',
} as const;
export type ServiceName = keyof typeof SERVICE_ENTRIES;

/** The file a service's process runs. */
export function serviceEntry(name: ServiceName): string {
  return require.resolve(SERVICE_ENTRIES[name]);
}

/**
 * Runs a service in a child process with this process's stdio, forwarding SIGTERM and SIGINT
 * so its graceful shutdown runs, and resolves with its exit code (128 + signal when killed).
 */
export async function runServiceProcess(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const child = spawn(process.execPath, [serviceEntry(name)], { env, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  try {
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    if (code !== null) return code;
    return 128 + (signal === null ? 0 : constants.signals[signal]);
  } finally {
    process.off('SIGTERM', forward);
    process.off('SIGINT', forward);
  }
}
