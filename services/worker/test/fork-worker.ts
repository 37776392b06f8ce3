import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

/**
 * Starts the worker's real composition root in a child process from source, configured by
 * `env` (PATH is passed through), and resolves once it reports ready.
 */
export function forkWorkerProcess(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = fork(path.join(__dirname, 'worker-process.ts'), [], {
    execArgv: ['--conditions=@omise-sync/source', '--require', 'tsx/cjs'],
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}
